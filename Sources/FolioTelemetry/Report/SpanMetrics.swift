import Foundation
import FolioModel

/// Aggregates of one group of LLM calls. Means, totals and percentiles are taken over the
/// calls that have the value, and the count that had it is kept, so a report can say
/// `$0.0031 (28/30 priced)`; a metric is unknown only when no call has it.
package struct SpanMetrics: Sendable, Equatable {
    package private(set) var spans = 0
    package private(set) var errors = 0
    package private(set) var inputTokens = Measure()
    package private(set) var outputTokens = Measure()
    package private(set) var costs = Measure()
    package private(set) var latencies = Measure()
    package private(set) var firstChunk = Measure()
    package private(set) var labelled = 0
    package private(set) var correct = 0
    /// Calls that carried an expected label, and calls that had an output: a label without
    /// an output cannot be graded, and the report says why.
    package private(set) var withLabel = 0
    package private(set) var withOutput = 0

    package init() {}

    /// The counts a store computed for one group (or one day of it), with its measures
    /// summarized (`Measure(count:sum:percentiles:)`): the same numbers as adding each
    /// call's sample.
    package init(
        spans: Int, errors: Int, inputTokens: Measure, outputTokens: Measure, costs: Measure, latencies: Measure, firstChunk: Measure,
        labelled: Int, correct: Int, withLabel: Int, withOutput: Int
    ) {
        self.spans = spans
        self.errors = errors
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.costs = costs
        self.latencies = latencies
        self.firstChunk = firstChunk
        self.labelled = labelled
        self.correct = correct
        self.withLabel = withLabel
        self.withOutput = withOutput
    }

    /// Adds a span read alone (no trace join). `expectedLabel` comes from `--label-attr`;
    /// an evaluation event counts too.
    package mutating func add(_ span: GenAISpan, expectedLabel: String?, prices: [String: ModelPrice]) {
        let price = span.model.flatMap { PriceTable.price(of: $0, overrides: prices) }
        let summary = CallSummary(span)
        add(SpanSample(summary, output: summary.output(with: span.contentEvents), expectedLabel: expectedLabel, price: price))
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
        if sample.hasLabel { withLabel += 1 }
        if sample.hasOutput { withOutput += 1 }
    }

    /// Why the misclassification rate is n/a though labels exist, or nil.
    package var missingOutputCause: String? {
        guard labelled == 0, withLabel > 0, withOutput == 0 else { return nil }
        return "no call in this group has an output; export log records or capture content"
    }

    /// The verdict of a `gen_ai.evaluation.result` event, if the span has one.
    static func evaluation(_ events: [SpanEvent]) -> Bool? {
        for event in events where event.name == "gen_ai.evaluation.result" {
            guard let label = (event.attributes["gen_ai.evaluation.score.label"] ?? event.attributes["gen_ai.evaluation.label"])?.lowercased() else { continue }
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
    package var meanInputTokens: Double? { inputTokens.mean }
    package var meanOutputTokens: Double? { outputTokens.mean }
    /// Over the priced calls; nil ("n/a") only when none is priced.
    package var totalCost: Double? { costs.count == 0 ? nil : costs.sum }
    package var meanCost: Double? { costs.mean }
    package var latencyP50: Double? { latencies.percentile(0.50) }
    package var latencyP95: Double? { latencies.percentile(0.95) }
    package var latencyP99: Double? { latencies.percentile(0.99) }
    package var timeToFirstChunkP95: Double? { firstChunk.percentile(0.95) }
    /// Share of labelled calls whose output matched; nil when none is labelled.
    package var accuracy: Double? { labelled == 0 ? nil : Double(correct) / Double(labelled) }
    package var misclassificationRate: Double? { accuracy.map { 1 - $0 } }
    package var labelledSpans: Int { labelled }
    package var pricedSpans: Int { costs.count }
    package var spansWithInputTokens: Int { inputTokens.count }
    package var spansWithOutputTokens: Int { outputTokens.count }
    package var spansWithLatency: Int { latencies.count }
    package var spansWithTimeToFirstChunk: Int { firstChunk.count }
}

/// The values one metric is taken over (the calls that have it): kept, when calls are added
/// one by one, or summarized by a store (their count and sum, and the percentiles a report
/// shows, computed where the values are).
package struct Measure: Sendable, Equatable {
    private var values: [Double] = []
    private var summary: (count: Int, sum: Double, percentiles: [Double: Double])?

    package init() {}

    /// - Parameter percentiles: nearest-rank percentiles by fraction (0.5, 0.95, 0.99).
    package init(count: Int, sum: Double, percentiles: [Double: Double] = [:]) {
        summary = (count, sum, percentiles)
    }

    package static func == (lhs: Measure, rhs: Measure) -> Bool {
        lhs.count == rhs.count && lhs.sum == rhs.sum && [0.5, 0.95, 0.99].allSatisfy { lhs.percentile($0) == rhs.percentile($0) }
    }

    mutating func append(_ value: Double) {
        precondition(summary == nil, "a summarized measure takes no more values")
        values.append(value)
    }

    package var count: Int { summary?.count ?? values.count }
    package var sum: Double { summary?.sum ?? values.reduce(0, +) }
    package var mean: Double? { count == 0 ? nil : sum / Double(count) }

    /// Nearest-rank percentile: the value at rank ⌈fraction × n⌉ of the sorted values.
    package func percentile(_ fraction: Double) -> Double? {
        if let summary { return summary.percentiles[fraction] }
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
    package var hasLabel: Bool
    package var hasOutput: Bool

    /// - Parameters:
    ///   - output: the call's output (its own, from its content events, or its wrapper's).
    ///   - expectedLabel: the label the call or an ancestor carries.
    package init(_ call: CallSummary, output: String?, expectedLabel: String?, price: ModelPrice?) {
        isError = call.isError
        inputTokens = call.inputTokens.map(Double.init)
        outputTokens = call.outputTokens.map(Double.init)
        if let price, let input = call.inputTokens, let output = call.outputTokens {
            cost = (Double(input) * price.input + Double(output) * price.output) / 1_000_000
        }
        latencyMs = call.latencyMs
        timeToFirstChunkMs = call.timeToFirstChunkMs
        hasLabel = expectedLabel != nil
        hasOutput = output != nil
        if let expectedLabel, let output {
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
