import Foundation
import FolioModel

/// Aggregates of one group of LLM spans.
public struct SpanMetrics: Sendable, Equatable {
    public private(set) var spans = 0
    public private(set) var errors = 0
    private var inputTokens: [Double] = []
    private var outputTokens: [Double] = []
    private var costs: [Double] = []
    private var unpricedSpans = 0
    private var latencies: [Double] = []
    private var firstChunk: [Double] = []
    private var labelled = 0
    private var correct = 0

    public init() {}

    /// Adds a span. `expectedLabel` comes from `--label-attr`; an evaluation event counts too.
    public mutating func add(_ span: GenAISpan, expectedLabel: String?, prices: [String: ModelPrice]) {
        spans += 1
        if span.isError { errors += 1 }
        if let tokens = span.inputTokens { inputTokens.append(Double(tokens)) }
        if let tokens = span.outputTokens { outputTokens.append(Double(tokens)) }
        if let model = span.model, let cost = PriceTable.cost(model: model, inputTokens: span.inputTokens.map(Int.init), outputTokens: span.outputTokens.map(Int.init), overrides: prices) {
            costs.append(cost)
        } else {
            unpricedSpans += 1
        }
        latencies.append(span.record.duration * 1000)
        if let ttft = span.timeToFirstChunk { firstChunk.append(ttft * 1000) }
        if let verdict = Self.verdict(span, expectedLabel: expectedLabel) {
            labelled += 1
            if verdict { correct += 1 }
        }
    }

    static func verdict(_ span: GenAISpan, expectedLabel: String?) -> Bool? {
        if let expectedLabel, let output = span.outputText {
            return normalized(output) == normalized(expectedLabel)
        }
        for event in span.record.events where event.name == "gen_ai.evaluation.result" {
            guard let label = (event.attributes["gen_ai.evaluation.score.label"] ?? event.attributes["gen_ai.evaluation.label"])?.text.lowercased() else { continue }
            if ["pass", "passed", "correct", "true", "yes"].contains(label) { return true }
            if ["fail", "failed", "incorrect", "false", "no"].contains(label) { return false }
        }
        return nil
    }

    static func normalized(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters)).lowercased()
    }

    public var errorRate: Double? { spans == 0 ? nil : Double(errors) / Double(spans) }
    public var meanInputTokens: Double? { mean(inputTokens) }
    public var meanOutputTokens: Double? { mean(outputTokens) }
    /// Nil ("n/a") unless every span of the group has a known price.
    public var totalCost: Double? { unpricedSpans > 0 || costs.isEmpty ? nil : costs.reduce(0, +) }
    public var meanCost: Double? { totalCost.map { $0 / Double(costs.count) } }
    public var latencyP50: Double? { percentile(latencies, 0.50) }
    public var latencyP95: Double? { percentile(latencies, 0.95) }
    public var latencyP99: Double? { percentile(latencies, 0.99) }
    public var timeToFirstChunkP95: Double? { percentile(firstChunk, 0.95) }
    /// Share of labelled spans whose output matched; nil when none is labelled.
    public var accuracy: Double? { labelled == 0 ? nil : Double(correct) / Double(labelled) }
    public var misclassificationRate: Double? { accuracy.map { 1 - $0 } }
    public var labelledSpans: Int { labelled }

    private func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// Nearest-rank percentile.
    private func percentile(_ values: [Double], _ fraction: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[max(0, min(sorted.count - 1, rank - 1))]
    }
}
