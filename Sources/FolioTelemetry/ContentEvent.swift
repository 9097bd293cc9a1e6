import Foundation

/// Message content an instrumentation records apart from the span: OTLP log records (the
/// openai-v2 instrumentation's `gen_ai.*.message` and `gen_ai.choice` events, or
/// `gen_ai.client.inference.operation.details`) or span events of the same names, tied to
/// a span by its trace and span id.
package struct ContentEvent: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        case system, input, output
    }

    package let name: String
    /// Unix nanoseconds (the record's time, or when it was observed).
    package let time: UInt64?
    package let body: AttributeValue?
    package let attributes: [String: AttributeValue]

    package init(name: String, time: UInt64?, body: AttributeValue?, attributes: [String: AttributeValue]) {
        self.name = name
        self.time = time
        self.body = body
        self.attributes = attributes
    }

    /// The event names that carry content, what each holds, and the role of its message:
    /// the one table for events, as `Dialect` is for attributes.
    static let table: [String: (kind: Kind, role: String?)] = [
        "gen_ai.system.message": (.system, "system"),
        "gen_ai.user.message": (.input, "user"),
        "gen_ai.assistant.message": (.input, "assistant"),
        "gen_ai.tool.message": (.input, "tool"),
        "gen_ai.choice": (.output, nil),
        "gen_ai.client.inference.operation.details": (.input, nil),
    ]

    package static func carriesContent(_ name: String) -> Bool { table[name] != nil }

    /// The messages of one kind, in event order.
    static func messages(_ events: [ContentEvent], _ kind: Kind) -> [SpanMessage] {
        var result: [SpanMessage] = []
        for event in events {
            guard let entry = table[event.name] else { continue }
            if event.name == "gen_ai.client.inference.operation.details" {
                // The current conventions: the same attributes as on a span, in one event.
                let sources: [MessageSource]
                switch kind {
                case .system: sources = Dialect.semanticConventions.system
                case .input: sources = Dialect.semanticConventions.input
                case .output: sources = Dialect.semanticConventions.output
                }
                let role = kind == .system ? "system" : kind == .input ? "user" : "assistant"
                result += GenAISpan.messages(from: sources, in: event.attributes, defaultRole: role)
                continue
            }
            guard entry.kind == kind else { continue }
            let body = event.body.map(GenAISpan.node)
            if kind == .output {
                // gen_ai.choice: {"index", "finish_reason", "message": {"role", "content"}}
                let message = body?["message"] ?? body
                let content = message.map { GenAISpan.items(from: $0, defaultRole: "assistant") } ?? []
                result += content.isEmpty ? event.attributes["gen_ai.output.messages"].map { GenAISpan.messages($0, defaultRole: "assistant") } ?? [] : content
            } else if let body {
                let role = body["role"]?.string ?? entry.role ?? "user"
                let content: String
                switch body["content"] {
                case .string(let text)?: content = text
                case .array(let parts)?: content = GenAISpan.textParts(parts, key: "text")
                case let other?: content = GenAISpan.jsonText(other)
                case nil: content = body.string ?? ""
                }
                result.append(SpanMessage(role: role, content: content))
            }
        }
        return result
    }
}
