import Foundation
@testable import FolioManifest
import Testing

/// `Gzip.compress` cuts its input into blocks compressed on several threads; the result
/// must be one gzip member that another implementation (the gzip CLI) reads back whole.
struct GzipTests {
    /// JSON-like text that compresses as a manifest does, varied enough that blocks differ.
    static func sample(_ count: Int) -> Data {
        var text = ""
        var index = 0
        while text.utf8.count < count {
            text += "  \"prompt_\(index)\" : { \"sha256\" : \"\(String(index * 2_654_435_761 % 1_000_003, radix: 16))\", \"note\" : \"é 😀 \(index % 7)\" },\n"
            index += 1
        }
        return Data(text.utf8.prefix(count))
    }

    /// What `gzip -dc` (GNU gzip, which checks the CRC-32 and length) makes of `compressed`.
    static func gunzip(_ compressed: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // The CLI reads while this thread writes: large inputs do not fit a pipe's buffer.
        let writer = Thread {
            try? input.fileHandleForWriting.write(contentsOf: compressed)
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let complaint = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "gzip -dc: \(complaint)")
        return data
    }

    @Test(arguments: [0, 1, Gzip.blockSize - 1, Gzip.blockSize, Gzip.blockSize + 1, 3 * Gzip.blockSize + 17, 1_000_000])
    func blocksMakeOneMemberThatGzipReadsBack(count: Int) throws {
        let data = Self.sample(count)
        let compressed = try Gzip.compress(data)
        #expect(try Self.gunzip(compressed) == data)
        // One member: its trailer holds the CRC-32 and length of the whole input.
        #expect(Gzip.holds(compressed, data))
        #expect(compressed.prefix(10) == Data([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3]))
        if count > 10_000 { #expect(compressed.count < count / 3) }
    }

    @Test func theSameInputGivesTheSameBytes() throws {
        let data = Self.sample(5 * Gzip.blockSize + 1_234)
        let first = try Gzip.compress(data)
        for _ in 0..<5 { #expect(try Gzip.compress(data) == first) }
    }

    /// Each block is primed with the 32 KB before it, so cutting costs almost nothing.
    @Test func blocksKeepTheRatioOfOneStream() throws {
        let data = Self.sample(2_000_000)
        let whole = try Gzip.compress(data).count
        var single = 0
        for start in stride(from: 0, to: data.count, by: Gzip.blockSize) {
            single += try Gzip.compress(data.subdata(in: start..<min(start + Gzip.blockSize, data.count))).count - 18
        }
        // Unprimed blocks (each its own stream) are what priming saves over.
        #expect(whole < single)
    }
}
