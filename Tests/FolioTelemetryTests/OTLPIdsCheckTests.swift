import Foundation
import FolioOTLP
import FolioTestSupport
import SwiftProtobuf
import Testing
@testable import FolioTelemetry

/// `folio collect` checks trace bodies by decoding only the span ids (`Folio_Otlp_TraceIds`);
/// it must agree with the full decode on every body the full decode accepts, and be no
/// stricter. (It is looser in one way: strings in skipped fields are not checked for
/// UTF-8; such a record is skipped with a warning when read.)
struct OTLPIdsCheckTests {
    /// The varint-delimited records of a fixture file.
    static func records(_ path: String) throws -> [Data] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var records: [Data] = []
        var index = data.startIndex
        while index < data.endIndex {
            var length = 0
            var shift = 0
            while true {
                let byte = data[index]
                index += 1
                length |= Int(byte & 0x7F) << shift
                shift += 7
                if byte & 0x80 == 0 { break }
            }
            records.append(data[index..<(index + length)])
            index += length
        }
        return records
    }

    @Test func theIdsCheckAgreesWithTheFullDecode() throws {
        var seeds: [[UInt8]] = []
        for variant in ["seed", "openai-v2", "openllmetry", "openinference"] {
            seeds += try Self.records(Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/instrumentations/\(variant)/traces.pb").path).map { [UInt8]($0) }
        }
        #expect(seeds.count >= 24)
        var fuzzer = Fuzzer(seed: 0x1D5, tokens: ["\u{0A}", "\u{12}", "\u{1A}", "\u{08}", "\u{00}", "\u{FF}\u{FF}\u{FF}\u{FF}\u{0F}", "\u{0A}\u{03}abc"])
        var accepted = 0
        let outcome = fuzzer.run(4_000, seeds: seeds) { bytes in
            let body = Data(bytes)
            let full = try? OTLPProtobuf.traceRequest(body)
            let ids = try? OTLPProtobuf.rejectedSpans(inTraceExport: body)
            if let full {
                accepted += 1
                #expect(ids == OTLPProtobuf.spans(in: full, file: "", line: 0).rejected, "\(bytes)")
            }
        }
        for seed in seeds {
            let full = try OTLPProtobuf.traceRequest(Data(seed))
            #expect(try OTLPProtobuf.rejectedSpans(inTraceExport: Data(seed)) == OTLPProtobuf.spans(in: full, file: "", line: 0).rejected)
        }
        #expect(accepted > 100)
        #expect(outcome.slowest < .seconds(1))
    }
}
