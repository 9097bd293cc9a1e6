import Foundation
import FolioTestSupport
import Testing
@testable import FolioTelemetry

/// Trace files a hostile or broken producer writes: times that overflow, lines past the
/// limit (plain and gzip), byte-order marks; and a report with many groups.
struct HostileTraceTests {
    func file(_ name: String, _ data: Data) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-hostile-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    func gzip(_ data: Data) throws -> Data {
        let input = try file("input", data)
        let result = try Command.run("/bin/sh", ["-c", "gzip -c \(input) > \(input).gz"])
        guard result.status == 0 else { throw CommandFailure(command: "gzip", result: result) }
        return try Data(contentsOf: URL(fileURLWithPath: input + ".gz"))
    }

    static func line(span: String, start: String, end: String, attributes: String = #"{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}}"#) -> String {
        #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"\#(span)","name":"chat","startTimeUnixNano":"\#(start)","endTimeUnixNano":"\#(end)","attributes":[\#(attributes)]}]}]}]}"#
    }

    @Test func timesThatOverflowGiveNoLatencyAndAWarning() throws {
        let path = try file(
            "spans.jsonl",
            Data(
                [
                    Self.line(span: "00f067aa0ba902b7", start: "1", end: "99999999999999999999999999"),
                    Self.line(span: "00f067aa0ba902b8", start: "2000000000", end: "1000000000"),
                    Self.line(span: "00f067aa0ba902b9", start: "1000000000", end: "1500000000"),
                ].joined(separator: "\n").utf8))
        var spans: [Span] = []
        let summary = try TraceReader().read([path]) { spans.append($0) }
        #expect(spans.map { $0.duration } == [nil, nil, 500_000_000])
        #expect(
            summary.problems.map(\.description) == [
                "\(path):1: span 00f067aa0ba902b7 has a start or end time that is missing, not a 64-bit count of nanoseconds, or in the wrong order: its latency is n/a",
                "\(path):2: span 00f067aa0ba902b8 has a start or end time that is missing, not a 64-bit count of nanoseconds, or in the wrong order: its latency is n/a",
            ])
        var metrics = SpanMetrics()
        for span in spans { metrics.add(GenAISpan(span)!, expectedLabel: nil, prices: [:]) }
        #expect(metrics.spans == 3)
        #expect(metrics.latencyP95 == 500)
    }

    @Test func aLineOverTheLimitIsSkippedWithAWarningAndTheNextIsRead() throws {
        let long = #"{"resourceSpans":[],"padding":""# + String(repeating: "x", count: 3 << 20) + #""}"#
        let text = [Self.line(span: "00f067aa0ba902b7", start: "1", end: "2"), long, Self.line(span: "00f067aa0ba902b8", start: "1", end: "2")].joined(separator: "\n")
        for (name, data) in [("plain.jsonl", Data(text.utf8)), ("packed.jsonl.gz", try gzip(Data(text.utf8)))] {
            let path = try file(name, data)
            var ids: [String] = []
            let summary = try TraceReader(maxLineBytes: 1 << 20).read([path]) { ids.append($0.id.hex) }
            #expect(ids == ["00f067aa0ba902b7", "00f067aa0ba902b8"], "\(name)")
            #expect(summary.problems.map(\.description) == ["\(path):2: the line is longer than 1 MiB and was skipped (raise --max-line-mb to read it)"])
        }
    }

    @Test func aGzipBombIsReadAChunkAtATime() throws {
        // 256 MiB of one line, a few hundred kilobytes compressed: skipped without holding it.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bomb-\(UUID()).jsonl.gz").path
        let result = try Command.run(
            "/bin/sh", ["-c", "head -c 268435456 /dev/zero | tr '\\0' 'x' | gzip -1 > \(path); printf '\\n%s\\n' '\(Self.line(span: "00f067aa0ba902b7", start: "1", end: "2"))' | gzip >> \(path)"])
        #expect(result.status == 0, "\(result.stderr)")
        var ids: [String] = []
        let summary = try TraceReader(maxLineBytes: 4 << 20).read([path]) { ids.append($0.id.hex) }
        #expect(ids == ["00f067aa0ba902b7"])
        #expect(summary.problems.first?.description == "\(path):1: the line is longer than 4 MiB and was skipped (raise --max-line-mb to read it)")
    }

    @Test func linesAcrossChunksAndByteOrderMarksAreRead() throws {
        // Lines that straddle the 1 MiB read chunks, and a line that starts with a BOM.
        var lines: [String] = []
        for index in 0..<40 {
            let padding = String(repeating: "y", count: 70_000 + index * 1_000)
            lines.append(
                Self.line(
                    span: String(format: "%016x", index + 1), start: "1", end: "2",
                    attributes: #"{"key":"pad","value":{"stringValue":"\#(padding)"}}"#))
        }
        let path = try file("chunks.jsonl", Data([0xEF, 0xBB, 0xBF]) + Data(lines.joined(separator: "\n").utf8))
        var count = 0
        let summary = try TraceReader().read([path]) { (_: Span) in count += 1 }
        #expect(count == 40)
        #expect(summary.problems.isEmpty, "\(summary.problems)")
    }

    @Test func aReportWithManyGroupsIsLinear() throws {
        var report = TraceReport()
        let record = Span(
            trace: TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!, id: SpanID(hex: "00f067aa0ba902b7")!, parent: nil, name: "chat",
            start: 1_700_000_000_000_000_000, duration: 500_000_000, status: .ok, attributes: ["gen_ai.request.model": "gpt-4o"], origin: Origin(file: "-", line: 1))
        let span = try #require(GenAISpan(record))
        for group in 0..<25_000 { report.add(span, to: "prompt-\(group) 1", expectedLabel: nil, prices: [:]) }
        let clock = ContinuousClock()
        let start = clock.now
        let json = report.json()
        let elapsed = clock.now - start
        #expect(json.count == 25_000)
        #expect(elapsed < .seconds(10), "\(elapsed)")
    }
}
