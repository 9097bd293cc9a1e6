import FolioZlib
import FolioModel
import Foundation

/// Reads a file in chunks, inflating it when it is gzip, and hands out lines. Work is
/// linear in the file (each byte is searched for a newline once) and memory is bounded:
/// at most one chunk of inflated output at a time, and a line longer than `maxLineBytes`
/// is skipped (its number goes to `oversizedLines`) instead of being held.
final class LineSource {
    private let handle: FileHandle
    /// Set when the file is gzip.
    private let inflater: Inflater?
    private var finished = false
    /// Compressed input not yet inflated, from `pendingOffset` on.
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private var buffer = Data()
    /// Where the unread part of `buffer` starts (lines are not removed one by one, which
    /// would move the rest of the chunk for every line).
    private var offset = 0
    /// How many bytes after `offset` are known to hold no newline.
    private var searched = 0
    /// While a line past the limit is being skipped: its number.
    private var skipping: Int?
    private(set) var lineNumber = 0
    /// Lines that were longer than `maxLineBytes` and were skipped, by number.
    var oversizedLines: [Int] = []
    let maxLineBytes: Int
    static let chunkSize = 1 << 20

    init(path: String, maxLineBytes: Int = TraceReader.defaultMaxLineBytes) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw TraceReadError(message: "cannot read \(path)")
        }
        self.handle = handle
        self.maxLineBytes = max(1, maxLineBytes)
        let magic = (try? handle.read(upToCount: 2)) ?? Data()
        try handle.seek(toOffset: 0)
        do {
            inflater = magic == Data([0x1f, 0x8b]) ? try Inflater() : nil
        } catch {
            throw TraceReadError(message: "cannot start reading the gzip file \(path)")
        }
    }

    deinit {
        try? handle.close()
    }

    /// The next line without its newline (and without a byte-order mark before it), or nil
    /// at the end.
    func nextLine() throws -> Data? {
        while true {
            let start = offset
            let from = offset + searched
            let found: Int? = buffer.withUnsafeBytes { raw in
                guard from < raw.count, let base = raw.baseAddress,
                    let hit = memchr(base + from, 0x0A, raw.count - from)
                else { return nil }
                return base.distance(to: UnsafeRawPointer(hit))
            }
            if let newline = found {
                offset = newline + 1
                searched = 0
                lineNumber += 1
                if let skipped = skipping {
                    skipping = nil
                    oversizedLines.append(skipped)
                    continue
                }
                return Self.withoutByteOrderMark(buffer.withUnsafeBytes { Data($0[start..<newline]) })
            }
            // No newline in what is buffered: drop what was read, keep the unfinished line.
            if skipping != nil || buffer.count - start > maxLineBytes {
                if skipping == nil { skipping = lineNumber + 1 }
                buffer = Data()
            } else {
                buffer = Data(buffer[(buffer.startIndex + start)...])
            }
            offset = 0
            searched = buffer.count
            guard let chunk = try nextChunk() else {
                if let skipped = skipping {
                    skipping = nil
                    lineNumber += 1
                    oversizedLines.append(skipped)
                    return nil
                }
                guard !buffer.isEmpty else { return nil }
                let line = buffer
                buffer = Data()
                searched = 0
                lineNumber += 1
                return Self.withoutByteOrderMark(line)
            }
            buffer.append(chunk)
        }
    }

    /// The first byte of the (inflated) file, without consuming it; nil for an empty file.
    func peekByte() throws -> UInt8? {
        while offset >= buffer.count {
            guard let chunk = try nextChunk() else { return nil }
            buffer = chunk
            offset = 0
            searched = 0
        }
        return buffer[buffer.startIndex + offset]
    }

    /// A protobuf varint, or nil at the end of the file; throws on a varint cut short or
    /// longer than 10 bytes.
    func nextVarint() throws -> UInt64? {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            guard let byte = try nextByte() else {
                if shift == 0 { return nil }
                throw TraceReadError(message: "the file ends inside a record's length")
            }
            value |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte & 0x80 == 0 { return value }
        }
        throw TraceReadError(message: "a record's length is not a varint")
    }

    private func nextByte() throws -> UInt8? {
        guard try peekByte() != nil else { return nil }
        let byte = buffer[buffer.startIndex + offset]
        offset += 1
        return byte
    }

    /// The next `count` bytes, or nil when the file ends before them (what there was is dropped).
    func nextBytes(_ count: Int) throws -> Data? {
        var result = Data(buffer[(buffer.startIndex + offset)..<(buffer.startIndex + min(buffer.count, offset + count))])
        offset = min(buffer.count, offset + count)
        while result.count < count {
            guard let chunk = try nextChunk() else { return nil }
            let needed = count - result.count
            result.append(chunk.prefix(needed))
            buffer = chunk
            offset = min(chunk.count, needed)
            searched = 0
        }
        return result
    }

    /// Skips `count` bytes; false when the file ends first.
    func skip(_ count: Int) throws -> Bool {
        var left = count
        while left > 0 {
            let available = buffer.count - offset
            if available >= left {
                offset += left
                return true
            }
            left -= available
            guard let chunk = try nextChunk() else { return false }
            buffer = chunk
            offset = 0
            searched = 0
        }
        return true
    }

    /// Everything that is left (for a pretty-printed, single-document file), at most
    /// `maxLineBytes` of it.
    func rest() throws -> Data {
        var all = Data(buffer[(buffer.startIndex + offset)...])
        buffer = Data()
        offset = 0
        searched = 0
        while let chunk = try nextChunk() {
            all.append(chunk)
            guard all.count <= maxLineBytes else {
                throw TraceReadError(message: "the document is larger than \(maxLineBytes >> 20) MiB: raise --max-line-mb to read it")
            }
        }
        return all
    }

    static func withoutByteOrderMark(_ line: Data) -> Data {
        line.starts(with: [0xEF, 0xBB, 0xBF]) ? line.dropFirst(3) : line
    }

    /// The next piece of the file, at most `chunkSize` bytes of it (inflated when gzip).
    private func nextChunk() throws -> Data? {
        guard !finished else { return nil }
        guard let inflater else {
            let raw = (try handle.read(upToCount: Self.chunkSize)) ?? Data()
            if raw.isEmpty {
                finished = true
                return nil
            }
            return raw
        }
        var output = [UInt8](repeating: 0, count: Self.chunkSize)
        var produced = 0
        while produced < output.count {
            if pendingOffset == pending.count {
                let raw = (try handle.read(upToCount: Self.chunkSize)) ?? Data()
                if raw.isEmpty {
                    finished = true
                    break
                }
                pending = [UInt8](raw)
                pendingOffset = 0
            }
            var consumed = pendingOffset
            do {
                try pending.withUnsafeBufferPointer { input in
                    try output.withUnsafeMutableBufferPointer { try inflater.inflate(input, consumed: &consumed, into: $0, produced: &produced) }
                }
            } catch let failure as Inflater.Failure {
                throw TraceReadError(message: "the gzip data is damaged (zlib error \(failure.status))")
            }
            pendingOffset = consumed
        }
        if produced == 0 && finished { return nil }
        return Data(output[0..<produced])
    }
}

package struct TraceReadError: UserFacingError {
    package let message: String
    package var hint: String? { "pass trace files or folders that exist, or --source" }
    package var exitCode: Int32 { 2 }
}
