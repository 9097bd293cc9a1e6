import Foundation

/// A pull-request comment: verdict first, a summary table, the regressions with both
/// outputs and the failed assertion, everything else folded. The hidden marker lets a
/// bot find and update its one comment; the text stays under GitHub's 65,536 characters.
package enum MarkdownReport {
    package static let marker = "<!-- folio-check -->"
    package static let limit = 65_536

    package static func render(_ report: EvalReport) -> String {
        var head = [marker, "## \(icon(report.verdict)) Folio check: \(ReportText.verdictLine(report))", ""]
        head.append("| prompt | golden set | " + "side | version | provider/model | passed | new failures | fixed | flaky | cost | p95 latency |")
        head.append("|---|---|---|---|---|---|---|---|---|---|---|")
        for run in report.runs {
            for (index, (side, summary)) in zip(run.sides, run.summaries).enumerated() {
                let comparison = index == 0 ? nil : run.comparisons[index - 1]
                head.append(
                    "| \(cell(run.prompt)) | \(cell(name(run.goldenSet))) | \(side.label) | \(side.version) | \(cell(side.provider))/\(cell(summary.answeredBy.isEmpty ? side.model : summary.answeredBy.joined(separator: ", "))) | \(ReportText.rate(summary)) | \(comparison.map { "\($0.newFailures.count)" } ?? "–") | \(comparison.map { "\($0.fixed.count)" } ?? "–") | \(summary.flaky) | \(ReportText.money(summary.costUSD)) | \(ReportText.duration(summary.latencyP95Ms)) |"
                )
            }
        }
        var regressions: [String] = []
        for run in report.runs {
            for comparison in run.comparisons where !comparison.newFailures.isEmpty {
                guard let candidate = run.sides.firstIndex(where: { $0.label == comparison.candidate }) else { continue }
                regressions.append("")
                regressions.append("### Regressions: \(run.prompt), \(comparison.candidate) vs \(comparison.reference)")
                regressions.append("| case | input | expected | \(comparison.reference) output | \(comparison.candidate) output | failed assertion |")
                regressions.append("|---|---|---|---|---|---|")
                for result in run.cases where comparison.newFailures.contains(result.id) {
                    regressions.append(
                        "| \(cell(result.id)) | \(cell(ReportText.shorten(result.input, 200))) | \(cell(result.expected ?? "")) | \(cell(ReportText.shorten(ReportText.answer(result.sides[0]), 200))) | \(cell(ReportText.shorten(ReportText.answer(result.sides[candidate]), 200))) | \(cell(ReportText.shorten(ReportText.failure(result.sides[candidate]), 200))) |"
                    )
                }
            }
        }
        if report.verdict == .inconclusive, let reason = report.reason { regressions.append("\n> **Inconclusive:** \(reason)") }
        for note in report.notes ?? [] { regressions.append("\n> **Note:** \(note)") }
        var details: [String] = []
        for run in report.runs {
            details.append("")
            details.append("<details><summary>All \(run.cases.count) cases of \(cell(run.prompt)) · \(cell(name(run.goldenSet)))</summary>")
            details.append("")
            details.append("| case | input | expected | " + run.sides.map { "\($0.label) \($0.version)" }.joined(separator: " | ") + " |")
            details.append("|---|---|---|" + String(repeating: "---|", count: run.sides.count))
            for result in run.cases {
                let answers = result.sides.map { "\(cell(ReportText.shorten(ReportText.answer($0), 120))) (\(ReportText.mark($0)))" }
                details.append("| \(cell(result.id)) | \(cell(ReportText.shorten(result.input, 200))) | \(cell(result.expected ?? "")) | " + answers.joined(separator: " | ") + " |")
            }
            details.append("")
            details.append("</details>")
        }
        let footer = ["", String(format: "<sub>folio check · %.1f s · the JSON report (folio/eval-report@1) has every sample</sub>", report.durationSeconds)]
        return fit(head + regressions, details, footer)
    }

    /// Drops detail rows from the end until the comment fits GitHub's limit.
    static func fit(_ main: [String], _ details: [String], _ footer: [String]) -> String {
        var kept = details
        var text = (main + kept + footer).joined(separator: "\n") + "\n"
        while text.utf8.count > limit - 200, !kept.isEmpty {
            kept.removeLast(max(1, kept.count / 10))
            text = (main + kept + ["", "_… more cases are in the JSON report; this comment is cut to fit GitHub's limit._", "</details>"] + footer).joined(separator: "\n") + "\n"
        }
        if text.utf8.count > limit - 200 { text = String(decoding: text.utf8.prefix(limit - 200), as: UTF8.self) }
        return text
    }

    static func icon(_ verdict: Verdict) -> String {
        switch verdict {
        case .pass: return "✅"
        case .fail, .regression: return "❌"
        case .inconclusive: return "⚠️"
        }
    }

    static func name(_ path: String) -> String { (path as NSString).lastPathComponent }

    /// A table cell: no pipes or newlines, no HTML.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
