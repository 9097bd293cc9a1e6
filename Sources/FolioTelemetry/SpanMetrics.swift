import Foundation

/// USD per million tokens for common models; a repository's folio.yaml can override or add.
public enum PriceTable {
    public static let builtIn: [String: (input: Double, output: Double)] = [
        "gpt-4o": (2.50, 10.00), "gpt-4o-mini": (0.15, 0.60), "gpt-4.1": (2.00, 8.00), "gpt-4.1-mini": (0.40, 1.60),
        "gpt-4.1-nano": (0.10, 0.40), "o3-mini": (1.10, 4.40), "gpt-3.5-turbo": (0.50, 1.50),
        "claude-3-5-sonnet": (3.00, 15.00), "claude-3-5-haiku": (0.80, 4.00), "claude-3-7-sonnet": (3.00, 15.00),
        "claude-sonnet-4": (3.00, 15.00), "claude-opus-4": (15.00, 75.00), "claude-3-haiku": (0.25, 1.25),
    ]

    /// The price of a model: an exact entry, else the longest known name it starts with
    /// (`gpt-4o-2024-08-06` → `gpt-4o`); nil when unknown (shown as n/a, never $0).
    public static func price(of model: String, overrides: [String: (input: Double, output: Double)] = [:]) -> (input: Double, output: Double)? {
        let table = builtIn.merging(overrides) { _, new in new }
        if let exact = table[model] { return exact }
        return table.keys.filter { model.hasPrefix($0 + "-") }.max { $0.count < $1.count }.flatMap { table[$0] }
    }
}

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
    public mutating func add(_ span: GenAISpan, expectedLabel: String?, prices: [String: (input: Double, output: Double)]) {
        spans += 1
        if span.isError { errors += 1 }
        if let tokens = span.inputTokens { inputTokens.append(Double(tokens)) }
        if let tokens = span.outputTokens { outputTokens.append(Double(tokens)) }
        if let model = span.model, let price = PriceTable.price(of: model, overrides: prices), let input = span.inputTokens, let output = span.outputTokens {
            costs.append((Double(input) * price.input + Double(output) * price.output) / 1_000_000)
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
