import FolioModel
import Foundation

/// One metric a trace report shows: its JSON key, its column title, how to read it from
/// `SpanMetrics`, how to print it, and (for metrics some calls lack) how many calls had it.
package struct ReportMetric: Sendable {
    package enum Kind: Sendable {
        /// A share of calls: a change is shown in percentage points.
        case rate
        /// A count, a mean, a total or a percentile: a change is shown in percent.
        case amount
    }

    package let key: String
    package let title: String
    package let kind: Kind
    package let value: @Sendable (SpanMetrics) -> Double?
    package let format: @Sendable (Double) -> String
    /// The calls that had the value, when some may lack it, with a word for the table
    /// (`28/30 priced`).
    package let coverage: (@Sendable (SpanMetrics) -> Int)?
    package let coverageWord: String

    init(
        key: String, title: String, kind: Kind = .amount, value: @escaping @Sendable (SpanMetrics) -> Double?, format: @escaping @Sendable (Double) -> String,
        coverage: (@Sendable (SpanMetrics) -> Int)? = nil, coverageWord: String = ""
    ) {
        self.key = key
        self.title = title
        self.kind = kind
        self.value = value
        self.format = format
        self.coverage = coverage
        self.coverageWord = coverageWord
    }

    /// The value as the table shows it: `n/a` when no call has it, the count when only
    /// some do.
    package func text(_ metrics: SpanMetrics) -> String {
        guard let value = value(metrics) else { return "n/a" }
        guard let coverage, metrics.spans > 0 else { return format(value) }
        let have = coverage(metrics)
        return have < metrics.spans ? "\(format(value)) (\(have)/\(metrics.spans) \(coverageWord))" : format(value)
    }

    /// Money with three significant digits below a dollar (`Money.text`).
    package static func money(_ value: Double) -> String { Money.text(value) }

    package static let all: [ReportMetric] = [
        ReportMetric(key: "spans", title: "calls", value: { Double($0.spans) }, format: { String(Int($0)) }),
        ReportMetric(key: "error_rate", title: "error rate", kind: .rate, value: { $0.errorRate }, format: { String(format: "%.1f%%", $0 * 100) }),
        ReportMetric(
            key: "input_tokens_mean", title: "input tokens (mean)", value: { $0.meanInputTokens }, format: { String(format: "%.1f", $0) },
            coverage: { $0.spansWithInputTokens }, coverageWord: "counted"),
        ReportMetric(
            key: "output_tokens_mean", title: "output tokens (mean)", value: { $0.meanOutputTokens }, format: { String(format: "%.1f", $0) },
            coverage: { $0.spansWithOutputTokens }, coverageWord: "counted"),
        ReportMetric(key: "cost_mean_usd", title: "cost (mean)", value: { $0.meanCost }, format: money, coverage: { $0.pricedSpans }, coverageWord: "priced"),
        ReportMetric(key: "cost_total_usd", title: "cost (total)", value: { $0.totalCost }, format: money, coverage: { $0.pricedSpans }, coverageWord: "priced"),
        ReportMetric(
            key: "latency_p50_ms", title: "latency p50", value: { $0.latencyP50 }, format: { String(format: "%.0f ms", $0) },
            coverage: { $0.spansWithLatency }, coverageWord: "timed"),
        ReportMetric(
            key: "latency_p95_ms", title: "latency p95", value: { $0.latencyP95 }, format: { String(format: "%.0f ms", $0) },
            coverage: { $0.spansWithLatency }, coverageWord: "timed"),
        ReportMetric(
            key: "latency_p99_ms", title: "latency p99", value: { $0.latencyP99 }, format: { String(format: "%.0f ms", $0) },
            coverage: { $0.spansWithLatency }, coverageWord: "timed"),
        ReportMetric(
            key: "ttft_p95_ms", title: "TTFT p95", value: { $0.timeToFirstChunkP95 }, format: { String(format: "%.0f ms", $0) },
            coverage: { $0.spansWithTimeToFirstChunk }, coverageWord: "streamed"),
        ReportMetric(
            key: "misclassification_rate", title: "misclassification rate", kind: .rate, value: { $0.misclassificationRate },
            format: { String(format: "%.1f%%", $0 * 100) }, coverage: { $0.labelledSpans }, coverageWord: "labelled"),
    ]

    package static func named(_ key: String) -> ReportMetric? { all.first { $0.key == key } }

    /// The metrics that show drift day by day.
    package static let trends = ["misclassification_rate", "error_rate", "latency_p95_ms", "cost_mean_usd", "input_tokens_mean"].compactMap(named)
}

/// Spans grouped (by prompt and version, say), overall and per UTC day.
package struct TraceReport: Sendable {
    package private(set) var groups: [String: SpanMetrics] = [:]
    package private(set) var daily: [String: [String: SpanMetrics]] = [:]
    /// Every day any span fell on (kept as spans are added, so `days` does not look at each group).
    private var seenDays = Set<String>()
    /// Prices by model name, looked up once per model rather than once per span.
    private var prices: [String: ModelPrice?] = [:]
    /// The last span's day, named once (spans come mostly in time order).
    private var lastDay = (number: Int.min, name: "")

    package init() {}

    static let dayFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter
    }()

    /// Adds a span read alone (no trace join).
    package mutating func add(_ span: GenAISpan, to group: String, expectedLabel: String?, prices overrides: [String: ModelPrice]) {
        let summary = CallSummary(span)
        add(summary, output: summary.output(with: span.contentEvents), to: group, expectedLabel: expectedLabel, prices: overrides)
    }

    package mutating func add(_ call: CallSummary, output: String?, to group: String, expectedLabel: String?, prices overrides: [String: ModelPrice]) {
        var price: ModelPrice?
        if let model = call.model {
            if let known = prices[model] {
                price = known
            } else {
                price = PriceTable.price(of: model, overrides: overrides)
                prices[model] = .some(price)
            }
        }
        let sample = SpanSample(call, output: output, expectedLabel: expectedLabel, price: price)
        groups[group, default: SpanMetrics()].add(sample)
        let dayNumber = Int((call.start.timeIntervalSince1970 / 86_400).rounded(.down))
        if dayNumber != lastDay.number {
            lastDay = (dayNumber, Self.day(call.start))
            seenDays.insert(lastDay.name)
        }
        daily[group, default: [:]][lastDay.name, default: SpanMetrics()].add(sample)
    }

    /// A group's metrics as a store computed them, overall (`day` nil) or for one UTC day
    /// (`yyyy-MM-dd`).
    package mutating func set(_ metrics: SpanMetrics, group: String, day: String?) {
        if let day {
            daily[group, default: [:]][day] = metrics
            seenDays.insert(day)
        } else {
            groups[group] = metrics
        }
    }

    /// A value as the JSON gives it: 12 significant digits. Sums in another order (a store
    /// adding per model, the files per call) differ in the last bits of a double; the
    /// report is the same whichever store computed it.
    static func canonical(_ value: Double) -> Double {
        guard value.isFinite, value != 0 else { return value }
        return Double(String(format: "%.12g", value)) ?? value
    }

    /// `yyyy-MM-dd` in UTC, without a formatter per span.
    static func day(_ date: Date) -> String {
        let (y, m, d) = CivilDate.from(daysSince1970: Int((date.timeIntervalSince1970 / 86_400).rounded(.down)))
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    /// Every day from the first to the last span of any group, so gaps show.
    package var days: [String] {
        let all = seenDays.sorted()
        guard let first = all.first, let last = all.last,
            let start = Self.dayFormatter.date(from: first), let end = Self.dayFormatter.date(from: last)
        else { return all }
        var result: [String] = []
        var day = start
        while day <= end, result.count < 3660 {
            result.append(Self.dayFormatter.string(from: day))
            day = day.addingTimeInterval(86_400)
        }
        return result
    }

    /// One metric per day for a group (nil for a day without spans or without the metric);
    /// `days` is the report's `days`, computed once by the caller.
    package func series(_ group: String, _ metric: ReportMetric, days: [String]) -> [Double?] {
        days.map { day in daily[group]?[day].flatMap(metric.value) }
    }

    /// The canonical JSON: numbers (null when unknown), with the daily buckets. Linear in
    /// the groups: the days are listed once.
    package func json(labels: [String: String] = [:]) -> [[String: Any]] {
        let days = self.days
        return groups.keys.sorted().map { name in
            var row: [String: Any] = ["group": labels[name] ?? name]
            let metrics = groups[name]!
            for metric in ReportMetric.all {
                row[metric.key] = metric.value(metrics).map(Self.canonical) ?? NSNull()
                if let coverage = metric.coverage { row[metric.key + "_spans"] = coverage(metrics) }
            }
            if let cause = metrics.missingOutputCause { row["misclassification_rate_cause"] = cause }
            row["daily"] = days.compactMap { day -> [String: Any]? in
                guard let metrics = daily[name]?[day] else { return nil }
                var bucket: [String: Any] = ["day": day]
                for metric in ReportMetric.all { bucket[metric.key] = metric.value(metrics).map(Self.canonical) ?? NSNull() }
                return bucket
            }
            return row
        }
    }
}

/// `▁▂▃▄▅▆▇█` from values; a day without data is a space.
package enum Sparkline {
    static let blocks = Array("▁▂▃▄▅▆▇█")

    package static func render(_ values: [Double?]) -> String {
        let known = values.compactMap { $0 }.filter(\.isFinite)
        guard let low = known.min(), let high = known.max() else { return String(repeating: " ", count: values.count) }
        return String(
            values.map { value -> Character in
                guard let value, value.isFinite else { return " " }
                if high == low { return blocks[high == 0 ? 0 : 3] }
                let level = (value - low) / (high - low) * 7 + 0.5
                return blocks[level.isFinite ? max(0, min(7, Int(level))) : 0]
            })
    }
}

extension TraceReport {
    /// Only the groups `names` names, under their new names (a comparison of two groups).
    package func selecting(_ names: [String: String]) -> TraceReport {
        var copy = renamed([:])
        copy.groups = Dictionary(uniqueKeysWithValues: groups.compactMap { key, value in names[key].map { ($0, value) } })
        copy.daily = Dictionary(uniqueKeysWithValues: daily.compactMap { key, value in names[key].map { ($0, value) } })
        return copy
    }

    /// The same report with groups renamed (for comparisons, whose groups are "0" and "1").
    package func renamed(_ names: [String: String]) -> TraceReport {
        var copy = TraceReport()
        copy.groups = Dictionary(uniqueKeysWithValues: groups.map { (names[$0.key] ?? $0.key, $0.value) })
        copy.daily = Dictionary(uniqueKeysWithValues: daily.map { (names[$0.key] ?? $0.key, $0.value) })
        copy.prices = prices
        copy.seenDays = seenDays
        return copy
    }
}
