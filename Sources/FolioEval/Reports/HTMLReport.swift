import Foundation

/// One self-contained HTML file (no network): totals, then the side-by-side table with a
/// "failures only" filter.
package enum HTMLReport {
    package static func render(_ report: EvalReport) -> String {
        var body: [String] = []
        body.append("<h1 class=\"verdict \(report.verdict.rawValue)\">\(escape(ReportText.verdictLine(report)))</h1>")
        body.append("<label><input type=\"checkbox\" id=\"failures-only\"> Failures only</label>")
        for run in report.runs {
            body.append("<h2>\(escape(run.prompt)) · \(escape(run.goldenSet))</h2>")
            body.append(
                "<table class=\"totals\"><tr><th>side</th><th>version</th><th>provider/model</th><th>passed</th><th>failed</th><th>errors</th><th>flaky</th><th>cost</th><th>p50</th><th>p95</th><th>cache hits</th></tr>"
            )
            for (side, summary) in zip(run.sides, run.summaries) {
                let cells = [
                    side.label, side.version, "\(side.provider)/\(side.model)", ReportText.rate(summary), "\(summary.failed)", "\(summary.errors + summary.skipped)", "\(summary.flaky)",
                    ReportText.money(summary.costUSD), ReportText.duration(summary.latencyP50Ms), ReportText.duration(summary.latencyP95Ms), "\(summary.cacheHits)/\(summary.samples)",
                ]
                body.append("<tr>" + cells.map { "<td>\(escape($0))</td>" }.joined() + "</tr>")
            }
            body.append("</table>")
            for comparison in run.comparisons {
                body.append(
                    "<p>\(escape(comparison.candidate)) vs \(escape(comparison.reference)): new failures: <b>\(escape(TableReport.list(comparison.newFailures)))</b>; fixed: \(escape(TableReport.list(comparison.fixed)))</p>"
                )
            }
            body.append("<table class=\"cases\"><tr><th>case</th><th>input</th><th>expected</th>" + run.sides.map { "<th>\(escape("\($0.label) \($0.version)"))</th>" }.joined() + "</tr>")
            for result in run.cases {
                let failing = result.sides.contains { $0.status != .pass }
                var row =
                    "<tr class=\"\(failing ? "failing" : "passing")\" data-case=\"\(escape(result.id))\"><td>\(escape(result.id))</td><td class=\"input\">\(escape(result.input))</td><td>\(escape(result.expected ?? ""))</td>"
                for side in result.sides {
                    let sample = side.samples.first
                    let detail = [ReportText.duration(sample?.latencyMs), ReportText.tokens(sample) + " tokens", ReportText.money(sample?.costUSD), sample?.cached == true ? "cached" : ""].filter {
                        !$0.isEmpty
                    }.joined(separator: " · ")
                    let why = side.status == .pass ? "" : "<div class=\"why\">\(escape(ReportText.failure(side)))</div>"
                    row +=
                        "<td class=\"\(side.status.rawValue)\"><div class=\"answer\">\(escape(ReportText.answer(side)))</div><div class=\"mark\">\(escape(ReportText.mark(side)))</div>\(why)<div class=\"meta\">\(escape(detail))</div></td>"
                }
                body.append(row + "</tr>")
            }
            body.append("</table>")
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Folio evaluation: \(escape(report.verdict.rawValue))</title>
            <style>
            body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
            table{border-collapse:collapse;margin:1em 0;width:100%}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
            th{background:#f4f4f4}.pass{background:#eefbea}.fail{background:#fdecea}.error,.skipped{background:#fff6e0}
            .verdict.pass{color:#1a7f37}.verdict.fail,.verdict.regression{color:#cf222e}.verdict.inconclusive{color:#9a6700}
            .why,.meta{font-size:12px;color:#555}.input{max-width:28em}.answer{white-space:pre-wrap}
            body.failures-only tr.passing{display:none}
            </style></head><body>
            \(body.joined(separator: "\n"))
            <script>
            document.getElementById('failures-only').addEventListener('change', function (event) {
              document.body.classList.toggle('failures-only', event.target.checked);
            });
            </script>
            </body></html>

            """
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
