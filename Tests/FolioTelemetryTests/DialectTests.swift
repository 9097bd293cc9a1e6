import FolioTestSupport
import Foundation
import Testing
@testable import FolioTelemetry

/// One call written in each dialect reads as the same fields; a Python repr of messages is
/// parsed, never evaluated; the join gives calls their wrapper's prompt and labels.
struct DialectTests {
    static func record(
        _ attributes: [String: String], span: String = "00f067aa0ba902b7", parent: String? = nil,
        trace: String = "4bf92f3577b34da6a3ce929d0e0e4736", events: [SpanEvent] = []
    ) -> Span {
        Span(
            trace: TraceID(hex: trace)!, id: SpanID(hex: span)!, parent: parent.flatMap { SpanID(hex: $0) }, name: "chat", start: 1_000_000_000,
            duration: 650_000_000, attributes: attributes, events: events, origin: Origin(file: "test", line: 1))
    }

    static let dialects = TraceFixtures.dialects

    @Test(arguments: dialects.map(\.name))
    func everyDialectReadsAsTheSameCall(_ name: String) throws {
        let attributes = try #require(Self.dialects.first { $0.name == name }?.attributes)
        let span = try #require(GenAISpan(Self.record(attributes)))
        #expect(span.isCall)
        #expect(span.provider == "openai")
        #expect(span.model == "gpt-4o")
        #expect(span.inputTokens == 30)
        #expect(span.outputTokens == 1)
        #expect(span.promptName == "triage")
        #expect(span.promptVersion == "2")
        #expect(span.promptVariables == ["ticket_text": "I need a refund"])
        #expect(span.systemInstructions + span.inputMessages == [SpanMessage(role: "system", content: "Classify."), SpanMessage(role: "user", content: "I need a refund")])
        #expect(span.outputText == "billing")
        #expect(span.latencyMs == 650)
    }

    @Test func contentInLogRecordsIsJoinedToItsSpan() throws {
        let span = Self.record(["gen_ai.operation.name": "chat", "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o"])
        let events = [
            ContentEvent(name: "gen_ai.system.message", time: 1, body: #"{"content":"Classify."}"#, attributes: [:]),
            ContentEvent(name: "gen_ai.user.message", time: 2, body: #"{"content":"I need a refund"}"#, attributes: [:]),
            ContentEvent(name: "gen_ai.choice", time: 3, body: #"{"index":0,"message":{"content":"billing","role":"assistant"}}"#, attributes: [:]),
        ]
        let joined = try #require(GenAISpan(span, contentEvents: events))
        #expect(joined.systemInstructions == [SpanMessage(role: "system", content: "Classify.")])
        #expect(joined.inputMessages == [SpanMessage(role: "user", content: "I need a refund")])
        #expect(joined.outputText == "billing")
        // The newer single event carries the same attributes a span would.
        let details = ContentEvent(
            name: "gen_ai.client.inference.operation.details", time: 1, body: nil,
            attributes: [
                "gen_ai.input.messages": #"[{"role": "user", "parts": [{"type": "text", "content": "hi"}]}]"#,
                "gen_ai.output.messages": #"[{"role": "assistant", "parts": [{"type": "text", "content": "general"}]}]"#,
            ])
        let newer = try #require(GenAISpan(span, contentEvents: [details]))
        #expect(newer.inputMessages == [SpanMessage(role: "user", content: "hi")])
        #expect(newer.outputText == "general")
    }

    /// The trim that skips Foundation when nothing is to be trimmed trims as Foundation does.
    @Test func messageTextIsTrimmedAsFoundationTrimsIt() {
        let ends = ["", " ", "\t", "\n", "\r\n", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{2028}", "\u{2029}", "\u{3000}", "\u{200B}", "\u{FEFF}", "x"]
        for head in ends {
            for tail in ends {
                for body in ["", #"[{"content": "billing"}]"#, "billing", "é"] {
                    let text = head + body + tail
                    #expect(Messages.trimmedText(text) == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.unicodeScalars.map { $0.value })")
                }
            }
        }
    }

    @Test func pythonReprsAreParsedNeverEvaluated() throws {
        let parsed = try PythonLiteral.parse(#"[{'role': 'user', 'content': "it's \"fine\"\n", 'n': 1, 'x': -2.5, 'ok': True, 'no': None, 't': (1, 2,)}]"#)
        #expect(
            parsed
                == .array([
                    .object([
                        ("role", .string("user")), ("content", .string("it's \"fine\"\n")), ("n", .int(1)), ("x", .double(-2.5)),
                        ("ok", .bool(true)), ("no", .null), ("t", .array([.int(1), .int(2)])),
                    ])
                ]))
        #expect(try PythonLiteral.parse(#"'caf\xe9 \u20ac \U0001F600'"#) == .string("café € 😀"))
        for hostile in ["__import__('os').system('x')", "[open('/etc/passwd')]", "{'a': exec}", "[1, 2", "'unterminated", String(repeating: "[", count: 100) + String(repeating: "]", count: 100)] {
            #expect(throws: PythonLiteral.SyntaxError.self, "\(hostile)") { try PythonLiteral.parse(hostile) }
        }
        // A repr that does not parse stays one message of text, as the app wrote it.
        let span = try #require(GenAISpan(Self.record(["gen_ai.request.model": "m", "gen_ai.input.messages": "[not a list"])))
        #expect(span.inputMessages == [SpanMessage(role: "user", content: "[not a list")])
    }

    @Test func aWrapperIsNotACallAndACallInheritsFromItsNearestAncestor() throws {
        // grandparent (prompt v1, label) → parent (label only) → call; a second call under a
        // wrapper that names v2; a third call that names its own prompt; read children first.
        let trace = "4bf92f3577b34da6a3ce929d0e0e4736"
        let grandparent = Self.record(["gen_ai.prompt.name": "triage", "gen_ai.prompt.version": "1", "app.expected": "billing"], span: "0000000000000001")
        let parent = Self.record(["app.expected": "technical", "http.route": "/triage"], span: "0000000000000002", parent: "0000000000000001")
        let call = Self.record(["gen_ai.request.model": "gpt-4o", "gen_ai.output.messages": "technical"], span: "0000000000000003", parent: "0000000000000002")
        let otherTrace = "00000000000000000000000000000abc"
        let wrapper2 = Self.record(["gen_ai.prompt.name": "triage", "gen_ai.prompt.version": "2"], span: "0000000000000001", trace: otherTrace)
        let call2 = Self.record(["gen_ai.operation.name": "chat"], span: "0000000000000009", parent: "0000000000000001", trace: otherTrace)
        let own = Self.record(
            ["gen_ai.request.model": "m", "gen_ai.prompt.name": "summary", "gen_ai.prompt.version": "5"],
            span: "0000000000000004", parent: "0000000000000002")
        var join = TraceJoin(inherited: ["app.expected"]) { span in span.span.id.hex }
        for record in [call, own, call2, parent, wrapper2, grandparent] { join.add(record) }  // children first, across traces
        let calls = join.finish()
        #expect(calls.map(\.payload) == ["0000000000000003", "0000000000000004", "0000000000000009"])
        #expect(calls.map(\.promptName) == ["triage", "summary", "triage"])
        #expect(calls.map(\.promptVersion) == ["1", "5", "2"])
        // The nearest ancestor with the label is the parent, not the grandparent.
        #expect(calls.map { $0.attributes["app.expected"] } == ["technical", "technical", nil])
        #expect(trace != otherTrace)
    }

    @Test func aCallSpanAroundAnInstrumentedCallIsCountedOnce() throws {
        // An SDK's `chat` span (identity, model, label) around an instrumentation's span
        // (model, tokens) for the same request: one call, the inner one, with the label.
        let outer = Self.record(
            [
                "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o",
                "gen_ai.prompt.name": "triage", "gen_ai.prompt.version": "4", "app.expected": "billing",
            ],
            span: "0000000000000001")
        let inner = Self.record(
            ["gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": "20"],
            span: "0000000000000002", parent: "0000000000000001")
        var join = TraceJoin(inherited: ["app.expected"]) { span in span.span.id.hex }
        join.add(inner)
        join.add(outer)
        let calls = join.finish()
        #expect(calls.map(\.payload) == ["0000000000000002"])
        #expect(calls.first?.promptVersion == "4")
        #expect(calls.first?.attributes["app.expected"] == "billing")
    }

    @Test func aResourceAttributeServesWhereTheSpansDoNotHaveIt() throws {
        // `--where service.name=…` picks one app's calls: the key sits on the resource.
        var python = Self.record(["gen_ai.request.model": "m"], span: "0000000000000001")
        python.resource = ["service.name": "triage-service"]
        var swift = Self.record(["gen_ai.request.model": "m", "service.name": "span-wins"], span: "0000000000000002")
        swift.resource = ["service.name": "support-app"]
        var join = TraceJoin(inherited: ["service.name"]) { span in span.span.id.hex }
        join.add(python)
        join.add(swift)
        #expect(join.finish().map { $0.attributes["service.name"] } == ["triage-service", "span-wins"])
    }

    @Test func logRecordsJoinToTheirCallWhateverTheOrder() throws {
        let call = Self.record(["gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o"])
        let choice = LogRecord(
            trace: call.trace, span: call.id, time: 5, eventName: "gen_ai.choice", body: #"{"message":{"content":"billing"}}"#, attributes: [:],
            origin: Origin(file: "logs", line: 1))
        let unrelated = LogRecord(
            trace: call.trace, span: SpanID(hex: "0000000000000999"), time: 5, eventName: "gen_ai.choice", body: #"{"message":{"content":"nope"}}"#,
            attributes: [:], origin: Origin(file: "logs", line: 2))
        for order in [[TelemetryItem.log(choice), .log(unrelated), .span(call)], [.span(call), .log(unrelated), .log(choice)]] {
            var join = TraceJoin(keepEvent: CallSummary.keepsEvent) { CallSummary($0) }
            for item in order { join.add(item) }
            let calls = join.finish()
            #expect(calls.count == 1)
            #expect(calls.first?.payload.output(with: calls.first?.events ?? []) == "billing")
        }
    }
}
