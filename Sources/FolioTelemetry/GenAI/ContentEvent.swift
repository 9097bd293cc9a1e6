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
    /// The body's text (a map body is JSON); nil for a span event, which has none.
    package let body: String?
    package let attributes: [String: String]

    package init(name: String, time: UInt64?, body: String?, attributes: [String: String]) {
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

    /// Every event name that carries content.
    package static var names: [String] { table.keys.sorted() }

    /// The event names that can carry a call's output.
    package static var outputEventNames: [String] {
        table.filter { $0.value.kind == .output || $0.key == "gen_ai.client.inference.operation.details" }.keys.sorted()
    }

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
                result += Messages.from(sources, in: event.attributes, defaultRole: role)
                continue
            }
            guard entry.kind == kind else { continue }
            let body = event.structuredBody
            if kind == .output {
                // gen_ai.choice: {"index", "finish_reason", "message": {"role", "content"}}
                let message = body?["message"] ?? body
                let content = message.map { Messages.items(from: $0, defaultRole: "assistant") } ?? []
                result += content.isEmpty ? event.attributes["gen_ai.output.messages"].map { Messages.parse($0, defaultRole: "assistant") } ?? [] : content
            } else if let body {
                let role = body["role"]?.string ?? entry.role ?? "user"
                let content: String
                switch body["content"] {
                case .string(let text)?: content = text
                case .array(let parts)?: content = Messages.textParts(parts, key: "text")
                case let other?: content = Messages.jsonText(other)
                case nil: content = body.string ?? ""
                }
                result.append(SpanMessage(role: role, content: content))
            }
        }
        return result
    }

    /// The body as JSON when it is (a map body arrives as JSON text), else as text; a span
    /// event's attributes stand in for the body it does not have, nested JSON parsed.
    var structuredBody: JSONNode? {
        if let body, !body.isEmpty {
            let first = body.utf8.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x09 && $0 != 0x0D }
            if first == UInt8(ascii: "{") || first == UInt8(ascii: "["), let parsed = try? JSONNode.parse(body) { return parsed }
            return .string(body)
        }
        guard !attributes.isEmpty else { return nil }
        return .object(
            attributes.keys.sorted().map { key in
                let value = attributes[key]!
                let first = value.utf8.first
                if first == UInt8(ascii: "{") || first == UInt8(ascii: "["), let parsed = try? JSONNode.parse(value) { return (key, parsed) }
                return (key, .string(value))
            })
    }
}

extension Span {
    /// Span events that carry message content (older instrumentations record the
    /// `gen_ai.*.message` events on the span rather than as log records).
    package var contentEvents: [ContentEvent] {
        events.compactMap { event in
            guard ContentEvent.carriesContent(event.name) else { return nil }
            return ContentEvent(name: event.name, time: event.time, body: event.attributes["gen_ai.event.content"], attributes: event.attributes)
        }
    }
}

extension LogRecord {
    /// The record as content for its span, if its event carries content.
    package var contentEvent: ContentEvent? {
        guard let eventName, ContentEvent.carriesContent(eventName) else { return nil }
        return ContentEvent(name: eventName, time: time, body: body, attributes: attributes)
    }
}
