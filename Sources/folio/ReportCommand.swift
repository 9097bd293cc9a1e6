import ArgumentParser
import Foundation
import FolioCore
import FolioTelemetry

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Metrics per prompt version from exported traces: tokens, cost, latency, TTFT, errors, accuracy.",
        discussion: """
        Groups LLM spans (by prompt and version unless --by says otherwise) and reports spans,
        error rate, mean input and output tokens, cost (mean and total, from the price table;
        n/a when a model's price is unknown), latency p50/p95/p99, time to first chunk p95, and
        accuracy where labels exist (--label-attr names the attribute holding the expected
        label, compared with the output; gen_ai.evaluation.result events count too).
        --compare a=x,b=y prints the two groups side by side with the change in percent.
        Prices come from the built-in table and, inside a Folio repository, folio.yaml.

        Examples:
          folio report traces/ --label-attr app.expected_team
          folio report traces/ --prompt support_ticket_triage --compare version=1,version=2 --label-attr app.expected_team
        """
    )

    @Argument(help: "Trace files or folders.")
    var files: [String]

    @Option(help: "Group by these keys, comma-separated: prompt, version, model.")
    var by: String = "prompt,version"

    @Option(name: .customLong("label-attr"), help: "The span attribute that holds the expected label.")
    var labelAttribute: String?

    @Option(help: "Two groups to compare, as <key>=<value>,<key>=<value> (keys: prompt, version, model, or an attribute).")
    var compare: String?

    @OptionGroup var filter: SpanFilter

    @Option(help: "table, json or markdown.")
    var format: ReportFormat = .table

    enum ReportFormat: String, ExpressibleByArgument {
        case table, json, markdown
    }

    func validate() throws {
        let keys = by.split(separator: ",").map(String.init)
        guard !keys.isEmpty, keys.allSatisfy({ ["prompt", "version", "model"].contains($0) }) else {
            throw ValidationError("--by takes prompt, version and model, comma-separated")
        }
        if let compare, Self.selectors(compare) == nil {
            throw ValidationError("--compare '\(compare)' is not <key>=<value>,<key>=<value>")
        }
    }

    static func selectors(_ text: String) -> [(key: String, value: String)]? {
        let parts = text.split(separator: ",").map { $0.split(separator: "=", maxSplits: 1).map(String.init) }
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }) else { return nil }
        return parts.map { ($0[0], $0[1]) }
    }

    static func value(of key: String, in span: GenAISpan) -> String {
        switch key {
        case "prompt": return span.promptName ?? "-"
        case "version": return span.promptVersion ?? "-"
        case "model": return span.model ?? "-"
        default: return span.record.attributes[key]?.text ?? "-"
        }
    }

    func run() throws {
        let prices = repositoryPrices()
        let keys = by.split(separator: ",").map(String.init)
        let selectors = compare.flatMap(Self.selectors)
        var groups: [String: SpanMetrics] = [:]
        try readSpans(files) { span in
            guard filter.matches(span) else { return true }
            let expected = labelAttribute.flatMap { span.record.attributes[$0]?.text }
            if let selectors {
                for (index, selector) in selectors.enumerated() where Self.value(of: selector.key, in: span) == selector.value {
                    groups["\(index)", default: SpanMetrics()].add(span, expectedLabel: expected, prices: prices)
                }
            } else {
                let group = keys.map { Self.value(of: $0, in: span) }.joined(separator: " ")
                groups[group, default: SpanMetrics()].add(span, expectedLabel: expected, prices: prices)
            }
            return true
        }
        if let selectors {
            try printComparison(selectors, before: groups["0"] ?? SpanMetrics(), after: groups["1"] ?? SpanMetrics())
        } else {
            try printGroups(groups, keys: keys)
        }
    }

    static let metrics: [(name: String, value: @Sendable (SpanMetrics) -> Double?, format: @Sendable (Double) -> String)] = [
        ("spans", { Double($0.spans) }, { String(Int($0)) }),
        ("error rate", { $0.errorRate }, { String(format: "%.1f%%", $0 * 100) }),
        ("input tokens (mean)", { $0.meanInputTokens }, { String(format: "%.1f", $0) }),
        ("output tokens (mean)", { $0.meanOutputTokens }, { String(format: "%.1f", $0) }),
        ("cost (mean)", { $0.meanCost }, { String(format: "$%.6f", $0) }),
        ("cost (total)", { $0.totalCost }, { String(format: "$%.4f", $0) }),
        ("latency p50", { $0.latencyP50 }, { String(format: "%.0f ms", $0) }),
        ("latency p95", { $0.latencyP95 }, { String(format: "%.0f ms", $0) }),
        ("latency p99", { $0.latencyP99 }, { String(format: "%.0f ms", $0) }),
        ("TTFT p95", { $0.timeToFirstChunkP95 }, { String(format: "%.0f ms", $0) }),
        ("misclassification rate", { $0.misclassificationRate }, { String(format: "%.1f%%", $0 * 100) }),
    ]

    private func printGroups(_ groups: [String: SpanMetrics], keys: [String]) throws {
        let names = groups.keys.sorted()
        switch format {
        case .json:
            try Terminal.printJSON(names.map { name -> [String: String] in
                var row = ["group": name]
                for metric in Self.metrics { row[metric.name] = metric.value(groups[name]!).map(metric.format) ?? "n/a" }
                return row
            })
        case .table, .markdown:
            let header = [keys.joined(separator: "@").uppercased()] + Self.metrics.map(\.name)
            let rows = names.map { name in [name] + Self.metrics.map { $0.value(groups[name]!).map($0.format) ?? "n/a" } }
            emit([header] + rows)
        }
    }

    private func printComparison(_ selectors: [(key: String, value: String)], before: SpanMetrics, after: SpanMetrics) throws {
        let labels = selectors.map { "\($0.key)=\($0.value)" }
        var rows: [[String]] = [["metric", labels[0], labels[1], "change"]]
        var json: [[String: String]] = []
        for metric in Self.metrics {
            let a = metric.value(before), b = metric.value(after)
            let change: String
            if let a, let b, a != 0 { change = String(format: "%+.1f%%", (b - a) / a * 100) } else { change = "n/a" }
            let row = [metric.name, a.map(metric.format) ?? "n/a", b.map(metric.format) ?? "n/a", change]
            rows.append(row)
            json.append(["metric": row[0], labels[0]: row[1], labels[1]: row[2], "change": row[3]])
        }
        if format == .json { try Terminal.printJSON(json) } else { emit(rows) }
    }

    private func emit(_ rows: [[String]]) {
        if format == .markdown {
            print("| " + rows[0].joined(separator: " | ") + " |")
            print("|" + rows[0].map { _ in " --- |" }.joined())
            for row in rows.dropFirst() { print("| " + row.joined(separator: " | ") + " |") }
        } else {
            print(Terminal.table(rows))
        }
    }
}
