import Foundation

/// `folio report --format html`: one self-contained file (no network) with the summary
/// table and a line chart per drift metric, one line per group, one point per day.
package enum TraceReportHTML {
    static let colors = ["#0969da", "#cf222e", "#1a7f37", "#9a6700", "#8250df", "#bc4c00", "#1b7c83", "#6e7781"]

    package static func render(_ report: TraceReport, groupTitle: String) -> String {
        let names = report.groups.keys.sorted()
        var body = ["<h1>Folio trace report</h1>", "<table><tr><th>\(escape(groupTitle))</th>" + ReportMetric.all.map { "<th>\(escape($0.title))</th>" }.joined() + "</tr>"]
        for name in names {
            body.append("<tr><td>\(escape(name))</td>" + ReportMetric.all.map { "<td>\(escape($0.value(report.groups[name]!).map($0.format) ?? "n/a"))</td>" }.joined() + "</tr>")
        }
        body.append("</table>")
        let days = report.days
        body.append("<h2>Per day (UTC), \(escape(days.first ?? "")) to \(escape(days.last ?? ""))</h2>")
        for metric in ReportMetric.trends {
            let series = names.map { report.series($0, metric, days: days) }
            guard series.contains(where: { $0.contains { $0 != nil } }) else { continue }
            body.append(chart(metric, names: names, series: series, days: days))
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Folio trace report</title>
            <style>
            body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
            table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
            th:first-child,td:first-child{text-align:left}th{background:#f4f4f4}
            figure{display:inline-block;margin:0 2em 2em 0}figcaption{font-weight:600}
            .legend span{margin-right:1em}
            </style></head><body>
            \(body.joined(separator: "\n"))
            </body></html>

            """
    }

    static func chart(_ metric: ReportMetric, names: [String], series: [[Double?]], days: [String]) -> String {
        let width = 560.0, height = 200.0, left = 70.0, bottom = 30.0, top = 10.0, right = 10.0
        let values = series.flatMap { $0.compactMap { $0 } }
        let high = max(values.max() ?? 1, 1e-12), low = min(values.min() ?? 0, 0)
        func x(_ index: Int) -> Double { days.count <= 1 ? left + (width - left - right) / 2 : left + Double(index) / Double(days.count - 1) * (width - left - right) }
        func y(_ value: Double) -> Double { top + (1 - (value - low) / (high - low)) * (height - top - bottom) }
        var svg = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"\(escape(metric.title)) per day\">"]
        svg.append("<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - right)\" y2=\"\(height - bottom)\" stroke=\"#999\"/>")
        svg.append("<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(height - bottom)\" stroke=\"#999\"/>")
        svg.append("<text x=\"\(left - 6)\" y=\"\(top + 10)\" text-anchor=\"end\" font-size=\"11\">\(escape(metric.format(high)))</text>")
        svg.append("<text x=\"\(left - 6)\" y=\"\(height - bottom)\" text-anchor=\"end\" font-size=\"11\">\(escape(metric.format(low)))</text>")
        if let first = days.first { svg.append("<text x=\"\(left)\" y=\"\(height - 8)\" font-size=\"11\">\(escape(first))</text>") }
        if days.count > 1, let last = days.last { svg.append("<text x=\"\(width - right)\" y=\"\(height - 8)\" text-anchor=\"end\" font-size=\"11\">\(escape(last))</text>") }
        for (index, points) in series.enumerated() {
            let color = colors[index % colors.count]
            let coordinates = points.enumerated().compactMap { day, value in value.map { String(format: "%.1f,%.1f", x(day), y($0)) } }
            if coordinates.count > 1 { svg.append("<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(coordinates.joined(separator: " "))\"/>") }
            for point in coordinates {
                let parts = point.split(separator: ",")
                svg.append("<circle cx=\"\(parts[0])\" cy=\"\(parts[1])\" r=\"3\" fill=\"\(color)\"/>")
            }
        }
        svg.append("</svg>")
        let legend = names.enumerated().map { "<span style=\"color:\(colors[$0.offset % colors.count])\">■ \(escape($0.element))</span>" }.joined()
        return "<figure><figcaption>\(escape(metric.title))</figcaption>\(svg.joined())<div class=\"legend\">\(legend)</div></figure>"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
