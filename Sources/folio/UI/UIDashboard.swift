import FolioCore
import FolioTelemetry
import Foundation

/// The Dashboard: per prompt version and UTC day, prompt tokens, cost per call, latency and
/// TTFT p95, error and misclassification rates, as SVG drawn here, with each promotion of
/// the prompt marked on the time axis; and the before/after table of two versions. The
/// numbers are `folio report`'s (`TraceSource.report`, the same request), and the table is
/// `folio report --compare`'s (`ReportCommand.comparison`).
extension UIApp {
    static let charted = ["input_tokens_mean", "cost_mean_usd", "latency_p95_ms", "ttft_p95_ms", "error_rate", "misclassification_rate"].compactMap(ReportMetric.named)
    static let palette = ["#0b5cad", "#b35900", "#116329", "#8a2be2", "#a4161a", "#4a5561"]

    func dashboard(_ query: UIQuery) async throws -> String {
        let filter = self.filter(query)
        let label = query.value("label") ?? labels.first
        let result = try await source.report(ReportRequest(filter: filter, groupBy: [.version], labelAttribute: label, prices: prices()))
        let report = result.report
        let versions = report.groups.keys.sorted { (Int($0) ?? .max, $0) < (Int($1) ?? .max, $1) }
        let days = report.days
        let marks = promotionMarks(prompt: filter.prompt, days: days)
        let form = """
            <form class="filters" method="get" action="/dashboard" aria-label="Dashboard filters">
            \(HTML.field("prompt", label: "Prompt", value: filter.prompt)) \(HTML.field("since", label: "Since", value: query.value("since"), placeholder: "30d"))
            \(HTML.field("until", label: "Until", value: query.value("until"))) \(HTML.field("label", label: "Expected-label attribute", value: label))
            \(HTML.field("a", label: "Before (version)", value: query.value("a"))) \(HTML.field("b", label: "After (version)", value: query.value("b")))
            <button type="submit">Show</button></form>
            """
        guard !versions.isEmpty else { return HTML.page(title: "Dashboard", active: "dashboard", body: form + "<p>No LLM call matches.</p>") }
        let legend =
            "<p class=\"legend\">"
            + versions.enumerated().map { index, version in
                "<span><svg width=\"14\" height=\"4\" aria-hidden=\"true\"><rect width=\"14\" height=\"4\" fill=\"\(Self.palette[index % Self.palette.count])\"/></svg> version \(HTML.escape(version))</span>"
            }.joined() + (marks.isEmpty ? "" : "<span>| promotions marked</span>") + "</p>"
        let charts = Self.charted.map { metric -> String in
            let series = versions.map { version in (version, report.series(version, metric, days: days)) }
            return "<figure><figcaption>\(HTML.escape(metric.title))</figcaption>\(Self.chart(series, days: days, marks: marks, format: metric.format))</figure>"
        }.joined()
        var body = form + legend + "<div class=\"charts\">" + charts + "</div>"
        let before = query.value("a") ?? (versions.count > 1 ? versions[versions.count - 2] : nil)
        let after = query.value("b") ?? versions.last
        if let before, let after, before != after {
            // Grouped by version, the two groups are what `--compare version=a,version=b`
            // selects: the same numbers without reading the traces again.
            let rows = ReportCommand.comparison(["version=\(before)", "version=\(after)"], report.selecting([before: "0", after: "1"])).rows
            body +=
                "<h2>Before and after: version \(HTML.escape(before)) → \(HTML.escape(after))</h2>"
                + HTML.table(rows[0], rows.dropFirst().map { $0.map(HTML.escape) }, caption: "The same numbers as folio report --compare version=\(before),version=\(after)")
        }
        let totals = versions.map { version in [HTML.escape(version)] + ReportMetric.all.map { HTML.escape($0.text(report.groups[version]!)) } }
        body += "<h2>Per version</h2>" + HTML.table(["version"] + ReportMetric.all.map(\.title), totals)
        return HTML.page(title: "Dashboard\(filter.prompt.map { ": " + $0 } ?? "")", active: "dashboard", body: body)
    }

    /// The days a promotion of `prompt` landed on, with its label.
    func promotionMarks(prompt: String?, days: [String]) -> [(day: String, label: String)] {
        guard let prompt, let repo = try? repository(), let log = try? PromotionLog(repository: repo) else { return [] }
        return log.promotions.compactMap { checked in
            guard checked.isValid, let trailer = checked.promotion.trailers.first(where: { $0.prompt == prompt }), let date = checked.promotion.tagger?.date else { return nil }
            let day = String(Self.time(date).prefix(10))
            return days.contains(day) ? (day, "v\(trailer.version) → \(checked.promotion.environment)") : nil
        }
    }

    /// A line chart: one line per series over the days (gaps where a day has no value), the
    /// promotions as dashed vertical lines, the axis range as text. Values are numbers; the
    /// only text from data is escaped labels.
    static func chart(_ series: [(name: String, values: [Double?])], days: [String], marks: [(day: String, label: String)], format: (Double) -> String) -> String {
        let width = 420.0, height = 160.0, left = 8.0, right = 8.0, top = 10.0, bottom = 22.0
        let values = series.flatMap { $0.values.compactMap { $0 } }.filter(\.isFinite)
        guard let low = values.min(), let high = values.max(), !days.isEmpty else { return "<p class=\"muted\">n/a</p>" }
        let span = high > low ? high - low : max(abs(high), 1)
        let floor = high > low ? low : low - span / 2
        func x(_ index: Int) -> Double { days.count == 1 ? width / 2 : left + Double(index) * (width - left - right) / Double(days.count - 1) }
        func y(_ value: Double) -> Double { top + (1 - (value - floor) / span) * (height - top - bottom) }
        var svg = "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTML.escape("from \(format(low)) to \(format(high)), \(days.first!) to \(days.last!)"))\">"
        svg += "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - right)\" y2=\"\(height - bottom)\" stroke=\"#8c959f\"/>"
        for mark in marks {
            guard let index = days.firstIndex(of: mark.day) else { continue }
            svg += "<line x1=\"\(x(index))\" y1=\"\(top)\" x2=\"\(x(index))\" y2=\"\(height - bottom)\" stroke=\"#4a5561\" stroke-dasharray=\"4 3\"><title>\(HTML.escape(mark.label))</title></line>"
        }
        for (number, line) in series.enumerated() {
            let color = palette[number % palette.count]
            var segments: [[(Double, Double)]] = [[]]
            for (index, value) in line.values.enumerated() {
                if let value, value.isFinite { segments[segments.count - 1].append((x(index), y(value))) } else if !segments[segments.count - 1].isEmpty { segments.append([]) }
            }
            for segment in segments where !segment.isEmpty {
                if segment.count == 1 {
                    svg += "<circle cx=\"\(segment[0].0)\" cy=\"\(segment[0].1)\" r=\"3\" fill=\"\(color)\"/>"
                } else {
                    svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(segment.map { String(format: "%.1f,%.1f", $0.0, $0.1) }.joined(separator: " "))\"/>"
                }
            }
        }
        svg += "<text x=\"\(left)\" y=\"\(height - 6)\">\(HTML.escape(days.first!))</text><text x=\"\(width - right)\" y=\"\(height - 6)\" text-anchor=\"end\">\(HTML.escape(days.last!))</text>"
        svg += "<text x=\"\(width - right)\" y=\"\(top + 8)\" text-anchor=\"end\">\(HTML.escape(format(high)))</text></svg>"
        return svg
    }
}
