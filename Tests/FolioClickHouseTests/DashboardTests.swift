import FolioClickHouse
import FolioTelemetry
import FolioTestSupport
import Foundation
import Testing

/// dashboards/folio.json is what `folio traces dashboard` prints, and every panel's SQL runs
/// on the real engine with Grafana's macros filled in, giving the report's numbers per day.
struct DashboardTests {
    @Test func theShippedDashboardIsTheGeneratedOne() throws {
        let shipped = try Data(contentsOf: Fixtures.packageRoot.appendingPathComponent("dashboards/folio.json"))
        #expect(shipped == (try ClickHouseDashboard.grafana()) + Data("\n".utf8), "regenerate it: folio traces dashboard > dashboards/folio.json")
        let object = try #require(try JSONSerialization.jsonObject(with: shipped) as? [String: Any])
        let panels = try #require(object["panels"] as? [[String: Any]])
        #expect(panels.count == 5)
        #expect(panels.allSatisfy { (($0["datasource"] as? [String: Any])?["type"] as? String) == "grafana-clickhouse-datasource" })
    }

    /// Grafana's macros and variables as the ClickHouse plugin expands them.
    static func expanded(_ sql: String, label: String, filter: (String, String)) -> String {
        sql.replacingOccurrences(of: "$__fromTime", with: "toDateTime(1780000000)").replacingOccurrences(of: "$__toTime", with: "toDateTime(1800000000)")
            .replacingOccurrences(of: "$__interval_s", with: "86400").replacingOccurrences(of: "${prompt:sqlstring}", with: "'support_ticket_triage'")
            .replacingOccurrences(of: "${label_attr:sqlstring}", with: "'\(label)'").replacingOccurrences(of: "${filter_attr:sqlstring}", with: "'\(filter.0)'")
            .replacingOccurrences(of: "${filter_value:sqlstring}", with: "'\(filter.1)'")
    }

    @Test func everyPanelGivesTheReportsNumbersPerDay() async throws {
        let dataset = try #require(TraceSourceConformanceTests.datasets.first { $0.name == "versions" })
        let source = try await TraceSourceConformanceTests.clickHouse(dataset)
        let panels = try ClickHouseDashboard.panels(database: source.client.url.database)
        let report = try await FileTraceSource(paths: dataset.paths).report(
            ReportRequest(filter: TraceFilter(prompt: "support_ticket_triage"), groupBy: [.version], labelAttribute: dataset.label))
        let groups = report.report.json()
        func daily(_ version: String, _ day: String, _ key: String) -> Double? {
            let group = groups.first { $0["group"] as? String == version }
            let bucket = (group?["daily"] as? [[String: Any]])?.first { $0["day"] as? String == day }
            return bucket?[key] as? Double ?? (bucket?[key] as? Int).map(Double.init)
        }
        let keys = ["input_tokens_mean", "cost_mean_usd", "ttft_p95_ms", "misclassification_rate"]
        var compared = 0
        for (panel, key) in zip(panels.prefix(4), keys) {
            let rows = try await source.client.rows(Self.expanded(panel.sql, label: dataset.label, filter: dataset.condition.key == "" ? ("", "") : (dataset.condition.key, dataset.condition.value)))
            #expect(!rows.isEmpty, "\(panel.title)")
            for row in rows {
                let day = String((row["time"]?.string ?? "").prefix(10))
                let version = String((row["series"]?.string ?? "").dropFirst("version ".count))
                let expected = daily(version, day, key)
                let value = row["value"]?.double
                #expect((value == nil) == (expected == nil), "\(panel.title) \(version) \(day): \(String(describing: value)) vs \(String(describing: expected))")
                if let value, let expected {
                    #expect(abs(value - expected) <= 1e-9 * max(1, abs(expected)), "\(panel.title) \(version) \(day): \(value) vs \(expected)")
                    compared += 1
                }
            }
        }
        #expect(compared > 20)
        // The completions table: the filter attribute (from the wrapper span) picks its calls.
        let table = try await source.client.rows(Self.expanded(panels[4].sql, label: dataset.label, filter: ("app.region", "eu")))
        let listed = try await source.calls(
            CallsRequest(filter: TraceFilter(prompt: "support_ticket_triage", conditions: [.init(key: "app.region", value: "eu")]), limit: 200))
        #expect(table.compactMap { $0["span_id"]?.string } == listed.rows.map(\.span.hex))
        #expect(!table.isEmpty)
    }
}
