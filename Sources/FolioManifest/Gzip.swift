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
}
