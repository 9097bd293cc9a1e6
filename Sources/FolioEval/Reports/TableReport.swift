import Foundation

/// The terminal view: per case, both sides' answers and verdicts; then totals.
public enum TableReport {
    public static func render(_ report: EvalReport, width: Int = 120) -> String {
        var lines: [String] = []
        for run in report.runs {
            lines.append("\(run.prompt) · \(run.goldenSet)")
            lines.append("  " + run.sides.map(ReportText.sideTitle).joined(separator: "  vs  "))
            for (side, summary) in zip(run.sides, run.summaries) where !summary.answeredBy.isEmpty && summary.answeredBy != [side.model] {
                lines.append("  \(side.label): answered by \(summary.answeredBy.joined(separator: ", "))")
            }
            var rows = [["CASE", "INPUT", "EXPECTED"] + run.sides.map { $0.label.uppercased() } + ["LATENCY", "TOKENS", "COST"]]
            for result in run.cases {
                var row = [result.id, ReportText.shorten(result.input, 36), ReportText.shorten(result.expected ?? "", 16)]
                row += result.sides.map { ReportText.shorten(ReportText.answer($0), 18) + " " + ReportText.mark($0) }
                let firsts = result.sides.map(\.samples.first)
                row.append(firsts.map { ReportText.duration($0?.latencyMs) }.joined(separator: " / "))
                row.append(firsts.map { ReportText.tokens($0) }.joined(separator: " / "))
                row.append(firsts.map { ReportText.money($0?.costUSD) }.joined(separator: " / "))
                rows.append(row)
            }
            lines += align(rows).map { "  " + $0 }
            lines.append("")
            var totals = [["", "PASSED", "FAILED", "ERRORS", "FLAKY", "COST", "P50", "P95", "CACHE HITS"]]
            for (side, summary) in zip(run.sides, run.summaries) {
                totals.append([
                    "\(side.label) \(side.version)", ReportText.rate(summary), "\(summary.failed)", "\(summary.errors + summary.skipped)",
                    "\(summary.flaky)", ReportText.money(summary.costUSD), ReportText.duration(summary.latencyP50Ms),
                    ReportText.duration(summary.latencyP95Ms), "\(summary.cacheHits)/\(summary.samples)",
                ])
            }
            lines += align(totals).map { "  " + $0 }
            for comparison in run.comparisons {
                lines.append("  \(comparison.candidate) vs \(comparison.reference): new failures: \(list(comparison.newFailures)) · fixed: \(list(comparison.fixed)) · still failing: \(list(comparison.stillFailing))")
            }
            lines.append("")
        }
        lines.append(ReportText.verdictLine(report))
        return lines.joined(separator: "\n")
    }

    static func list(_ ids: [String]) -> String { ids.isEmpty ? "none" : ids.joined(separator: ", ") }

    static func align(_ rows: [[String]]) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }
}
