import Foundation
import Testing
@testable import FolioTelemetry

/// One call written in each dialect reads as the same fields; a Python repr of messages is
/// parsed, never evaluated; the join gives calls their wrapper's prompt and labels.
struct DialectTests {
    static func record(
        _ attributes: [String: AttributeValue], span: String = "00f067aa0ba902b7", parent: String? = nil,
        trace: String = "4bf92f3577b34da6a3ce929d0e0e4736", events: [SpanEvent] = []
    ) -> SpanRecord {
        SpanRecord(
            traceID: trace, spanID: span, parentSpanID: parent, name: "chat", startNanoseconds: 1_000_000_000, endNanoseconds: 1_650_000_000,
            status: .unset, statusMessage: nil, attributes: attributes, resource: [:], events: events, file: "test", line: 1)
    }

    static let messagesJSON = #"[{"role": "system", "content": "Classify."}, {"role": "user", "content": "I need a refund"}]"#

    /// The same call in every dialect the table knows.
    static let dialects: [(name: String, attributes: [String: AttributeValue])] = [
        (
            "GenAI conventions, current",
            [
                "gen_ai.operation.name": .string("chat"), "gen_ai.provider.name": .string("openai"), "gen_ai.request.model": .string("gpt-4o"),
                "gen_ai.usage.input_tokens": .int(30), "gen_ai.usage.output_tokens": .int(1),
                "gen_ai.system_instructions": .string(#"[{"type": "text", "content": "Classify."}]"#),
                "gen_ai.input.messages": .string(#"[{"role": "user", "parts": [{"type": "text", "content": "I need a refund"}]}]"#),
                "gen_ai.output.messages": .string(#"[{"role": "assistant", "parts": [{"type": "text", "content": "billing"}], "finish_reason": "stop"}]"#),
                "gen_ai.prompt.name": .string("triage"), "gen_ai.prompt.version": .string("2"), "gen_ai.prompt.variable.ticket_text": .string("I need a refund"),
            ]
        ),
        (
            "GenAI conventions, earlier",
            [
                "gen_ai.system": .string("openai"), "gen_ai.request.model": .string("gpt-4o"),
                "gen_ai.usage.prompt_tokens": .int(30), "gen_ai.usage.completion_tokens": .int(1),
                "gen_ai.prompt.0.role": .string("system"), "gen_ai.prompt.0.content": .string("Classify."),
                "gen_ai.prompt.1.role": .string("user"), "gen_ai.prompt.1.content": .string("I need a refund"),
                "gen_ai.completion.0.role": .string("assistant"), "gen_ai.completion.0.content": .string("billing"),
                "gen_ai.prompt.name": .string("triage"), "gen_ai.prompt.version": .string("2"), "gen_ai.prompt.variable.ticket_text": .string("I need a refund"),
            ]
        ),
        (
            "OpenLLMetry",
            [
                "llm.request.type": .string("chat"), "gen_ai.system": .string("openai"), "llm.request.model": .string("gpt-4o"),
                "llm.usage.prompt_tokens": .int(30), "llm.usage.completion_tokens": .int(1), "llm.usage.total_tokens": .int(31),
                "gen_ai.prompt.0.role": .string("system"), "gen_ai.prompt.0.content": .string("Classify."),
                "gen_ai.prompt.1.role": .string("user"), "gen_ai.prompt.1.content": .string("I need a refund"),
                "gen_ai.completion.0.role": .string("assistant"), "gen_ai.completion.0.content": .string("billing"),
                "traceloop.prompt.key": .string("triage"), "traceloop.prompt.version": .int(2),
                "traceloop.prompt.template_variables.ticket_text": .string("I need a refund"),
            ]
        ),
        (
            "OpenInference",
            [
                "openinference.span.kind": .string("LLM"), "llm.provider": .string("openai"), "llm.model_name": .string("gpt-4o"),
                "llm.token_count.prompt": .int(30), "llm.token_count.completion": .int(1),
                "llm.input_messages.0.message.role": .string("system"), "llm.input_messages.0.message.content": .string("Classify."),
                "llm.input_messages.1.message.role": .string("user"), "llm.input_messages.1.message.content": .string("I need a refund"),
                "llm.output_messages.0.message.role": .string("assistant"), "llm.output_messages.0.message.content": .string("billing"),
                "llm.prompt_template.version": .string("2"), "llm.prompt_template.variables": .string(#"{"ticket_text": "I need a refund"}"#),
                "gen_ai.prompt.name": .string("triage"),
            ]
        ),
        (
            "OpenInference, raw request and response",
            [
                "openinference.span.kind": .string("LLM"), "llm.system": .string("openai"), "llm.model_name": .string("gpt-4o"),
                "llm.token_count.prompt": .int(30), "llm.token_count.completion": .int(1),
                "input.value": .string(#"{"model": "gpt-4o", "messages": \#(messagesJSON)}"#),
                "output.value": .string(#"{"id": "x", "choices": [{"index": 0, "message": {"role": "assistant", "content": "billing"}}]}"#),
                "gen_ai.prompt.name": .string("triage"), "gen_ai.prompt.version": .string("2"),
                "llm.prompt_template.variables": .string(#"{"ticket_text": "I need a refund"}"#),
            ]
        ),
        (
            "Langfuse",
            [
                "langfuse.observation.type": .string("generation"), "gen_ai.system": .string("openai"), "langfuse.observation.model.name": .string("gpt-4o"),
                "langfuse.observation.usage_details": .string(#"{"input": 30, "output": 1}"#),
                "langfuse.observation.input": .string(messagesJSON),
                "langfuse.observation.output": .string(#"{"role": "assistant", "content": "billing"}"#),
                "langfuse.observation.prompt.name": .string("triage"), "langfuse.observation.prompt.version": .int(2),
                "gen_ai.prompt.variable.ticket_text": .string("I need a refund"),
            ]
        ),
        (
            "The seed: a Python repr and a bare output",
            [
                "gen_ai.system": .string("openai"), "gen_ai.request.model": .string("gpt-4o"),
                "gen_ai.usage.input_tokens": .int(30), "gen_ai.usage.output_tokens": .int(1),
                "gen_ai.input.messages": .string("[{'role': 'system', 'content': 'Classify.'}, {'role': 'user', 'content': 'I need a refund'}]"),
                "gen_ai.output.messages": .string("billing"),
                "gen_ai.prompt.name": .string("triage"), "gen_ai.prompt.version": .string("2"), "gen_ai.prompt.variable.ticket_text": .string("I need a refund"),
            ]
        ),
    ]

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
        let span = Self.record(["gen_ai.operation.name": .string("chat"), "gen_ai.system": .string("openai"), "gen_ai.request.model": .string("gpt-4o")])
        let events = [
            ContentEvent(name: "gen_ai.system.message", time: 1, body: .kvlist(["content": .string("Classify.")]), attributes: [:]),
            ContentEvent(name: "gen_ai.user.message", time: 2, body: .kvlist(["content": .string("I need a refund")]), attributes: [:]),
            ContentEvent(name: "gen_ai.choice", time: 3, body: .kvlist(["index": .int(0), "message": .kvlist(["role": .string("assistant"), "content": .string("billing")])]), attributes: [:]),
        ]
        let joined = try #require(GenAISpan(span, contentEvents: events))
        #expect(joined.systemInstructions == [SpanMessage(role: "system", content: "Classify.")])
        #expect(joined.inputMessages == [SpanMessage(role: "user", content: "I need a refund")])
        #expect(joined.outputText == "billing")
        // The newer single event carries the same attributes a span would.
        let details = ContentEvent(
            name: "gen_ai.client.inference.operation.details", time: 1, body: nil,
            attributes: [
                "gen_ai.input.messages": .string(#"[{"role": "user", "parts": [{"type": "text", "content": "hi"}]}]"#),
                "gen_ai.output.messages": .string(#"[{"role": "assistant", "parts": [{"type": "text", "content": "general"}]}]"#),
            ])
        let newer = try #require(GenAISpan(span, contentEvents: [details]))
        #expect(newer.inputMessages == [SpanMessage(role: "user", content: "hi")])
        #expect(newer.outputText == "general")
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
        let span = try #require(GenAISpan(Self.record(["gen_ai.request.model": .string("m"), "gen_ai.input.messages": .string("[not a list")])))
        #expect(span.inputMessages == [SpanMessage(role: "user", content: "[not a list")])
    }

    @Test func aWrapperIsNotACallAndACallInheritsFromItsNearestAncestor() throws {
        // grandparent (prompt v1, label) → parent (label only) → call; a second call under a
        // wrapper that names v2; a third call that names its own prompt; read children first.
        let trace = "4bf92f3577b34da6a3ce929d0e0e4736"
        let grandparent = Self.record(["gen_ai.prompt.name": .string("triage"), "gen_ai.prompt.version": .string("1"), "app.expected": .string("billing")], span: "0000000000000001")
        let parent = Self.record(["app.expected": .string("technical"), "http.route": .string("/triage")], span: "0000000000000002", parent: "0000000000000001")
        let call = Self.record(["gen_ai.request.model": .string("gpt-4o"), "gen_ai.output.messages": .string("technical")], span: "0000000000000003", parent: "0000000000000002")
        let otherTrace = "00000000000000000000000000000abc"
        let wrapper2 = Self.record(["gen_ai.prompt.name": .string("triage"), "gen_ai.prompt.version": .string("2")], span: "0000000000000001", trace: otherTrace)
        let call2 = Self.record(["gen_ai.operation.name": .string("chat")], span: "0000000000000009", parent: "0000000000000001", trace: otherTrace)
        let own = Self.record(
            ["gen_ai.request.model": .string("m"), "gen_ai.prompt.name": .string("summary"), "gen_ai.prompt.version": .string("5")],
            span: "0000000000000004", parent: "0000000000000002")
        var join = TraceJoin(inherited: ["app.expected"]) { span in span.record.spanID }
        for record in [call, own, call2, parent, wrapper2, grandparent] { join.add(record) }  // children first, across traces
        let calls = join.finish()
        #expect(calls.map(\.payload) == ["0000000000000003", "0000000000000004", "0000000000000009"])
        #expect(calls.map(\.promptName) == ["triage", "summary", "triage"])
        #expect(calls.map(\.promptVersion) == ["1", "5", "2"])
        // The nearest ancestor with the label is the parent, not the grandparent.
        #expect(calls.map { $0.attributes["app.expected"]?.text } == ["technical", "technical", nil])
        #expect(trace != otherTrace)
    }

    @Test func aCallSpanAroundAnInstrumentedCallIsCountedOnce() throws {
        // An SDK's `chat` span (identity, model, label) around an instrumentation's span
        // (model, tokens) for the same request: one call, the inner one, with the label.
        let outer = Self.record(
            [
                "gen_ai.operation.name": .string("chat"), "gen_ai.request.model": .string("gpt-4o"),
                "gen_ai.prompt.name": .string("triage"), "gen_ai.prompt.version": .string("4"), "app.expected": .string("billing"),
            ],
            span: "0000000000000001")
        let inner = Self.record(
            ["gen_ai.operation.name": .string("chat"), "gen_ai.request.model": .string("gpt-4o"), "gen_ai.usage.input_tokens": .int(20)],
            span: "0000000000000002", parent: "0000000000000001")
        var join = TraceJoin(inherited: ["app.expected"]) { span in span.record.spanID }
        join.add(inner)
        join.add(outer)
        let calls = join.finish()
        #expect(calls.map(\.payload) == ["0000000000000002"])
        #expect(calls.first?.promptVersion == "4")
        #expect(calls.first?.attributes["app.expected"]?.text == "billing")
    }

    @Test func aResourceAttributeServesWhereTheSpansDoNotHaveIt() throws {
        // `--where service.name=…` picks one app's calls: the key sits on the resource.
        var python = Self.record(["gen_ai.request.model": .string("m")], span: "0000000000000001")
        python.resource = ["service.name": .string("triage-service")]
        var swift = Self.record(["gen_ai.request.model": .string("m"), "service.name": .string("span-wins")], span: "0000000000000002")
        swift.resource = ["service.name": .string("support-app")]
        var join = TraceJoin(inherited: ["service.name"]) { span in span.record.spanID }
        join.add(python)
        join.add(swift)
        #expect(join.finish().map { $0.attributes["service.name"]?.text } == ["triage-service", "span-wins"])
    }

    @Test func logRecordsJoinToTheirCallWhateverTheOrder() throws {
        let call = Self.record(["gen_ai.operation.name": .string("chat"), "gen_ai.request.model": .string("gpt-4o")])
        let choice = LogEntry(
            traceID: call.traceID, spanID: call.spanID, eventName: "gen_ai.choice", time: 5,
            body: .kvlist(["message": .kvlist(["content": .string("billing")])]), attributes: [:], file: "logs", line: 1)
        let unrelated = LogEntry(
            traceID: call.traceID, spanID: "0000000000000999", eventName: "gen_ai.choice", time: 5,
            body: .kvlist(["message": .kvlist(["content": .string("nope")])]), attributes: [:], file: "logs", line: 2)
        for order in [[TelemetryItem.log(choice), .log(unrelated), .span(call)], [.span(call), .log(unrelated), .log(choice)]] {
            var join = TraceJoin(keepEvent: CallSummary.keepsEvent) { CallSummary($0) }
            for item in order { join.add(item) }
            let calls = join.finish()
            #expect(calls.count == 1)
            #expect(calls.first?.payload.output(with: calls.first?.events ?? []) == "billing")
        }
    }
}
