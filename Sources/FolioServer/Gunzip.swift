import CZlib
import Foundation

/// Inflates a gzip request body, refusing to grow past `limit` bytes (a small body can
/// inflate to gigabytes).
enum Gunzip {
    enum Failure: Error { case tooLarge, damaged }

    static func inflate(_ data: Data, limit: Int) throws -> Data {
        var stream = z_stream()
        guard folio_inflate_init(&stream) == Z_OK else { throw Failure.damaged }
        defer { inflateEnd(&stream) }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var input = [UInt8](data)
        let status: Int32 = input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            while true {
                let result: Int32 = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                output.append(contentsOf: chunk[0..<produced])
                if output.count > limit { return -100 }
                if result == Z_STREAM_END {
                    // Concatenated members: go on while input is left.
                    if stream.avail_in == 0 { return Z_STREAM_END }
                    inflateReset(&stream)
                    continue
                }
                if result != Z_OK { return result }
                if stream.avail_in == 0, produced == 0 { return Z_BUF_ERROR }
            }
        }
        if status == -100 { throw Failure.tooLarge }
        guard status == Z_STREAM_END else { throw Failure.damaged }
        return output
    }
}
