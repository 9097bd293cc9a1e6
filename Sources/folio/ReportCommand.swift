import ArgumentParser
import Foundation
import FolioCore
import FolioTelemetry

struct ReportCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Metrics per prompt version from exported traces: tokens, cost, latency, TTFT, errors, accuracy.",
        discussion: """
            Groups LLM calls (by prompt and version unless --by says otherwise) and reports calls,
            error rate, mean input and output tokens, cost (mean and total, from the price table),
            latency p50/p95/p99, time to first chunk p95, and the misclassification rate where
            labels exist (--label-attr names the attribute holding the expected label, compared
            with the output; gen_ai.evaluation.result events count too). A call takes its prompt,
            version and label from the nearest ancestor span that has them (an app's wrapper span
            around an instrumented call) and its output from the log records tied to it. Means
            and totals are over the calls that have the value, with the count shown when some
            lack it ("$0.0031 (28/30 priced)"); n/a means none has it.
            --compare a=x,b=y prints the two groups side by side: rates change in percentage
            points, the rest in percent.
            Daily (UTC) buckets show drift: sparklines in the table, line charts in --format html.
            Prices come from the built-in table and, inside a Folio repository, folio.yaml.

            Examples:
              folio report traces/ --label-attr app.expected_team
              folio report traces/ --prompt support_ticket_triage --compare version=1,version=2 --label-attr app.expected_team
            """
    )

    @Argument(help: "Trace files or folders (or use --source, or traces: in folio.yaml).")
    var files: [String] = []

    @Option(help: "Group by these keys, comma-separated: prompt, version, model, or an attribute.")
    var by: String = "prompt,version"

    @Option(name: .customLong("label-attr"), help: "The span attribute that holds the expected label.")
    var labelAttribute: String?

    @Option(help: "Two groups to compare, as <key>=<value>,<key>=<value> (keys: prompt, version, model, or an attribute).")
    var compare: String?

    @Flag(help: "With a ClickHouse source: percentiles by ClickHouse's approximate quantile (the report says so) instead of the exact nearest rank.")
    var approximate = false

    @OptionGroup var options: TraceOptions

    @Option(help: "table (with daily sparklines), json, markdown or html (with daily line charts).")
    var format: ReportFormat = .table

    enum ReportFormat: String, ExpressibleByArgument {
        case table, json, markdown, html
    }

    func validate() throws {
        let keys = by.split(separator: ",").map(String.init)
        guard !keys.isEmpty, !keys.contains(where: \.isEmpty) else {
            throw ValidationError("--by takes prompt, version, model or attribute names, comma-separated")
        }
        if let compare, Self.selectors(compare) == nil {
            throw ValidationError("--compare '\(compare)' is not <key>=<value>,<key>=<value>")
        }
    }

    static func selectors(_ text: String) -> [(key: GroupKey, value: String)]? {
        let parts = text.split(separator: ",").map { $0.split(separator: "=", maxSplits: 1).map(String.init) }
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }) else { return nil }
        return parts.map { (GroupKey($0[0]), $0[1]) }
    }

    /// The request a report makes: `folio ui`'s dashboard makes the same one.
    func request(_ env: CommandEnvironment) -> ReportRequest {
        ReportRequest(
            filter: options.filter(), groupBy: by.split(separator: ",").map { GroupKey(String($0)) }, selectors: compare.flatMap(Self.selectors),
            labelAttribute: labelAttribute, prices: repositoryPrices(env), approximate: approximate)
    }

    func run(in env: CommandEnvironment) async throws {
        let source = try options.open(paths: files, env)
        let request = request(env)
        let result = try await source.report(request)
        noteRead(result.notes, env)
        if result.approximatePercentiles {
            env.note("percentiles are approximate (ClickHouse's quantile)")
        } else if approximate {
            env.note("--approximate applies to a ClickHouse source: these percentiles are exact (nearest rank)")
        }
        if let selectors = request.selectors {
            try printComparison(selectors.map { ("\($0.key.name)=\($0.value)") }, result.report, env)
        } else {
            try printGroups(result.report, keys: request.groupBy.map(\.name), env)
        }
        if format == .table || format == .markdown { printCauses(result.report, labels: request.selectors.map { $0.map { "\($0.key.name)=\($0.value)" } }, env) }
    }

    /// Why a rate is n/a, group by group: a label without an output cannot be graded.
    private func printCauses(_ report: TraceReport, labels: [String]?, _ env: CommandEnvironment) {
        for name in report.groups.keys.sorted() {
            guard let cause = report.groups[name]?.missingOutputCause else { continue }
            let group = labels.flatMap { labels in Int(name).map { labels[$0] } } ?? name
            env.print("\(group): misclassification rate n/a: \(cause)")
        }
    }

    private func printGroups(_ report: TraceReport, keys: [String], _ env: CommandEnvironment) throws {
        let names = report.groups.keys.sorted()
        let title = keys.joined(separator: "@").uppercased()
        switch format {
        case .json:
            try printJSONObject(["schema": "folio/trace-report@1", "group_by": keys, "groups": report.json()], env)
        case .html:
            env.write(TraceReportHTML.render(report, groupTitle: title))
        case .table, .markdown:
            let header = [title] + ReportMetric.all.map(\.title)
            let rows = names.map { name in [name] + ReportMetric.all.map { $0.text(report.groups[name]!) } }
            emit([header] + rows, env)
            printTrends(report, names: names, env)
        }
    }

    /// Daily buckets as sparklines: drift shows as a rising line.
    private func printTrends(_ report: TraceReport, names: [String], _ env: CommandEnvironment) {
        let days = report.days
        guard days.count > 1 else { return }
        let metrics = ReportMetric.trends.filter { metric in names.contains { report.series($0, metric, days: days).contains { $0 != nil } } }
        var rows = [["per day, \(days.first!) to \(days.last!) (UTC)"] + metrics.map(\.title)]
        for name in names {
            rows.append(
                [name]
                    + metrics.map { metric in
                        let series = report.series(name, metric, days: days)
                        let last = series.last(where: { $0 != nil }).flatMap { $0 }.map(metric.format) ?? "n/a"
                        return "\(Sparkline.render(series)) \(last)"
                    })
        }
        env.print("")
        emit(rows, env)
    }

    /// The before/after rows (`--compare`, and `folio ui`'s dashboard): rates change in
    /// percentage points, the rest in percent.
    static func comparison(_ labels: [String], _ report: TraceReport) -> (rows: [[String]], json: [[String: Any]]) {
        let before = report.groups["0"] ?? SpanMetrics(), after = report.groups["1"] ?? SpanMetrics()
        var rows: [[String]] = [["metric", labels[0], labels[1], "change"]]
        var json: [[String: Any]] = []
        for metric in ReportMetric.all {
            let a = metric.value(before), b = metric.value(after)
            var entry: [String: Any] = ["metric": metric.key, "before": a ?? NSNull(), "after": b ?? NSNull()]
            let change: String
            switch metric.kind {
            case .rate:
                // A rate changes in percentage points: 31.6% → 0.0% is −31.6 pp.
                let points: Double? = if let a, let b { (b - a) * 100 } else { nil }
                change = points.map { String(format: "%+.1f pp", $0).replacingOccurrences(of: "-", with: "−") } ?? "n/a"
                entry["change_points"] = points ?? NSNull()
            case .amount:
                let percent: Double? = if let a, let b, a != 0 { (b - a) / a * 100 } else { nil }
                change = percent.map { String(format: "%+.1f%%", $0).replacingOccurrences(of: "-", with: "−") } ?? "n/a"
                entry["change_percent"] = percent ?? NSNull()
            }
            rows.append([metric.title, metric.text(before), metric.text(after), change])
            json.append(entry)
        }
        return (rows, json)
    }

    private func printComparison(_ labels: [String], _ report: TraceReport, _ env: CommandEnvironment) throws {
        let (rows, json) = Self.comparison(labels, report)
        switch format {
        case .json: try printJSONObject(["schema": "folio/trace-comparison@1", "before": labels[0], "after": labels[1], "metrics": json], env)
        case .html: env.write(TraceReportHTML.render(report.renamed(["0": labels[0], "1": labels[1]]), groupTitle: "GROUP"))
        case .table, .markdown: emit(rows, env)
        }
    }

    private func printJSONObject(_ object: Any, _ env: CommandEnvironment) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        env.print(String(decoding: data, as: UTF8.self))
    }

    private func emit(_ rows: [[String]], _ env: CommandEnvironment) {
        if format == .markdown {
            env.print("| " + rows[0].joined(separator: " | ") + " |")
            env.print("|" + rows[0].map { _ in " --- |" }.joined())
            for row in rows.dropFirst() { env.print("| " + row.joined(separator: " | ") + " |") }
        } else {
            env.print(Terminal.table(rows))
        }
    }
}
