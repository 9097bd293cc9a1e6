import Foundation

/// The terminal view: per case, both sides' answers and verdicts, fitted to the terminal's
/// width; below it, every failure's and error's reason in full; then totals.
package enum TableReport {
    /// The width used when the caller knows none (not a terminal, no COLUMNS).
    package static let defaultWidth = 120

    package static func render(_ report: EvalReport, width: Int = defaultWidth) -> String {
        var lines: [String] = []
        for run in report.runs {
            lines.append("\(run.prompt) · \(run.goldenSet)")
            lines.append("  " + run.sides.map(ReportText.sideTitle).joined(separator: "  vs  "))
            for (side, summary) in zip(run.sides, run.summaries) where !summary.answeredBy.isEmpty && summary.answeredBy != [side.model] {
                lines.append("  \(side.label): answered by \(summary.answeredBy.joined(separator: ", "))")
            }
            lines += caseTable(run, width: width - 2).map { "  " + $0 }
            let reasons = run.cases.flatMap { result in
                zip(run.sides, result.sides).compactMap { side, sideResult -> String? in
                    guard sideResult.status == .fail || sideResult.status == .error else { return nil }
                    return "  \(result.id) · \(side.label): \(ReportText.mark(sideResult)): \(ReportText.failure(sideResult).replacingOccurrences(of: "\n", with: " "))"
                }
            }
            if !reasons.isEmpty {
                lines.append("")
                lines += reasons
            }
            lines.append("")
            var totals = [["", "PASSED", "FAILED", "ERRORS", "FLAKY", "COST", "P50", "P95", "CACHE HITS"]]
            for (side, summary) in zip(run.sides, run.summaries) {
                totals.append([
                    "\(side.label) \(side.version)", ReportText.rate(summary), "\(summary.failed)", "\(summary.errors + summary.skipped)",
                    "\(summary.flaky)", ReportText.money(summary.costUSD), ReportText.duration(summary.latencyP50Ms),
                    ReportText.duration(summary.latencyP95Ms), "\(summary.cacheHits)/\(summary.samples)",
                ])
            }
            lines += fitted(totals, width: width - 2, dropping: ["CACHE HITS", "P50", "FLAKY", "ERRORS"]).map { "  " + $0 }
            for comparison in run.comparisons {
                lines.append(
                    "  \(comparison.candidate) vs \(comparison.reference): new failures: \(list(comparison.newFailures)) · fixed: \(list(comparison.fixed)) · still failing: \(list(comparison.stillFailing))"
                )
            }
            lines.append("")
        }
        lines.append(ReportText.verdictLine(report))
        return lines.joined(separator: "\n")
    }

    /// One column: its cells (header first) and what follows each cell's text (a verdict,
    /// which is never cut); the widest its text may be, the narrowest it shrinks to before
    /// optional columns go (`soft`) and after (`hard`).
    struct Column {
        var header: String
        var cells: [String]
        var suffixes: [String]
        var maximum: Int
        var soft: Int
        var hard: Int

        var suffixWidth: Int { suffixes.map(\.count).max() ?? 0 }
        var natural: Int { max(header.count, min(cells.map(\.count).max() ?? 0, maximum) + suffixWidth) }
    }

    /// The per-case table in at most `width` characters: inputs shrink first, then
    /// answers, then expected values; then tokens, latency and cost go (the totals below
    /// keep them); then everything shrinks to its narrowest. A verdict is never cut.
    static func caseTable(_ run: EvalRun, width: Int) -> [String] {
        let firsts = run.cases.map { $0.sides.map(\.samples.first) }
        func column(_ header: String, _ cells: [String], suffixes: [String]? = nil, maximum: Int, soft: Int, hard: Int) -> Column {
            Column(header: header, cells: cells, suffixes: suffixes ?? Array(repeating: "", count: cells.count), maximum: maximum, soft: soft, hard: hard)
        }
        var columns = [
            column("CASE", run.cases.map(\.id), maximum: 40, soft: 40, hard: 12),
            column("INPUT", run.cases.map { flat($0.input) }, maximum: 36, soft: 16, hard: 10),
            column("EXPECTED", run.cases.map { flat($0.expected ?? "") }, maximum: 16, soft: 10, hard: 6),
        ]
        for (index, side) in run.sides.enumerated() {
            let results = run.cases.map { $0.sides[index] }
            columns.append(
                column(
                    side.label.uppercased(), results.map { flat(ReportText.answer($0)) },
                    suffixes: results.map { " " + ReportText.mark($0) }, maximum: 18, soft: 10, hard: 6))
        }
        let optional = [
            column("LATENCY", firsts.map { $0.map { ReportText.duration($0?.latencyMs) }.joined(separator: " / ") }, maximum: 60, soft: 60, hard: 60),
            column("TOKENS", firsts.map { $0.map { ReportText.tokens($0) }.joined(separator: " / ") }, maximum: 60, soft: 60, hard: 60),
            column("COST", firsts.map { $0.map { ReportText.money($0?.costUSD) }.joined(separator: " / ") }, maximum: 60, soft: 60, hard: 60),
        ]
        // Shrink INPUT, then the answers, then EXPECTED (then CASE) toward a floor.
        let order = [1] + Array(3..<(3 + run.sides.count)) + [2, 0]
        func fit(_ columns: [Column], hard: Bool) -> [Int] {
            var widths = columns.map(\.natural)
            func total() -> Int { widths.reduce(0, +) + 2 * max(0, widths.count - 1) }
            for index in order where total() > width {
                let floor = max(columns[index].header.count, (hard ? columns[index].hard : columns[index].soft) + columns[index].suffixWidth)
                widths[index] = max(min(widths[index], floor), widths[index] - (total() - width))
            }
            return widths
        }
        func fits(_ widths: [Int]) -> Bool { widths.reduce(0, +) + 2 * max(0, widths.count - 1) <= width }
        var chosen = columns + optional
        var widths = fit(chosen, hard: false)
        // Drop tokens, then latency, then cost, while the soft fit is too wide.
        for drop in ["TOKENS", "LATENCY", "COST"] where !fits(widths) {
            chosen.removeAll { $0.header == drop }
            widths = fit(chosen, hard: false)
        }
        if !fits(widths) { widths = fit(chosen, hard: true) }
        columns = chosen
        return (0..<(run.cases.count + 1)).map { row in
            columns.indices.map { index in
                let column = columns[index]
                let cell = row == 0 ? column.header : ReportText.shorten(column.cells[row - 1], max(1, widths[index] - column.suffixWidth)) + column.suffixes[row - 1]
                return index == columns.count - 1 ? cell : cell.padding(toLength: max(widths[index], cell.count), withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }

    private static func flat(_ text: String) -> String { text.replacingOccurrences(of: "\n", with: " ") }

    /// `rows` aligned, without the named columns (in that order) while too wide.
    static func fitted(_ rows: [[String]], width: Int, dropping: [String]) -> [String] {
        var rows = rows
        var lines = align(rows)
        for name in dropping where (lines.map(\.count).max() ?? 0) > width {
            guard let index = rows.first?.firstIndex(of: name) else { continue }
            rows = rows.map { row in
                var row = row
                row.remove(at: index)
                return row
            }
            lines = align(rows)
        }
        return lines
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
