import ServiceContextModule
import Tracing

/// A span around one LLM call made with a rendered prompt, following the OpenTelemetry
/// GenAI semantic conventions and carrying the prompt's name and version.
public struct PromptSpan: Sendable {
    let span: any Span

    /// Records what the model answered with.
    public func recordResponse(model: String? = nil, inputTokens: Int? = nil, outputTokens: Int? = nil, finishReason: String? = nil) {
        if let model { span.attributes["gen_ai.response.model"] = model }
        if let inputTokens { span.attributes["gen_ai.usage.input_tokens"] = inputTokens }
        if let outputTokens { span.attributes["gen_ai.usage.output_tokens"] = outputTokens }
        if let finishReason { span.attributes["gen_ai.response.finish_reasons"] = [finishReason] }
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
    public func withPromptSpan<T: Sendable>(
        provider: String? = nil, operation: String = "chat", tracer: any Tracer = InstrumentationSystem.tracer,
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
        do {
            return try await ServiceContext.$current.withValue(span.context) {
                try await body(PromptSpan(span: span))
            }
        } catch {
            span.recordError(error)
            span.attributes["error.type"] = String(describing: type(of: error))
            throw error
        }
    }
}
