import Foundation
import FolioModel
import ServiceContextModule
import Tracing

/// A span around one LLM call made with a rendered prompt, following the OpenTelemetry
/// GenAI semantic conventions and carrying the prompt's name and version.
public struct PromptSpan: Sendable {
    let span: any Span
    /// Whether message content goes on the span (opt-in, as the GenAI conventions advise).
    let captureContent: Bool

    /// Records what the model answered with.
    public func recordResponse(model: String? = nil, inputTokens: Int? = nil, outputTokens: Int? = nil, finishReason: String? = nil) {
        if let model { span.attributes["gen_ai.response.model"] = model }
        if let inputTokens { span.attributes["gen_ai.usage.input_tokens"] = inputTokens }
        if let outputTokens { span.attributes["gen_ai.usage.output_tokens"] = outputTokens }
        if let finishReason { span.attributes["gen_ai.response.finish_reasons"] = [finishReason] }
    }

    /// Records the model's answer as `gen_ai.output.messages` when the span captures
    /// content (what `folio prompt from-trace` and `folio goldenset add` read).
    public func recordOutput(_ text: String, finishReason: String? = nil) {
        guard captureContent else { return }
        var message: [String: Any] = ["role": "assistant", "parts": [["type": "text", "content": text]]]
        if let finishReason { message["finish_reason"] = finishReason }
        span.attributes["gen_ai.output.messages"] = PromptSpan.json([message])
    }

    static func json(_ value: Any) -> String {
        (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    /// Any other attribute, e.g. `gen_ai.response.id`.
    public func setAttribute(_ key: String, _ value: String) {
        span.attributes[key] = value
    }
}

extension RenderedPrompt {
    /// Runs `body` (the LLM call) inside a `chat <model>` span with `gen_ai.*` attributes and
    /// `gen_ai.prompt.name` / `gen_ai.prompt.version`, through the app's tracing backend
    /// (or `tracer`, e.g. swift-distributed-tracing's InMemoryTracer in tests).
    /// With `captureContent`, the span also carries the system instructions, the input
    /// messages and the variables (`gen_ai.prompt.variable.*`), and `recordOutput` the answer.
    nonisolated(nonsending) public func withPromptSpan<T: Sendable>(
        provider: String? = nil, operation: String = "chat", tracer: any Tracer = InstrumentationSystem.tracer, captureContent: Bool = false,
        _ body: (PromptSpan) async throws -> T
    ) async throws -> T {
        let modelName = model?.name
        let span = tracer.startAnySpan("\(operation) \(modelName ?? name)", context: ServiceContext.current ?? .topLevel, ofKind: .client)
        defer { span.end() }
        span.attributes["gen_ai.operation.name"] = operation
        if let provider = provider ?? model?.provider { span.attributes["gen_ai.provider.name"] = provider }
        if let modelName { span.attributes["gen_ai.request.model"] = modelName }
        if let temperature = model?.temperature { span.attributes["gen_ai.request.temperature"] = temperature }
        if let maxTokens = model?.maxTokens { span.attributes["gen_ai.request.max_tokens"] = maxTokens }
        span.attributes["gen_ai.prompt.name"] = name
        span.attributes["gen_ai.prompt.version"] = version
        if captureContent { recordContent(on: span) }
        do {
            return try await ServiceContext.$current.withValue(span.context) {
                try await body(PromptSpan(span: span, captureContent: captureContent))
            }
        } catch {
            span.recordError(error)
            span.attributes["error.type"] = String(describing: type(of: error))
            throw error
        }
    }
}

extension RenderedPrompt {
    func recordContent(on span: any Span) {
        let system = messages.filter { $0.role == "system" }.map { ["type": "text", "content": $0.content] }
        if !system.isEmpty { span.attributes["gen_ai.system_instructions"] = PromptSpan.json(system) }
        let input = messages.filter { $0.role != "system" }.map { ["role": $0.role, "parts": [["type": "text", "content": $0.content]]] as [String: Any] }
        span.attributes["gen_ai.input.messages"] = PromptSpan.json(input)
        for (name, value) in variables {
            switch value {
            case .string(let text): span.attributes["gen_ai.prompt.variable.\(name)"] = text
            case .number(let number): span.attributes["gen_ai.prompt.variable.\(name)"] = number
            case .bool(let flag): span.attributes["gen_ai.prompt.variable.\(name)"] = flag
            default: break
            }
        }
    }
}
