import Foundation

/// A message of an LLM call, as the GenAI conventions record it.
public struct SpanMessage: Sendable, Equatable, Codable {
    public var role: String
    public var content: String
}

/// An LLM span read through the OpenTelemetry GenAI semantic conventions and the prompt
/// attributes Folio, Traceloop and Langfuse write.
public struct GenAISpan: Sendable {
    public let record: SpanRecord

    public init?(_ record: SpanRecord) {
        let keys = record.attributes.keys
        guard keys.contains(where: { $0.hasPrefix("gen_ai.") || $0.hasPrefix("traceloop.") || $0.hasPrefix("langfuse.") || $0.hasPrefix("llm.") }) else { return nil }
        self.record = record
    }

    func attribute(_ names: String...) -> AttributeValue? {
        for name in names { if let value = record.attributes[name] { return value } }
        return nil
    }

    /// `gen_ai.prompt.name`, `traceloop.prompt.key` or `langfuse.observation.prompt.name`.
    public var promptName: String? { attribute("gen_ai.prompt.name", "traceloop.prompt.key", "langfuse.observation.prompt.name")?.text }
    public var promptVersion: String? { attribute("gen_ai.prompt.version", "traceloop.prompt.version", "langfuse.observation.prompt.version")?.text }
    /// `gen_ai.provider.name`, or its older name `gen_ai.system`.
    public var provider: String? { attribute("gen_ai.provider.name", "gen_ai.system")?.text }
    public var operation: String? { attribute("gen_ai.operation.name")?.text }
    public var requestModel: String? { attribute("gen_ai.request.model")?.text }
    public var model: String? { attribute("gen_ai.response.model", "gen_ai.request.model")?.text }
    public var inputTokens: Int64? { attribute("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens")?.int }
    public var outputTokens: Int64? { attribute("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens")?.int }
    /// Seconds to the first streamed chunk.
    public var timeToFirstChunk: Double? { attribute("gen_ai.response.time_to_first_chunk")?.double }
    /// Milliseconds from start to end; nil when the span's times cannot say.
    public var latencyMs: Double? { record.duration.map { $0 * 1000 } }
    public var isError: Bool { record.status == .error || record.attributes["error.type"] != nil }

    /// `gen_ai.prompt.variable.<name>` attributes.
    public var promptVariables: [String: String] {
        var result: [String: String] = [:]
        for (key, value) in record.attributes where key.hasPrefix("gen_ai.prompt.variable.") {
            result[String(key.dropFirst("gen_ai.prompt.variable.".count))] = value.text
        }
        return result
    }

    public var systemInstructions: [SpanMessage] { Self.messages(attribute("gen_ai.system_instructions"), defaultRole: "system") }

    /// Input messages: `gen_ai.input.messages` (JSON text or structured), else the older
    /// flattened `gen_ai.prompt.{i}.role/content`.
    public var inputMessages: [SpanMessage] {
        let current = Self.messages(attribute("gen_ai.input.messages"), defaultRole: "user")
        return current.isEmpty ? flattened("gen_ai.prompt") : current
    }

    public var outputMessages: [SpanMessage] {
        let current = Self.messages(attribute("gen_ai.output.messages"), defaultRole: "assistant")
        return current.isEmpty ? flattened("gen_ai.completion") : current
    }

    /// The output as one text (for tables and label comparisons).
    public var outputText: String? {
        let texts = outputMessages.map(\.content).filter { !$0.isEmpty }
        return texts.isEmpty ? nil : texts.joined(separator: "\n")
    }

    private func flattened(_ prefix: String) -> [SpanMessage] {
        var result: [SpanMessage] = []
        var index = 0
        while let content = record.attributes["\(prefix).\(index).content"] {
            result.append(SpanMessage(role: record.attributes["\(prefix).\(index).role"]?.text ?? "user", content: content.text))
            index += 1
        }
        return result
    }

    /// Messages in the parts format (`{"role", "parts": [{"type": "text", "content": …}]}`),
    /// given as a JSON string or as structured AnyValues.
    static func messages(_ value: AttributeValue?, defaultRole: String) -> [SpanMessage] {
        guard let value else { return [] }
        let items: [JSONNode]
        switch value {
        case .string(let text):
            guard let parsed = try? JSONNode.parse(text) else {
                return [SpanMessage(role: defaultRole, content: text)]
            }
            items = parsed.array ?? [parsed]
        case .array(let values):
            items = values.map(node)
        case .kvlist:
            items = [node(value)]
        default:
            return [SpanMessage(role: defaultRole, content: value.text)]
        }
        return items.compactMap { item in
            guard item.isObject else { return item.string.map { SpanMessage(role: defaultRole, content: $0) } }
            let role = item["role"]?.string ?? defaultRole
            if let parts = item["parts"]?.array {
                let text = parts.compactMap { part -> String? in
                    guard (part["type"]?.string ?? "text") == "text" else { return nil }
                    return part["content"]?.string
                }.joined(separator: "\n")
                return SpanMessage(role: role, content: text)
            }
            return SpanMessage(role: role, content: item["content"]?.string ?? "")
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
