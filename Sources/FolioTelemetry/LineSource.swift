import CZlib
import Foundation

/// Reads a file in chunks, inflating it when it is gzip, and hands out lines: memory stays
/// bounded by the longest line, not the file.
final class LineSource {
    private let handle: FileHandle
    private var stream = z_stream()
    private let compressed: Bool
    private var finished = false
    private var pending = Data()
    private var buffer = Data()
    private(set) var lineNumber = 0
    static let chunkSize = 1 << 20

    init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw TraceReadError(message: "cannot read \(path)")
        }
        self.handle = handle
        let magic = (try? handle.read(upToCount: 2)) ?? Data()
        try handle.seek(toOffset: 0)
        compressed = magic == Data([0x1f, 0x8b])
        if compressed, folio_inflate_init(&stream) != Z_OK {
            throw TraceReadError(message: "cannot start reading the gzip file \(path)")
        }
    }

    deinit {
        if compressed { inflateEnd(&stream) }
        try? handle.close()
    }

    /// Where the unread part of `buffer` starts (lines are not removed one by one, which
    /// would move the rest of the chunk for every line).
    private var offset = 0

    /// The next line without its newline, or nil at the end.
    func nextLine() throws -> Data? {
        while true {
            let start = offset
            let found: Int? = buffer.withUnsafeBytes { raw in
                guard start < raw.count, let base = raw.baseAddress,
                      let hit = memchr(base + start, 0x0A, raw.count - start) else { return nil }
                return base.distance(to: UnsafeRawPointer(hit))
            }
            if let newline = found {
                let line = buffer.withUnsafeBytes { Data($0[start..<newline]) }
                offset = newline + 1
                lineNumber += 1
                return line
            }
            buffer = Data(buffer[(buffer.startIndex + offset)...])
            offset = 0
            guard let chunk = try nextChunk() else {
                guard !buffer.isEmpty else { return nil }
                let line = buffer
                buffer = Data()
                lineNumber += 1
                return line
            }
            buffer.append(chunk)
        }
    }

    /// Everything that is left (for a pretty-printed, single-document file).
    func rest() throws -> Data {
        var all = Data(buffer[(buffer.startIndex + offset)...])
        buffer = Data()
        offset = 0
        while let chunk = try nextChunk() { all.append(chunk) }
        return all
    }

    private func nextChunk() throws -> Data? {
        guard !finished else { return nil }
        let raw = (try handle.read(upToCount: Self.chunkSize)) ?? Data()
        if !compressed {
            if raw.isEmpty { finished = true; return nil }
            return raw
        }
        if raw.isEmpty && pending.isEmpty { finished = true; return nil }
        pending.append(raw)
        var output = Data()
        var scratch = [UInt8](repeating: 0, count: Self.chunkSize)
        let consumed: Int = try pending.withUnsafeMutableBytes { input in
            stream.next_in = input.bindMemory(to: UInt8.self).baseAddress
            stream.avail_in = uInt(input.count)
            repeat {
                let status = scratch.withUnsafeMutableBytes { out -> Int32 in
                    stream.next_out = out.bindMemory(to: UInt8.self).baseAddress
                    stream.avail_out = uInt(out.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = scratch.count - Int(stream.avail_out)
                output.append(contentsOf: scratch[0..<produced])
                if status == Z_STREAM_END {
                    // Concatenated gzip members: start the next one.
                    let left = stream.avail_in
                    inflateReset(&stream)
                    stream.avail_in = left
                    if left == 0 { break }
                } else if status != Z_OK && status != Z_BUF_ERROR {
                    throw TraceReadError(message: "the gzip data is damaged (zlib error \(status))")
                } else if stream.avail_out != 0 {
                    break
                }
            } while true
            return input.count - Int(stream.avail_in)
        }
        pending.removeSubrange(pending.startIndex..<(pending.startIndex + consumed))
        if raw.isEmpty && output.isEmpty { finished = true; return nil }
        return output
    }
}

public struct TraceReadError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
