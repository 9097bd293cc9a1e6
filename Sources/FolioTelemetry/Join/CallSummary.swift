import FolioModel
import Foundation

/// What a report or a listing keeps of one LLM call: its numbers and a bounded piece of its
/// output, never its attributes or messages (a report over hundreds of thousands of calls
/// keeps one of these per call until the trace join is done).
package struct CallSummary: Sendable {
    package let key: SpanKey
    package let start: Date
    /// Unix nanoseconds (0 when unknown).
    package let startNanoseconds: UInt64
    /// The resource's `service.name`.
    package let service: String
    package let latencyMs: Double?
    package let timeToFirstChunkMs: Double?
    package let model: String?
    package let provider: String?
    package let inputTokens: Int64?
    package let outputTokens: Int64?
    package let isError: Bool
    package let status: Span.Status
    /// The call's own output, at most `outputLimit` bytes (a longer one ends in "…", so it
    /// never equals a label).
    package let output: String?
    /// A verdict an evaluation event on the span records (`gen_ai.evaluation.result`).
    package let evaluation: Bool?

    /// Outputs longer than this are cut: labels are a few words.
    package static let outputLimit = 4096

    package init(_ call: GenAISpan) {
        key = SpanKey(trace: call.span.trace, span: call.span.id)
        start = call.span.startDate
        startNanoseconds = call.span.start ?? 0
        service = call.span.service
        latencyMs = call.latencyMs
        timeToFirstChunkMs = call.timeToFirstChunk.map { $0 * 1000 }
        model = call.model
        provider = call.provider
        inputTokens = call.inputTokens
        outputTokens = call.outputTokens
        isError = call.isError
        status = call.span.status
        output = call.outputText.map(Self.bounded)
        evaluation = SpanMetrics.evaluation(call.span.events)
    }

    package var traceID: String { key.trace.hex }
    package var spanID: String { key.span.hex }

    /// The output, from the span, else from its joined content events, else from the call
    /// span that wraps it.
    package func output(with events: [ContentEvent], wrapper: String? = nil) -> String? {
        if let output { return output }
        let texts = ContentEvent.messages(events, .output).map(\.content).filter { !$0.isEmpty }
        if !texts.isEmpty { return Self.bounded(texts.joined(separator: "\n")) }
        return wrapper
    }

    static func bounded(_ text: String) -> String {
        text.utf8.count <= outputLimit ? text : String(decoding: Array(text.utf8.prefix(outputLimit)), as: UTF8.self) + "…"
    }

    /// What the call cost by `prices` (the built-in table with overrides); nil when the
    /// model's price or a token count is unknown.
    package func cost(prices: [String: ModelPrice]) -> Double? {
        guard let model, let input = inputTokens, let output = outputTokens, let price = PriceTable.price(of: model, overrides: prices) else { return nil }
        return (Double(input) * price.input + Double(output) * price.output) / 1_000_000
    }

    /// Only the events a summary reads: the output.
    package static func keepsEvent(_ event: ContentEvent) -> Bool {
        ContentEvent.table[event.name]?.kind == .output || event.name == "gen_ai.client.inference.operation.details"
    }
}
