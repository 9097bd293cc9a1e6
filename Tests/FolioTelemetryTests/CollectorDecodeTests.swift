import Foundation
import FolioOTLP
import FolioTestSupport
import Testing
@testable import FolioTelemetry

/// `folio collect` decodes every body with the reader's decoder and limits before it answers
/// (`OTLPExport`): whatever it acknowledges, a reader reads whole, and what it refuses, it
/// refuses before anything is stored.
struct CollectorDecodeTests {
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

    /// What a reader reads from a body stored as the collector stores it.
    static func read(_ body: Data, in folder: URL) throws -> (spans: [Span], problems: Int) {
        let file = folder.appendingPathComponent("spans-\(UUID()).pb")
        var record = Data()
        var length = UInt64(body.count)
        repeat {
            var byte = UInt8(length & 0x7F)
            length >>= 7
            if length != 0 { byte |= 0x80 }
            record.append(byte)
        } while length != 0
        try (record + body).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        var spans: [Span] = []
        let summary = try TraceReader().read([file.path]) { spans.append($0) }
        // A span whose times give no latency is read, with a warning: only skips count here.
        return (spans, summary.problems.filter { !$0.reason.contains("its latency is n/a") }.count)
    }

    @Test func whatIsAcknowledgedIsReadWhole() throws {
        var seeds: [[UInt8]] = []
        for variant in ["seed", "openai-v2", "openllmetry", "openinference"] {
            seeds += try Self.records(Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/instrumentations/\(variant)/traces.pb").path).map { [UInt8]($0) }
        }
        #expect(seeds.count >= 24)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-collect-decode-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var fuzzer = Fuzzer(seed: 0x1D5, tokens: ["\u{0A}", "\u{12}", "\u{1A}", "\u{08}", "\u{00}", "\u{FF}\u{FF}\u{FF}\u{FF}\u{0F}", "\u{0A}\u{03}abc", "\u{C3}\u{28}"])
        var accepted = 0
        var checked = 0
        let outcome = fuzzer.run(3_000, seeds: seeds) { bytes in
            guard let batch = try? OTLPExport.decode(Data(bytes), signal: .traces, encoding: .protobuf) else { return }
            accepted += 1
            guard checked < 300, let (spans, problems) = try? Self.read(batch.body, in: folder) else { return }
            checked += 1
            #expect(problems == 0, "acknowledged, then skipped by the reader: \(bytes)")
            #expect(spans.map(\.id) == batch.items.compactMap { if case .span(let span) = $0 { span.id } else { nil } })
        }
        #expect(accepted > 50 && checked > 50, "\(accepted) accepted")
        #expect(outcome.slowest < .seconds(1))
    }

    /// The adversarial pass's bodies: each is refused whole (400), never acknowledged and
    /// then dropped by the reader.
    @Test func bodiesTheReaderCannotReadAreRefused() throws {
        // A KeyValue nested 100 levels deep in kvlists.
        var value = Opentelemetry_Proto_Common_V1_AnyValue()
        value.stringValue = "leaf"
        for _ in 0..<100 {
            var list = Opentelemetry_Proto_Common_V1_KeyValueList()
            var pair = Opentelemetry_Proto_Common_V1_KeyValue()
            pair.key = "k"
            pair.value = value
            list.values = [pair]
            value = Opentelemetry_Proto_Common_V1_AnyValue()
            value.kvlistValue = list
        }
        var span = Opentelemetry_Proto_Trace_V1_Span()
        span.traceID = Data(repeating: 1, count: 16)
        span.spanID = Data(repeating: 2, count: 8)
        var attribute = Opentelemetry_Proto_Common_V1_KeyValue()
        attribute.key = "deep"
        attribute.value = value
        span.attributes = [attribute]
        var good = Opentelemetry_Proto_Trace_V1_Span()
        good.traceID = Data(repeating: 1, count: 16)
        good.spanID = Data(repeating: 3, count: 8)
        var request = OTLPProtobuf.TraceRequest()
        request.resourceSpans = [.with { $0.scopeSpans = [.with { $0.spans = [good, span] }] }]
        let deep = try Data(request.serializedBytes() as [UInt8])
        #expect(throws: OTLPExport.Malformed.self) { try OTLPExport.decode(deep, signal: .traces, encoding: .protobuf) }
        // JSON with a duplicate key: which one a reader takes is a guess.
        let duplicate = Data(#"{"resourceSpans":[],"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01010101010101010101010101010101","spanId":"0202020202020202"}]}]}]}"#.utf8)
        #expect(throws: OTLPExport.Malformed.self) { try OTLPExport.decode(duplicate, signal: .traces, encoding: .json) }
        // A span refused for its id is not stored: the stored body holds only the good one.
        var bad = good
        bad.spanID = Data([1, 2])
        request.resourceSpans = [.with { $0.scopeSpans = [.with { $0.spans = [good, bad] }] }]
        let batch = try OTLPExport.decode(try Data(request.serializedBytes() as [UInt8]), signal: .traces, encoding: .protobuf)
        #expect(batch.rejected == 1)
        #expect(try OTLPProtobuf.traceRequest(batch.body).resourceSpans[0].scopeSpans[0].spans.count == 1)
        let json = Data(
            #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01010101010101010101010101010101","spanId":"0303030303030303","name":"ok"},{"traceId":"01","spanId":"02"}]}]}]}"#.utf8)
        let jsonBatch = try OTLPExport.decode(json, signal: .traces, encoding: .json)
        #expect(jsonBatch.rejected == 1)
        #expect(String(decoding: jsonBatch.body, as: UTF8.self).contains("0303030303030303") && !String(decoding: jsonBatch.body, as: UTF8.self).contains(#""spanId":"02""#))
    }
}
