import FolioZlib
import Foundation

/// Inflates a gzip request body, refusing to grow past `limit` bytes (a small body can
/// inflate to gigabytes).
enum Gunzip {
    enum Failure: Error { case tooLarge, damaged }

    static func inflate(_ data: Data, limit: Int) throws -> Data {
        guard let inflater = try? Inflater() else { throw Failure.damaged }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        try data.withUnsafeBytes { raw in
            let input = raw.bindMemory(to: UInt8.self)
            var consumed = 0
            while consumed < input.count {
                var produced = 0
                do {
                    try chunk.withUnsafeMutableBufferPointer { try inflater.inflate(input, consumed: &consumed, into: $0, produced: &produced) }
                } catch {
                    throw Failure.damaged
                }
                output.append(contentsOf: chunk[0..<produced])
                if output.count > limit { throw Failure.tooLarge }
            }
        }
        // Empty, or cut off inside a member.
        guard inflater.atMemberEnd else { throw Failure.damaged }
        return output
    }
}
