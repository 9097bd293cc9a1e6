import Foundation

/// OTLP JSON lines for trace tests.
public enum TraceFixtures {
    public static func span(
        trace: String = "4bf92f3577b34da6a3ce929d0e0e4736", span: String = "00f067aa0ba902b7", attributes: String, status: String = "", start: String = "\"1790000000000000000\"",
        end: String = "\"1790000001500000000\""
    ) -> String {
        """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"support-app"}}]},"scopeSpans":[{"scope":{"name":"folio"},"spans":[{"traceId":"\(trace)","spanId":"\(span)","name":"chat gpt-4o","kind":3,"startTimeUnixNano":\(start),"endTimeUnixNano":\(end),\(status)"attributes":[\(attributes)]}]}]}]}
        """
    }

    /// A triage span of a prompt version with the given output.
    /// `day` shifts the span by whole days (for daily buckets).
    public static func triage(span: String, version: Int, ticket: String, output: String, model: String = "gpt-4o", expected: String? = nil, day: Int = 0) -> String {
        let label = expected.map { ",{\"key\":\"app.expected_team\",\"value\":{\"stringValue\":\"\($0)\"}}" } ?? ""
        let input = "[{\\\"role\\\":\\\"user\\\",\\\"parts\\\":[{\\\"type\\\":\\\"text\\\",\\\"content\\\":\\\"\(ticket)\\\"}]}]"
        let outputJSON = "[{\\\"role\\\":\\\"assistant\\\",\\\"parts\\\":[{\\\"type\\\":\\\"text\\\",\\\"content\\\":\\\"\(output)\\\"}]}]"
        let start = Int64(1_790_000_000) + Int64(day) * 86_400
        return Self.span(
            span: span,
            attributes: """
                {"key":"gen_ai.request.model","value":{"stringValue":"\(model)"}},{"key":"gen_ai.prompt.name","value":{"stringValue":"support_ticket_triage"}},{"key":"gen_ai.prompt.version","value":{"intValue":"\(version)"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":"100"}},{"key":"gen_ai.usage.output_tokens","value":{"intValue":"1"}},{"key":"gen_ai.input.messages","value":{"stringValue":"\(input)"}},{"key":"gen_ai.output.messages","value":{"stringValue":"\(outputJSON)"}}\(label)
                """, start: "\"\(start)000000000\"", end: "\"\(start)500000000\"")
    }

    public static let messagesJSON = #"[{"role": "system", "content": "Classify."}, {"role": "user", "content": "I need a refund"}]"#

    /// The same call in every dialect the table knows.
    public static let dialects: [(name: String, attributes: [String: String])] = [
        (
            "GenAI conventions, current",
            [
                "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
                "gen_ai.usage.input_tokens": "30", "gen_ai.usage.output_tokens": "1",
                "gen_ai.system_instructions": #"[{"type": "text", "content": "Classify."}]"#,
                "gen_ai.input.messages": #"[{"role": "user", "parts": [{"type": "text", "content": "I need a refund"}]}]"#,
                "gen_ai.output.messages": #"[{"role": "assistant", "parts": [{"type": "text", "content": "billing"}], "finish_reason": "stop"}]"#,
                "gen_ai.prompt.name": "triage", "gen_ai.prompt.version": "2", "gen_ai.prompt.variable.ticket_text": "I need a refund",
            ]
        ),
        (
            "GenAI conventions, earlier",
            [
                "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o",
                "gen_ai.usage.prompt_tokens": "30", "gen_ai.usage.completion_tokens": "1",
                "gen_ai.prompt.0.role": "system", "gen_ai.prompt.0.content": "Classify.",
                "gen_ai.prompt.1.role": "user", "gen_ai.prompt.1.content": "I need a refund",
                "gen_ai.completion.0.role": "assistant", "gen_ai.completion.0.content": "billing",
                "gen_ai.prompt.name": "triage", "gen_ai.prompt.version": "2", "gen_ai.prompt.variable.ticket_text": "I need a refund",
            ]
        ),
        (
            "OpenLLMetry",
            [
                "llm.request.type": "chat", "gen_ai.system": "openai", "llm.request.model": "gpt-4o",
                "llm.usage.prompt_tokens": "30", "llm.usage.completion_tokens": "1", "llm.usage.total_tokens": "31",
                "gen_ai.prompt.0.role": "system", "gen_ai.prompt.0.content": "Classify.",
                "gen_ai.prompt.1.role": "user", "gen_ai.prompt.1.content": "I need a refund",
                "gen_ai.completion.0.role": "assistant", "gen_ai.completion.0.content": "billing",
                "traceloop.prompt.key": "triage", "traceloop.prompt.version": "2",
                "traceloop.prompt.template_variables.ticket_text": "I need a refund",
            ]
        ),
        (
            "OpenInference",
            [
                "openinference.span.kind": "LLM", "llm.provider": "openai", "llm.model_name": "gpt-4o",
                "llm.token_count.prompt": "30", "llm.token_count.completion": "1",
                "llm.input_messages.0.message.role": "system", "llm.input_messages.0.message.content": "Classify.",
                "llm.input_messages.1.message.role": "user", "llm.input_messages.1.message.content": "I need a refund",
                "llm.output_messages.0.message.role": "assistant", "llm.output_messages.0.message.content": "billing",
                "llm.prompt_template.version": "2", "llm.prompt_template.variables": #"{"ticket_text": "I need a refund"}"#,
                "gen_ai.prompt.name": "triage",
            ]
        ),
        (
            "OpenInference, raw request and response",
            [
                "openinference.span.kind": "LLM", "llm.system": "openai", "llm.model_name": "gpt-4o",
                "llm.token_count.prompt": "30", "llm.token_count.completion": "1",
                "input.value": #"{"model": "gpt-4o", "messages": \#(messagesJSON)}"#,
                "output.value": #"{"id": "x", "choices": [{"index": 0, "message": {"role": "assistant", "content": "billing"}}]}"#,
                "gen_ai.prompt.name": "triage", "gen_ai.prompt.version": "2",
                "llm.prompt_template.variables": #"{"ticket_text": "I need a refund"}"#,
            ]
        ),
        (
            "Langfuse",
            [
                "langfuse.observation.type": "generation", "gen_ai.system": "openai", "langfuse.observation.model.name": "gpt-4o",
                "langfuse.observation.usage_details": #"{"input": 30, "output": 1}"#,
                "langfuse.observation.input": messagesJSON,
                "langfuse.observation.output": #"{"role": "assistant", "content": "billing"}"#,
                "langfuse.observation.prompt.name": "triage", "langfuse.observation.prompt.version": "2",
                "gen_ai.prompt.variable.ticket_text": "I need a refund",
            ]
        ),
        (
            "The seed: a Python repr and a bare output",
            [
                "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o",
                "gen_ai.usage.input_tokens": "30", "gen_ai.usage.output_tokens": "1",
                "gen_ai.input.messages": "[{'role': 'system', 'content': 'Classify.'}, {'role': 'user', 'content': 'I need a refund'}]",
                "gen_ai.output.messages": "billing",
                "gen_ai.prompt.name": "triage", "gen_ai.prompt.version": "2", "gen_ai.prompt.variable.ticket_text": "I need a refund",
            ]
        ),
    ]

    /// A span for `lines`: ids in hex, times in Unix nanoseconds, attributes as strings.
    public struct Spec: Sendable {
        public var trace: String
        public var span: String
        public var parent: String?
        public var name: String
        public var start: UInt64
        public var duration: UInt64
        public var attributes: [String: String]
        public var error = false
        public var service = "support-app"

        public init(
            trace: String, span: String, parent: String? = nil, name: String, start: UInt64, duration: UInt64, attributes: [String: String], error: Bool = false,
            service: String = "support-app"
        ) {
            self.trace = trace
            self.span = span
            self.parent = parent
            self.name = name
            self.start = start
            self.duration = duration
            self.attributes = attributes
            self.error = error
            self.service = service
        }
    }

    /// OTLP JSON, one line per span (string attributes, in key order).
    public static func lines(_ spans: [Spec]) -> String {
        func quoted(_ text: String) -> String {
            String(decoding: try! JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed, .withoutEscapingSlashes]), as: UTF8.self)
        }
        return spans.map { spec in
            let attributes = spec.attributes.keys.sorted().map { #"{"key":\#(quoted($0)),"value":{"stringValue":\#(quoted(spec.attributes[$0]!))}}"# }
            let parent = spec.parent.map { #""parentSpanId":"\#($0)","# } ?? ""
            let status = spec.error ? #""status":{"code":2,"message":"upstream failed"},"# : ""
            return
                #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":\#(quoted(spec.service))}}]},"scopeSpans":[{"scope":{"name":"fixture"},"spans":[{"traceId":"\#(spec.trace)","spanId":"\#(spec.span)",\#(parent)"name":\#(quoted(spec.name)),"kind":1,"startTimeUnixNano":"\#(spec.start)","endTimeUnixNano":"\#(spec.start + spec.duration)",\#(status)"attributes":[\#(attributes.joined(separator: ","))]}]}]}]}"#
        }.joined(separator: "\n") + "\n"
    }
}
