import CZlib
import Foundation

enum Gzip {
    /// A gzip member of `data` (mtime 0: the same input gives the same bytes).
    static func compress(_ data: Data) throws -> Data {
        var output = [UInt8](repeating: 0, count: Int(compressBound(uLong(data.count))) + 32)
        var length = output.count
        let status = data.withUnsafeBytes { input in
            folio_gzip(input.bindMemory(to: UInt8.self).baseAddress, data.count, &output, &length)
        }
        guard status == Z_OK else { throw CocoaError(.fileWriteUnknown) }
        return Data(output[0..<length])
    }

    /// Whether `gzip` is a gzip member whose trailer (CRC-32 and length of the original)
    /// is that of `data`: a cheap check that a `.gz` beside a file still matches it.
    static func holds(_ gzip: Data?, _ data: Data) -> Bool {
        guard let gzip, gzip.count >= 18, gzip.starts(with: [0x1F, 0x8B]) else { return false }
        let trailer = [UInt8](gzip.suffix(8))
        func little(_ offset: Int) -> UInt32 {
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(trailer[offset + $1]) << (8 * $1) }
        }
        let checksum = data.withUnsafeBytes { raw in
            UInt32(crc32(0, raw.bindMemory(to: UInt8.self).baseAddress, uInt(raw.count)))
        }
        return little(0) == checksum && little(4) == UInt32(truncatingIfNeeded: data.count)
    }
}
