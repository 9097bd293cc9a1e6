import Foundation
import FolioZlib
import Testing
@testable import FolioManifest

/// `Inflater`, the one zlib inflate loop (`folio collect`'s gzip bodies, `.jsonl.gz` trace
/// files): whatever sizes the input and output come in, it gives the bytes back, goes on
/// across concatenated members, says when the input ends inside a member, and refuses
/// damaged data instead of spinning.
struct InflaterTests {
    /// Inflates `data`, handing it over `inputStep` bytes at a time into buffers of
    /// `outputSize` bytes.
    static func inflate(_ data: Data, inputStep: Int, outputSize: Int) throws -> (bytes: Data, atMemberEnd: Bool) {
        let inflater = try Inflater()
        var result = Data()
        let input = [UInt8](data)
        var output = [UInt8](repeating: 0, count: outputSize)
        for start in stride(from: 0, to: input.count, by: inputStep) {
            let slice = Array(input[start..<min(input.count, start + inputStep)])
            var used = 0
            while used < slice.count {
                var produced = 0
                try slice.withUnsafeBufferPointer { source in
                    try output.withUnsafeMutableBufferPointer { try inflater.inflate(source, consumed: &used, into: $0, produced: &produced) }
                }
                result.append(contentsOf: output[0..<produced])
            }
        }
        return (result, inflater.atMemberEnd)
    }

    @Test func givesTheBytesBackWhateverTheStepSizes() throws {
        let original = GzipTests.sample(300_000)
        let compressed = try Gzip.compress(original)
        for (inputStep, outputSize) in [(1 << 20, 1 << 20), (7, 1 << 16), (4096, 1), (1, 3)] {
            let (bytes, atEnd) = try Self.inflate(compressed, inputStep: inputStep, outputSize: outputSize)
            #expect(bytes == original, "input step \(inputStep), output \(outputSize)")
            #expect(atEnd)
        }
    }

    @Test func readsConcatenatedMembers() throws {
        let first = GzipTests.sample(5_000), second = Data("and a second member\n".utf8)
        let (bytes, atEnd) = try Self.inflate(try Gzip.compress(first) + Gzip.compress(second), inputStep: 1000, outputSize: 512)
        #expect(bytes == first + second)
        #expect(atEnd)
    }

    @Test func aStreamCutShortIsNotAtAMemberEnd() throws {
        let compressed = try Gzip.compress(GzipTests.sample(50_000))
        let (_, atEnd) = try Self.inflate(compressed.prefix(compressed.count / 2), inputStep: 4096, outputSize: 4096)
        #expect(!atEnd)
        #expect(try !Self.inflate(Data(), inputStep: 1, outputSize: 1).atMemberEnd)
    }

    @Test func damagedDataIsRefused() throws {
        var compressed = [UInt8](try Gzip.compress(GzipTests.sample(50_000)))
        compressed[compressed.count / 2] ^= 0xFF
        compressed[compressed.count / 2 + 1] ^= 0x55
        #expect(throws: Inflater.Failure.self) { try Self.inflate(Data(compressed), inputStep: 4096, outputSize: 4096) }
        #expect(throws: Inflater.Failure.self) { try Self.inflate(Data("not gzip at all".utf8), inputStep: 64, outputSize: 64) }
        // A member followed by bytes that are not another one.
        #expect(throws: Inflater.Failure.self) {
            try Self.inflate(try Gzip.compress(Data("x".utf8)) + Data("trailing junk".utf8), inputStep: 64, outputSize: 64)
        }
    }
}
