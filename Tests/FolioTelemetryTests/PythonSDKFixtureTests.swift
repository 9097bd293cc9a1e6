import FolioModel
import FolioTelemetry
import FolioTestSupport
import Foundation
import Testing

/// Spans written by the real OpenTelemetry Python SDK and its official OTLP encoder
/// (Tests/Fixtures/otel-python/generate.py): hex ids in JSON Lines, base64 ids in one
/// pretty-printed OTLP/HTTP body.
struct PythonSDKFixtureTests {
    static let folder = Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/otel-python")

    func spans(_ file: String) throws -> [GenAISpan] {
        var spans: [GenAISpan] = []
        let summary = try TraceReader().read([Self.folder.appendingPathComponent(file).path]) { record in
            if let span = GenAISpan(record) { spans.append(span) }
        }
        #expect(summary.problems.isEmpty, "\(summary.problems)")
        return spans
    }

    @Test func hexAndBase64IdsReadTheSame() throws {
        let lines = try spans("spans.jsonl"), body = try spans("export-base64.json")
        #expect(lines.count == 7 && body.count == 7)
        #expect(lines.map(\.span.id) == body.map(\.span.id))
        #expect(lines.map(\.span.trace) == body.map(\.span.trace))
        #expect(lines[0].span.trace.hex == "4bf92f3577b34da6a3ce929d0e0e0001")
        #expect(lines[0].span.id.hex == "00f067aa0ba90002")
        // Every attribute reads the same from the hex-id lines and the base64-id body.
        #expect(lines.map(\.span.attributes) == body.map(\.span.attributes))
    }

    @Test func currentConventionsWithStringMessages() throws {
        let span = try spans("spans.jsonl")[1]
        #expect(span.promptName == "support_ticket_triage" && span.promptVersion == "1")
        #expect(span.model == "gpt-4o-2024-08-06" && span.requestModel == "gpt-4o" && span.provider == "openai")
        #expect(span.inputTokens == 121 && span.outputTokens == 1)
        #expect(span.timeToFirstChunk == 0.22)
        #expect(span.systemInstructions.first?.content.hasPrefix("You are a support ticket classifier") == true)
        #expect(span.inputMessages.last?.content == "The billing API returns wrong amounts for annual plans")
        #expect(span.outputText == "billing")
        #expect(span.promptVariables["ticket_text"] == "The billing API returns wrong amounts for annual plans")
        #expect(span.span.events.first?.attributes["gen_ai.evaluation.score.label"] == "fail")
        #expect(span.span.duration == 650_000_000)
        #expect(span.span.resource["service.name"] == "support-app")
    }

    @Test func structuredMessagesAnErrorTraceloopAndLangfuse() throws {
        let all = try spans("export-base64.json")
        let structured = all[3]
        #expect(structured.inputMessages.first?.content == "My card was charged twice")
        #expect(structured.outputText == "billing")
        let error = all[4]
        #expect(error.isError && error.span.statusMessage == "429 Too Many Requests")
        let traceloop = all[5]
        #expect(traceloop.promptName == "support_ticket_triage" && traceloop.promptVersion == "3")
        #expect(traceloop.provider == "Anthropic" && traceloop.inputTokens == 131)
        #expect(traceloop.inputMessages.map(\.role) == ["system", "user"])
        #expect(traceloop.outputText == "technical")
        let langfuse = all[6]
        #expect(langfuse.promptName == "support_ticket_triage" && langfuse.promptVersion == "4")
    }

    @Test func evaluationEventsLabelAccuracy() throws {
        var metrics = SpanMetrics()
        for span in try spans("spans.jsonl") where span.promptVersion == "1" {
            metrics.add(span, expectedLabel: nil, prices: [:])
        }
        #expect(metrics.labelledSpans == 3)
        #expect(abs((metrics.misclassificationRate ?? 0) - 1.0 / 3) < 1e-9)
    }
}
