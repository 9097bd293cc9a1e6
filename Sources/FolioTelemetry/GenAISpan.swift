import Foundation

/// A message of an LLM call, as the GenAI conventions record it.
package struct SpanMessage: Sendable, Equatable, Codable {
    package var role: String
    package var content: String

    package init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// One span read through the dialect table (`Dialect`): the fields of an LLM call,
/// whichever instrumentation wrote them. Content that arrived as log records joined to the
/// span (`contentEvents`) counts as the span's own.
package struct GenAISpan: Sendable {
    package let record: SpanRecord
    /// Log records (or span events) with message content for this span, in time order.
    package var contentEvents: [ContentEvent]

    /// Nil for a span that touches no dialect at all.
    package init?(_ record: SpanRecord, contentEvents: [ContentEvent] = []) {
        let keys = record.attributes.keys
        guard !contentEvents.isEmpty || keys.contains(where: Self.isGenAIAttribute) else { return nil }
        self.record = record
        self.contentEvents = contentEvents
    }

    static func isGenAIAttribute(_ key: String) -> Bool {
        key.hasPrefix("gen_ai.") || key.hasPrefix("traceloop.") || key.hasPrefix("langfuse.") || key.hasPrefix("llm.") || key == "openinference.span.kind"
    }

    func value(_ field: CallField) -> AttributeValue? { Dialect.value(of: field, in: record.attributes) }

    /// An LLM call: a span with a GenAI operation, a model, token counts or messages. A
    /// span that only names a prompt (an app's wrapper around an instrumented call) is not one.
    package var isCall: Bool {
        for field in [CallField.operation, .requestModel, .responseModel, .inputTokens, .outputTokens, .usageObject] where value(field) != nil { return true }
        for dialect in Dialect.all {
            for marker in dialect.callMarkers where record.attributes[marker.attribute]?.text.lowercased() == marker.value { return true }
        }
        return !contentEvents.isEmpty || !inputMessages.isEmpty || !outputMessages.isEmpty
    }

    package var promptName: String? { value(.promptName)?.text }
    package var promptVersion: String? { value(.promptVersion)?.text }
    package var provider: String? { value(.provider)?.text }
    package var operation: String? { value(.operation)?.text }
    package var requestModel: String? { value(.requestModel)?.text }
    package var model: String? { (value(.responseModel) ?? value(.requestModel))?.text }
    package var inputTokens: Int64? { value(.inputTokens)?.int ?? usage(["input", "prompt_tokens", "input_tokens"]) }
    package var outputTokens: Int64? { value(.outputTokens)?.int ?? usage(["output", "completion_tokens", "output_tokens"]) }
    /// Seconds to the first streamed chunk.
    package var timeToFirstChunk: Double? { value(.timeToFirstChunk)?.double }
    /// Milliseconds from start to end; nil when the span's times cannot say.
    package var latencyMs: Double? { record.duration.map { $0 * 1000 } }
    package var isError: Bool { record.status == .error || record.attributes["error.type"] != nil }

    private func usage(_ keys: [String]) -> Int64? {
        guard let text = value(.usageObject)?.text, let object = try? JSONNode.parse(text) else { return nil }
        for key in keys { if let number = object[key]?.int64 { return number } }
        return nil
    }

    /// A request setting (`temperature`, `max_tokens`, `top_p`) from its own attribute, or
    /// from the parameters object an instrumentation records instead.
    package func requestSetting(_ field: CallField, key: String) -> String? {
        if let value = value(field) { return value.text }
        guard let text = value(.parametersObject)?.text, let parameters = try? JSONNode.parse(text), let found = parameters[key] else { return nil }
        return Self.jsonText(found)
    }

    /// The variables the prompt was rendered with: one attribute each, or one JSON object.
    package var promptVariables: [String: String] {
        var result: [String: String] = [:]
        if let text = value(.variablesObject)?.text, case .object(let members)? = try? JSONNode.parse(text) {
            for (key, value) in members { result[key] = value.string ?? Self.jsonText(value) }
        }
        for prefix in Dialect.all.flatMap(\.variablePrefixes) {
            for (key, value) in record.attributes where key.hasPrefix(prefix) {
                result[String(key.dropFirst(prefix.count))] = value.text
            }
        }
        return result
    }

    package var systemInstructions: [SpanMessage] {
        let own = Self.messages(from: Dialect.all.flatMap(\.system), in: record.attributes, defaultRole: "system")
        return own.isEmpty ? ContentEvent.messages(contentEvents, .system) : own
    }

    /// Input messages from the first source that has any (dialect order), else from the
    /// joined content events.
    package var inputMessages: [SpanMessage] {
        let own = Self.messages(from: Dialect.all.flatMap(\.input), in: record.attributes, defaultRole: "user")
        return own.isEmpty ? ContentEvent.messages(contentEvents, .input) : own
    }

    package var outputMessages: [SpanMessage] {
        let own = Self.messages(from: Dialect.all.flatMap(\.output), in: record.attributes, defaultRole: "assistant")
        return own.isEmpty ? ContentEvent.messages(contentEvents, .output) : own
    }

    /// The output as one text (for tables and label comparisons).
    package var outputText: String? {
        let texts = outputMessages.map(\.content).filter { !$0.isEmpty }
        return texts.isEmpty ? nil : texts.joined(separator: "\n")
    }

    // MARK: - Messages

    static func messages(from sources: [MessageSource], in attributes: [String: AttributeValue], defaultRole: String) -> [SpanMessage] {
        for source in sources {
            let found: [SpanMessage]
            switch source {
            case .messages(let name):
                found = messages(attributes[name], defaultRole: defaultRole)
            case .flattened(let prefix, let role, let content):
                found = flattened(attributes, prefix: prefix, role: role, content: content, defaultRole: defaultRole)
            case .request(let name):
                guard let text = attributes[name]?.text, let request = try? JSONNode.parse(text) else { continue }
                found = request["messages"].map { items(from: $0, defaultRole: defaultRole) } ?? []
            case .response(let name):
                guard let value = attributes[name] else { continue }
                found = response(value, defaultRole: defaultRole)
            }
            if !found.isEmpty { return found }
        }
        return []
    }

    static func flattened(_ attributes: [String: AttributeValue], prefix: String, role: String, content: String, defaultRole: String) -> [SpanMessage] {
        var result: [SpanMessage] = []
        var index = 0
        while let text = attributes["\(prefix).\(index).\(content)"] {
            result.append(SpanMessage(role: attributes["\(prefix).\(index).\(role)"]?.text ?? defaultRole, content: text.text))
            index += 1
        }
        return result
    }

    /// A response: OpenAI's JSON (`choices[].message`), a message list, or plain text.
    static func response(_ value: AttributeValue, defaultRole: String) -> [SpanMessage] {
        if case .string(let text) = value, let parsed = try? JSONNode.parse(text) {
            if let choices = parsed["choices"]?.array {
                return choices.compactMap { choice in
                    guard let message = choice["message"] else { return choice["text"]?.string.map { SpanMessage(role: defaultRole, content: $0) } }
                    return items(from: .array([message]), defaultRole: defaultRole).first
                }
            }
            if let content = parsed["content"], parsed["role"] != nil || parsed.isObject {
                return items(from: .array([.object([("role", parsed["role"] ?? .string(defaultRole)), ("content", content)])]), defaultRole: defaultRole)
            }
        }
        return messages(value, defaultRole: defaultRole)
    }

    /// Messages in one attribute: JSON text, a Python repr (`str(messages)`), structured
    /// values, or bare text (one message of the default role).
    static func messages(_ value: AttributeValue?, defaultRole: String) -> [SpanMessage] {
        guard let value else { return [] }
        switch value {
        case .string(let text):
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.hasPrefix("[") || trimmed.hasPrefix("{") {
                if let parsed = try? JSONNode.parse(trimmed) { return items(from: parsed, defaultRole: defaultRole) }
                if let parsed = try? PythonLiteral.parse(trimmed) { return items(from: parsed, defaultRole: defaultRole) }
            }
            return text.isEmpty ? [] : [SpanMessage(role: defaultRole, content: text)]
        case .array, .kvlist:
            return items(from: node(value), defaultRole: defaultRole)
        default:
            return [SpanMessage(role: defaultRole, content: value.text)]
        }
    }

    /// A message list or one message: `{"role", "content"}` (content as text or OpenAI's
    /// parts `[{"type": "text", "text"}]`), or the conventions' `{"role", "parts": [{"type":
    /// "text", "content"}]}`.
    static func items(from parsed: JSONNode, defaultRole: String) -> [SpanMessage] {
        let list = parsed.array ?? [parsed]
        return list.compactMap { item in
            guard item.isObject else { return item.string.map { SpanMessage(role: defaultRole, content: $0) } }
            let role = item["role"]?.string ?? defaultRole
            if let parts = item["parts"]?.array {
                return SpanMessage(role: role, content: textParts(parts, key: "content"))
            }
            switch item["content"] {
            case .string(let text)?: return SpanMessage(role: role, content: text)
            case .array(let parts)?: return SpanMessage(role: role, content: textParts(parts, key: "text"))
            case nil, .null?: return item["message"].flatMap { items(from: $0, defaultRole: role).first } ?? SpanMessage(role: role, content: "")
            case let other?: return SpanMessage(role: role, content: jsonText(other))
            }
        }
    }

    static func textParts(_ parts: [JSONNode], key: String) -> String {
        parts.compactMap { part -> String? in
            if let text = part.string { return text }
            guard (part["type"]?.string ?? "text") == "text" else { return nil }
            return part[key]?.string ?? part["content"]?.string ?? part["text"]?.string
        }.joined(separator: "\n")
    }

    static func jsonText(_ node: JSONNode) -> String {
        switch node {
        case .string(let text): return text
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .array(let items): return "[" + items.map(jsonText).joined(separator: ", ") + "]"
        case .object(let members): return "{" + members.map { "\($0.key): \(jsonText($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    /// A structured AnyValue as a JSON value.
    static func node(_ value: AttributeValue) -> JSONNode {
        switch value {
        case .string(let text): return .string(text)
        case .bool(let flag): return .bool(flag)
        case .int(let number): return .int(number)
        case .double(let number): return .double(number)
        case .array(let values): return .array(values.map(node))
        case .kvlist(let fields): return .object(fields.keys.sorted().map { ($0, node(fields[$0]!)) })
        case .bytes(let data): return .string(data.base64EncodedString())
        }
    }
}
