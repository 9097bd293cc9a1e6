import Foundation

/// What a report or a listing keeps of one LLM call: its numbers and a bounded piece of its
/// output, never its attributes or messages (a report over hundreds of thousands of calls
/// keeps one of these per call until the trace join is done).
package struct CallSummary: Sendable {
    /// The ids as integers (two hex strings would be two heap allocations per call).
    let key: SpanKey?
    private let rawTraceID: String?
    package var traceID: String { key.map { String(format: "%016llx%016llx", $0.traceHigh, $0.traceLow) } ?? rawTraceID ?? "" }
    package var spanID: String { key.map { String(format: "%016llx", $0.span) } ?? rawTraceID.map { _ in "" } ?? "" }
    package let start: Date
    package let latencyMs: Double?
    package let timeToFirstChunkMs: Double?
    package let model: String?
    package let provider: String?
    package let inputTokens: Int64?
    package let outputTokens: Int64?
    package let isError: Bool
    package let status: SpanRecord.Status
    /// The call's own output, at most `outputLimit` bytes (a longer one ends in "…", so it
    /// never equals a label).
    package let output: String?
    /// A verdict an evaluation event on the span records (`gen_ai.evaluation.result`).
    package let evaluation: Bool?

    /// Outputs longer than this are cut: labels are a few words.
    package static let outputLimit = 4096

    package init(_ span: GenAISpan) {
        key = SpanKey(trace: span.record.traceID, span: span.record.spanID)
        rawTraceID = key == nil ? span.record.traceID : nil
        start = span.record.start
        latencyMs = span.latencyMs
        timeToFirstChunkMs = span.timeToFirstChunk.map { $0 * 1000 }
        model = span.model
        provider = span.provider
        inputTokens = span.inputTokens
        outputTokens = span.outputTokens
        isError = span.isError
        status = span.record.status
        output = span.outputText.map(Self.bounded)
        evaluation = SpanMetrics.evaluation(span.record.events)
    }

    /// The output, from the span or else from its joined content events.
    package func output(with events: [ContentEvent]) -> String? {
        if let output { return output }
        let texts = ContentEvent.messages(events, .output).map(\.content).filter { !$0.isEmpty }
        return texts.isEmpty ? nil : Self.bounded(texts.joined(separator: "\n"))
    }

    static func bounded(_ text: String) -> String {
        text.utf8.count <= outputLimit ? text : String(decoding: Array(text.utf8.prefix(outputLimit)), as: UTF8.self) + "…"
    }

    /// Only the events a summary reads: the output.
    package static func keepsEvent(_ event: ContentEvent) -> Bool {
        ContentEvent.table[event.name]?.kind == .output || event.name == "gen_ai.client.inference.operation.details"
    }
}
