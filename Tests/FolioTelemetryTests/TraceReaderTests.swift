import Foundation
import FolioTestSupport
import Testing
@testable import FolioTelemetry

struct TraceReaderTests {
    static let current = TraceFixtures.span(
        attributes: """
            {"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":"120"}},{"key":"gen_ai.usage.output_tokens","value":{"intValue":3}},{"key":"gen_ai.prompt.name","value":{"stringValue":"support_ticket_triage"}},{"key":"gen_ai.prompt.version","value":{"intValue":"1"}},{"key":"gen_ai.input.messages","value":{"stringValue":"[{\\"role\\":\\"user\\",\\"parts\\":[{\\"type\\":\\"text\\",\\"content\\":\\"I need a refund\\"}]}]"}},{"key":"gen_ai.output.messages","value":{"arrayValue":{"values":[{"kvlistValue":{"values":[{"key":"role","value":{"stringValue":"assistant"}},{"key":"parts","value":{"arrayValue":{"values":[{"kvlistValue":{"values":[{"key":"type","value":{"stringValue":"text"}},{"key":"content","value":{"stringValue":"billing"}}]}}]}}}]}}]}}},{"key":"gen_ai.request.temperature","value":{"doubleValue":0.2}},{"key":"gen_ai.response.time_to_first_chunk","value":{"doubleValue":"0.35"}},{"key":"flag","value":{"boolValue":true}},{"key":"raw","value":{"bytesValue":"aGk="}}
            """)

    static let older = TraceFixtures.span(
        trace: "S/kvNXezTaajzpKdDg5HNg==", span: "APBnqgupArc=",
        attributes: """
            {"key":"gen_ai.system","value":{"stringValue":"anthropic"}},{"key":"traceloop.prompt.key","value":{"stringValue":"summary"}},{"key":"traceloop.prompt.version","value":{"stringValue":"3"}},{"key":"gen_ai.prompt.0.role","value":{"stringValue":"system"}},{"key":"gen_ai.prompt.0.content","value":{"stringValue":"Summarise."}},{"key":"gen_ai.prompt.1.role","value":{"stringValue":"user"}},{"key":"gen_ai.prompt.1.content","value":{"stringValue":"Long text"}},{"key":"gen_ai.completion.0.content","value":{"stringValue":"Short."}}
            """, status: "\"status\":{\"code\":2,\"message\":\"rate limited\"},", start: "1790000000000000000")

    static let langfuse = TraceFixtures.span(
        span: "1111111111111111",
        attributes: """
            {"key":"langfuse.observation.prompt.name","value":{"stringValue":"support_ticket_triage"}},{"key":"langfuse.observation.prompt.version","value":{"intValue":2}},{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o-mini"}}
            """)

    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("folio-traces-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func readAll(_ paths: [String]) throws -> ([GenAISpan], TraceReader.Summary) {
        var spans: [GenAISpan] = []
        let summary = try TraceReader().read(paths) { record in
            if let span = GenAISpan(record) { spans.append(span) }
        }
        return (spans, summary)
    }

    @Test func readsEveryValueKindAndBothMessageEncodings() throws {
        let dir = try folder()
        let file = dir.appendingPathComponent("spans.jsonl")
        try (Self.current + "\n" + Self.older + "\n" + Self.langfuse + "\n").write(to: file, atomically: true, encoding: .utf8)
        let (spans, summary) = try readAll([file.path])
        #expect(summary.spans == 3)
        #expect(summary.problems.isEmpty)
        let first = spans[0]
        #expect(first.span.trace.hex == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(first.promptName == "support_ticket_triage")
        #expect(first.promptVersion == "1")
        #expect(first.provider == "openai")
        #expect(first.inputTokens == 120)
        #expect(first.outputTokens == 3)
        #expect(first.timeToFirstChunk == 0.35)
        #expect(first.inputMessages == [SpanMessage(role: "user", content: "I need a refund")])
        #expect(first.outputText == "billing")
        // Values read as the Collector's exporter writes them to ClickHouse (AsString).
        #expect(first.span.attributes["flag"] == "true")
        #expect(first.span.attributes["raw"] == "aGk=")
        #expect(first.span.attributes["gen_ai.request.temperature"] == "0.2")
        #expect(first.span.attributes["gen_ai.output.messages"] == #"[{"parts":[{"content":"billing","type":"text"}],"role":"assistant"}]"#)
        #expect(first.span.duration == 1_500_000_000)
        #expect(first.span.resource["service.name"] == "support-app")

        let second = spans[1]
        #expect(second.span.trace.hex == "4bf92f3577b34da6a3ce929d0e0e4736")  // base64 ids become hex
        #expect(second.span.id.hex == "00f067aa0ba902b7")
        #expect(second.provider == "anthropic")  // gen_ai.system, the older name
        #expect(second.promptName == "summary")
        #expect(second.promptVersion == "3")
        #expect(second.inputMessages == [SpanMessage(role: "system", content: "Summarise."), SpanMessage(role: "user", content: "Long text")])
        #expect(second.outputText == "Short.")
        #expect(second.isError)
        #expect(second.span.statusMessage == "rate limited")

        #expect(spans[2].promptName == "support_ticket_triage")
        #expect(spans[2].promptVersion == "2")
    }

    @Test func aTruncatedAndAGarbageLineAreReportedAndSkipped() throws {
        let dir = try folder()
        let file = dir.appendingPathComponent("spans.jsonl")
        let truncated = String(Self.current.prefix(80))
        try ([Self.current, truncated, "garbage", "{\"other\": 1}", Self.langfuse].joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let (spans, summary) = try readAll([file.path])
        #expect(spans.count == 2)
        #expect(
            summary.problems.map(\.description) == [
                "\(file.path):2: not valid JSON; the line was skipped",
                "\(file.path):3: not valid JSON; the line was skipped",
                "\(file.path):4: no resourceSpans or resourceLogs array: not OTLP trace or log data",
            ])
    }

    @Test func readsPrettyPrintedGzipAndFolders() throws {
        let dir = try folder()
        let object = try JSONSerialization.jsonObject(with: Data(Self.current.utf8))
        let pretty = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted])
        try pretty.write(to: dir.appendingPathComponent("body.json"))
        try (Self.older + "\n" + Self.langfuse + "\n").write(to: dir.appendingPathComponent("more.jsonl"), atomically: true, encoding: .utf8)
        _ = try Command.run("/bin/gzip", ["-k", dir.appendingPathComponent("more.jsonl").path])
        try FileManager.default.removeItem(at: dir.appendingPathComponent("more.jsonl"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("more.jsonl.gz").path))
        let (spans, summary) = try readAll([dir.path])
        #expect(summary.files == 2)
        #expect(summary.problems.isEmpty, "\(summary.problems)")
        #expect(spans.map(\.promptName) == ["support_ticket_triage", "summary", "support_ticket_triage"])
    }

    @Test func aLargeGzipFileStreams() throws {
        let dir = try folder()
        let file = dir.appendingPathComponent("big.jsonl")
        let handle = try FileHandle(
            forWritingTo: {
                FileManager.default.createFile(atPath: file.path, contents: nil)
                return file
            }())
        for index in 0..<20_000 {
            handle.write(Data((TraceFixtures.span(span: String(format: "%016x", index + 1), attributes: "{\"key\":\"gen_ai.request.model\",\"value\":{\"stringValue\":\"m\"}}") + "\n").utf8))
        }
        try handle.close()
        _ = try Command.run("/bin/gzip", [file.path])
        var count = 0
        let summary = try TraceReader().read([file.path + ".gz"]) { (_: Span) in count += 1 }
        #expect(count == 20_000)
        #expect(summary.problems.isEmpty)
    }
    /// Lines after the first are parsed a batch ahead on a thread of their own: across
    /// many batches, spans still arrive in file order and every problem (blank, invalid,
    /// not OTLP, oversized, the oversized last line) is reported at its line, in order.
    @Test func linesParsedAheadArriveInFileOrderWithTheirProblems() throws {
        let dir = try folder()
        let file = dir.appendingPathComponent("mixed.jsonl")
        var lines: [String] = []
        var expectedSpans: [String] = []
        var expectedProblems: [String] = []
        // Longer than a read (1 MiB) and than the limit, so never held whole.
        let oversized = "{\"resourceSpans\": [" + String(repeating: " ", count: 5 << 19) + "]}"
        for index in 0..<(ParsedLines.batchLines * 5 + 17) {
            let number = lines.count + 1
            switch index % 11 {
            case 3: lines.append("")
            case 5,
                10 where index % 396 == 10:
                lines.append("{\"truncated\": ")
                expectedProblems.append("\(file.path):\(number): not valid JSON; the line was skipped")
            case 7:
                lines.append("{\"other\": \(index)}")
                expectedProblems.append("\(file.path):\(number): no resourceSpans or resourceLogs array: not OTLP trace or log data")
            case 9 where index % 396 == 9:
                lines.append(oversized)
                expectedProblems.append("\(file.path):\(number): the line is longer than 1 MiB and was skipped (raise --max-line-mb to read it)")
            default:
                let id = String(format: "%016x", index + 1)
                lines.append(TraceFixtures.span(span: id, attributes: "{\"key\":\"gen_ai.request.model\",\"value\":{\"stringValue\":\"m\"}}"))
                expectedSpans.append(id)
            }
        }
        lines.append(oversized)
        expectedProblems.append("\(file.path):\(lines.count): the line is longer than 1 MiB and was skipped (raise --max-line-mb to read it)")
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        var spans: [String] = []
        let summary = try TraceReader(maxLineBytes: 1 << 20).read([file.path]) { (span: Span) in spans.append(span.id.hex) }
        #expect(spans == expectedSpans)
        #expect(summary.spans == expectedSpans.count)
        #expect(summary.problems.map(\.description) == expectedProblems)

        // A reader that stops early (its caller threw) ends the parsing thread with it.
        struct Enough: Error {}
        var taken = 0
        #expect(throws: Enough.self) {
            try TraceReader(maxLineBytes: 1 << 20).read([file.path]) { (_: Span) in
                taken += 1
                if taken == ParsedLines.batchLines + 3 { throw Enough() }
            }
        }
        #expect(taken == ParsedLines.batchLines + 3)
    }
}
