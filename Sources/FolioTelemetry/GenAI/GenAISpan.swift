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
/// whichever instrumentation wrote them, taken out once when the span is read (JSON held
/// in an attribute, such as a usage object, is parsed there and never again). Messages are
/// parsed when asked for: only a listing's output, `traces show` and `prompt from-trace`
/// need them. Content that arrived as log records joined to the span (`contentEvents`)
/// counts as the span's own.
package struct GenAISpan: Sendable {
    package let span: Span
    /// Log records (or span events) with message content for this span, in time order.
    package var contentEvents: [ContentEvent]

    package let promptName: String?
    package let promptVersion: String?
    package let provider: String?
    package let operation: String?
    package let requestModel: String?
    /// The model that answered (else the one requested).
    package let model: String?
    package let inputTokens: Int64?
    package let outputTokens: Int64?
    /// Seconds to the first streamed chunk.
    package let timeToFirstChunk: Double?
    package let isError: Bool
    /// Whether a field or a dialect's marker says this span is an LLM call (messages alone
    /// can too: `isCall`).
    private let hasCallFields: Bool

    /// Nil for a span that touches no dialect at all.
    package init?(_ span: Span, contentEvents: [ContentEvent] = []) {
        let attributes = span.attributes
        guard !contentEvents.isEmpty || attributes.keys.contains(where: Self.isGenAIAttribute) else { return nil }
        self.span = span
        self.contentEvents = contentEvents
        func value(_ field: CallField) -> String? { Dialect.value(of: field, in: attributes) }
        promptName = value(.promptName)
        promptVersion = value(.promptVersion)
        provider = value(.provider)
        operation = value(.operation)
        requestModel = value(.requestModel)
        model = value(.responseModel) ?? requestModel
        let usage = value(.usageObject).flatMap { try? JSONNode.parse($0) }
        func used(_ keys: [String]) -> Int64? {
            guard let usage else { return nil }
            for key in keys { if let number = usage[key]?.int64 { return number } }
            return nil
        }
        inputTokens = value(.inputTokens).flatMap(Self.integer) ?? used(["input", "prompt_tokens", "input_tokens"])
        outputTokens = value(.outputTokens).flatMap(Self.integer) ?? used(["output", "completion_tokens", "output_tokens"])
        timeToFirstChunk = value(.timeToFirstChunk).flatMap(Double.init)
        isError = span.status == .error || attributes["error.type"] != nil
        var marked = [CallField.operation, .requestModel, .responseModel, .inputTokens, .outputTokens, .usageObject].contains { value($0) != nil }
        if !marked {
            marked = Dialect.all.contains { dialect in dialect.callMarkers.contains { attributes[$0.attribute]?.lowercased() == $0.value.lowercased() } }
        }
        hasCallFields = marked
    }

    static func isGenAIAttribute(_ key: String) -> Bool {
        key.hasPrefix("gen_ai.") || key.hasPrefix("traceloop.") || key.hasPrefix("langfuse.") || key.hasPrefix("llm.") || key == "openinference.span.kind"
    }

    /// An integer as a dialect writes it: `30`, or `30.0` from a JSON number.
    static func integer(_ text: String) -> Int64? {
        Int64(text) ?? Double(text).flatMap { Int64(exactly: $0.rounded()) }
    }

    func value(_ field: CallField) -> String? { Dialect.value(of: field, in: span.attributes) }

    /// An LLM call: a span with a GenAI operation, a model, token counts or messages. A
    /// span that only names a prompt (an app's wrapper around an instrumented call) is not one.
    package var isCall: Bool {
        hasCallFields || !contentEvents.isEmpty || !inputMessages.isEmpty || !outputMessages.isEmpty
    }

    /// Milliseconds from start to end; nil when the span's times cannot say.
    package var latencyMs: Double? { span.latencyMs }

    /// A request setting (`temperature`, `max_tokens`, `top_p`) from its own attribute, or
    /// from the parameters object an instrumentation records instead.
    package func requestSetting(_ field: CallField, key: String) -> String? {
        if let value = value(field) { return value }
        guard let text = value(.parametersObject), let parameters = try? JSONNode.parse(text), let found = parameters[key] else { return nil }
        return Messages.jsonText(found)
    }

    /// The variables the prompt was rendered with: one attribute each, or one JSON object.
    package var promptVariables: [String: String] { Self.variables(in: span.attributes) }

    static func variables(in attributes: [String: String]) -> [String: String] {
        var result: [String: String] = [:]
        if let text = Dialect.value(of: .variablesObject, in: attributes), case .object(let members)? = try? JSONNode.parse(text) {
            for (key, value) in members { result[key] = value.string ?? Messages.jsonText(value) }
        }
        for prefix in Dialect.all.flatMap(\.variablePrefixes) {
            for (key, value) in attributes where key.hasPrefix(prefix) {
                result[String(key.dropFirst(prefix.count))] = value
            }
        }
        return result
    }

    package var systemInstructions: [SpanMessage] {
        let own = Messages.from(Dialect.all.flatMap(\.system), in: span.attributes, defaultRole: "system")
        return own.isEmpty ? ContentEvent.messages(contentEvents, .system) : own
    }

    /// Input messages from the first source that has any (dialect order), else from the
    /// joined content events.
    package var inputMessages: [SpanMessage] {
        let own = Messages.from(Dialect.all.flatMap(\.input), in: span.attributes, defaultRole: "user")
        return own.isEmpty ? ContentEvent.messages(contentEvents, .input) : own
    }

    package var outputMessages: [SpanMessage] {
        let own = Messages.from(Dialect.all.flatMap(\.output), in: span.attributes, defaultRole: "assistant")
        return own.isEmpty ? ContentEvent.messages(contentEvents, .output) : own
    }

    /// The output as one text (for tables and label comparisons).
    package var outputText: String? {
        let texts = outputMessages.map(\.content).filter { !$0.isEmpty }
        return texts.isEmpty ? nil : texts.joined(separator: "\n")
    }
}
