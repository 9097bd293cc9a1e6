import Foundation
import FolioModel

/// Aggregates of one group of LLM calls. Means, totals and percentiles are taken over the
/// calls that have the value, and the count that had it is kept, so a report can say
/// `$0.0031 (28/30 priced)`; a metric is unknown only when no call has it.
package struct SpanMetrics: Sendable, Equatable {
    package private(set) var spans = 0
    package private(set) var errors = 0
    private var inputTokens: [Double] = []
    private var outputTokens: [Double] = []
    private var costs: [Double] = []
    private var latencies: [Double] = []
    private var firstChunk: [Double] = []
    private var labelled = 0
    private var correct = 0

    package init() {}

    /// Adds a span read alone (no trace join). `expectedLabel` comes from `--label-attr`;
    /// an evaluation event counts too.
    package mutating func add(_ span: GenAISpan, expectedLabel: String?, prices: [String: ModelPrice]) {
        let price = span.model.flatMap { PriceTable.price(of: $0, overrides: prices) }
        add(SpanSample(CallSummary(span), events: span.contentEvents, expectedLabel: expectedLabel, price: price))
    }

    /// Adds a call already reduced to what the metrics need (computed once per call even
    /// when it counts in several groups).
    package mutating func add(_ sample: SpanSample) {
        spans += 1
        if sample.isError { errors += 1 }
        if let tokens = sample.inputTokens { inputTokens.append(tokens) }
        if let tokens = sample.outputTokens { outputTokens.append(tokens) }
        if let cost = sample.cost { costs.append(cost) }
        if let latency = sample.latencyMs { latencies.append(latency) }
        if let ttft = sample.timeToFirstChunkMs { firstChunk.append(ttft) }
        if let verdict = sample.verdict {
            labelled += 1
            if verdict { correct += 1 }
        }
    }

    /// The verdict of a `gen_ai.evaluation.result` event, if the span has one.
    static func evaluation(_ events: [SpanEvent]) -> Bool? {
        for event in events where event.name == "gen_ai.evaluation.result" {
            guard let label = (event.attributes["gen_ai.evaluation.score.label"] ?? event.attributes["gen_ai.evaluation.label"])?.text.lowercased() else { continue }
            if ["pass", "passed", "correct", "true", "yes"].contains(label) { return true }
            if ["fail", "failed", "incorrect", "false", "no"].contains(label) { return false }
        }
        return nil
    }

    package static func normalized(_ text: String) -> String {
        // Whitespace and punctuation around a label ("Billing." → "billing"), without
        // Foundation's CharacterSet (bridged and slow per span on Linux).
        let scalars = text.unicodeScalars
        func ignored(_ scalar: Unicode.Scalar) -> Bool {
            if scalar.isASCII { return scalar.value <= 0x20 || (scalar.value < 0x7F && !(scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))) }
            return scalar.properties.isWhitespace || scalar.properties.generalCategory.isPunctuation
        }
        guard let first = scalars.firstIndex(where: { !ignored($0) }), let last = scalars.lastIndex(where: { !ignored($0) }) else { return "" }
        return String(scalars[first...last]).lowercased()
    }

    package var errorRate: Double? { spans == 0 ? nil : Double(errors) / Double(spans) }
    package var meanInputTokens: Double? { mean(inputTokens) }
    package var meanOutputTokens: Double? { mean(outputTokens) }
    /// Over the priced calls; nil ("n/a") only when none is priced.
    package var totalCost: Double? { costs.isEmpty ? nil : costs.reduce(0, +) }
    package var meanCost: Double? { mean(costs) }
    package var latencyP50: Double? { percentile(latencies, 0.50) }
    package var latencyP95: Double? { percentile(latencies, 0.95) }
    package var latencyP99: Double? { percentile(latencies, 0.99) }
    package var timeToFirstChunkP95: Double? { percentile(firstChunk, 0.95) }
    /// Share of labelled calls whose output matched; nil when none is labelled.
    package var accuracy: Double? { labelled == 0 ? nil : Double(correct) / Double(labelled) }
    package var misclassificationRate: Double? { accuracy.map { 1 - $0 } }
    package var labelledSpans: Int { labelled }
    package var pricedSpans: Int { costs.count }
    package var spansWithInputTokens: Int { inputTokens.count }
    package var spansWithOutputTokens: Int { outputTokens.count }
    package var spansWithLatency: Int { latencies.count }
    package var spansWithTimeToFirstChunk: Int { firstChunk.count }

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

/// One call reduced to the numbers `SpanMetrics` aggregates.
package struct SpanSample: Sendable {
    package var isError: Bool
    package var inputTokens: Double?
    package var outputTokens: Double?
    /// Nil when the model's price or a token count is unknown.
    package var cost: Double?
    /// Nil when the span's times cannot give one.
    package var latencyMs: Double?
    package var timeToFirstChunkMs: Double?
    /// Whether the output matched the label; nil when unlabelled.
    package var verdict: Bool?

    /// - Parameters:
    ///   - events: the call's joined content events (its output may be there).
    ///   - expectedLabel: the label the call or an ancestor carries.
    package init(_ call: CallSummary, events: [ContentEvent], expectedLabel: String?, price: ModelPrice?) {
        isError = call.isError
        inputTokens = call.inputTokens.map(Double.init)
        outputTokens = call.outputTokens.map(Double.init)
        if let price, let input = call.inputTokens, let output = call.outputTokens {
            cost = (Double(input) * price.input + Double(output) * price.output) / 1_000_000
        }
        latencyMs = call.latencyMs
        timeToFirstChunkMs = call.timeToFirstChunkMs
        if let expectedLabel, let output = call.output(with: events) {
            verdict = SpanMetrics.normalized(output) == SpanMetrics.normalized(expectedLabel)
        } else {
            verdict = call.evaluation
        }
    }
}

extension Unicode.GeneralCategory {
    var isPunctuation: Bool {
        switch self {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation, .finalPunctuation, .otherPunctuation: return true
        default: return false
        }
    }
}
