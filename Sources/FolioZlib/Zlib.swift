import CZlib

/// The one place Folio calls zlib. Inflating is `Inflater` (request bodies in
/// `folio serve`/`collect`, `.jsonl.gz` trace files); deflating is one block at a time
/// (`deflateBlock`), which `Gzip` in FolioManifest runs on all cores, with `CRC32` for the
/// gzip trailer.

/// Inflates gzip (or zlib) data in steps, into output buffers of the caller's size, across
/// concatenated gzip members. A class, because zlib's state points back at its
/// `z_stream`, which must therefore never move.
package final class Inflater {
    package struct Failure: Error, Sendable {
        /// zlib's status (`Z_DATA_ERROR`, …), or 0 when no progress was possible.
        package let status: Int32
    }

    private var stream = z_stream()
    /// Whether the input so far ends exactly where a gzip member ends (false before the
    /// first member has ended, and in the middle of one: a cut-off stream).
    package private(set) var atMemberEnd = false

    package init() throws {
        let status = folio_inflate_init(&stream)
        guard status == Z_OK else { throw Failure(status: status) }
    }

    deinit { inflateEnd(&stream) }

    /// Inflates `input[consumed...]` into `output[produced...]` until the input is used up
    /// or the output is full, advancing both. A member's end is not a stop: the next
    /// member starts where it ended. Throws on damaged data, and when zlib can make no
    /// progress although there is input and room.
    package func inflate(
        _ input: UnsafeBufferPointer<UInt8>, consumed: inout Int, into output: UnsafeMutableBufferPointer<UInt8>, produced: inout Int
    ) throws {
        guard let source = input.baseAddress, let target = output.baseAddress else { return }
        while consumed < input.count, produced < output.count {
            stream.next_in = UnsafeMutablePointer(mutating: source + consumed)
            stream.avail_in = uInt(input.count - consumed)
            stream.next_out = target + produced
            stream.avail_out = uInt(output.count - produced)
            let status = CZlib.inflate(&stream, Z_NO_FLUSH)
            let progress = (input.count - Int(stream.avail_in) - consumed) + (output.count - Int(stream.avail_out) - produced)
            consumed = input.count - Int(stream.avail_in)
            produced = output.count - Int(stream.avail_out)
            switch status {
            case Z_STREAM_END:
                atMemberEnd = true
                inflateReset(&stream)
            case Z_OK, Z_BUF_ERROR:
                if progress > 0 { atMemberEnd = false } else { throw Failure(status: 0) }
            default:
                throw Failure(status: status)
            }
        }
    }
}

/// Raw deflate of one block of a larger input, primed with `dictionary` (the 32 KB before
/// it) and ended on a byte boundary unless `last` (see `folio_deflate_block`); nil when
/// zlib fails.
package func deflateBlock(dictionary: UnsafeBufferPointer<UInt8>, _ input: UnsafeBufferPointer<UInt8>, last: Bool) -> [UInt8]? {
    var output = [UInt8](repeating: 0, count: Int(compressBound(uLong(input.count))) + 64)
    var produced = output.count
    let status = folio_deflate_block(dictionary.baseAddress, dictionary.count, input.baseAddress, input.count, last ? 1 : 0, &output, &produced)
    guard status == Z_OK else { return nil }
    output.removeSubrange(produced...)
    return output
}

/// CRC-32 as gzip's trailer holds it.
package enum CRC32 {
    package static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        UInt32(crc32(0, bytes.bindMemory(to: UInt8.self).baseAddress, uInt(bytes.count)))
    }

    /// The checksum of two pieces put end to end, from theirs and the second's length.
    package static func combine(_ first: UInt32, _ second: UInt32, secondLength: Int) -> UInt32 {
        UInt32(crc32_combine(uLong(first), uLong(second), .init(secondLength)))
    }
}
