import FolioModel
import FolioTelemetry
import Foundation

/// `dashboards/folio.json`: a Grafana dashboard for the ClickHouse data source plugin
/// (grafana-clickhouse-datasource) with the seed's four views per prompt version, over
/// the same joined calls `folio report` aggregates (`ClickHouseCalls`, one place): prompt
/// tokens over time, cost per call, TTFT p95 (nearest rank, as the report), and the
/// misclassification rate with a table of completions filtered by a business attribute.
/// `folio traces dashboard` prints it; a test runs every panel's SQL on the real engine
/// and holds its numbers to the report's.
package enum ClickHouseDashboard {
    /// One panel: its title, Grafana type and SQL (with Grafana's macros and variables).
    package struct Panel: Sendable {
        package let title: String
        package let type: String
        package let sql: String
    }

    /// The dashboard's variables, as the SQL spells them.
    package enum Variable {
        package static let prompt = "${prompt:sqlstring}"
        package static let labelAttribute = "${label_attr:sqlstring}"
        package static let filterAttribute = "${filter_attr:sqlstring}"
        package static let filterValue = "${filter_value:sqlstring}"
        package static let from = "$__fromTime"
        package static let to = "$__toTime"
        package static let interval = "$__interval_s"
    }

    /// The panels over `database`'s tables (the exporter's default is `otel`).
    package static func panels(database: String = "otel", tracesTable: String = "otel_traces", logsTable: String = "otel_logs") throws -> [Panel] {
        let url = try ClickHouseURL("clickhouse://grafana@localhost:8123/\(database)?traces_table=\(tracesTable)&logs_table=\(logsTable)")
        // Sentinels that become Grafana's variables once the SQL is built.
        let since = Date(timeIntervalSince1970: 1_000_000_001), until = Date(timeIntervalSince1970: 1_000_000_002)
        let sentinels = ["__prompt__": Variable.prompt, "__label__": Variable.labelAttribute, "__filter_key__": Variable.filterAttribute, "__filter_value__": Variable.filterValue]
        func build(labels: [String], filter: TraceFilter, outputs: Bool, select: (_ label: (String) -> String) -> String) -> String {
            var parameters = SQLParameters()
            let calls = ClickHouseCalls(url: url, inherited: labels, outputs: outputs)
            let with = calls.with(filter, parameters: &parameters)
            let conditions = calls.conditions(filter, parameters: &parameters)
            // The filter always has a prompt and a time range, so there are conditions.
            var sql = (with + "\n" + select(calls.label)).replacingOccurrences(of: "{{conditions}}", with: conditions.joined(separator: " AND "))
            for (name, value) in parameters.values {
                let replacement: String
                if let variable = sentinels[value] {
                    replacement = variable
                } else if value == ClickHouseCalls.time(since) {
                    replacement = "toDateTime64(\(Variable.from), 9)"
                } else if value == ClickHouseCalls.time(until) {
                    replacement = "toDateTime64(\(Variable.to), 9)"
                } else if value == String(ClickHouseCalls.nanoseconds(since)) {
                    replacement = "toUnixTimestamp64Nano(toDateTime64(\(Variable.from), 9))"
                } else if value == String(ClickHouseCalls.nanoseconds(until)) {
                    replacement = "toUnixTimestamp64Nano(toDateTime64(\(Variable.to), 9))"
                } else {
                    replacement = literal(value)
                }
                sql = sql.replacingOccurrences(of: "{\(name):String}", with: replacement).replacingOccurrences(of: "{\(name):DateTime64(9)}", with: replacement)
                    .replacingOccurrences(of: "{\(name):UInt64}", with: replacement)
            }
            return sql
        }
        let window = TraceFilter(prompt: "__prompt__", since: since, until: until)
        let bucket = "toStartOfInterval(fromUnixTimestamp64Nano(toInt64(start), 'UTC'), INTERVAL \(Variable.interval) second)"
        func overTime(_ value: String, labels: [String] = [], outputs: Bool = false) -> String {
            build(labels: labels, filter: window, outputs: outputs) { label in
                """
                SELECT \(bucket) AS time, concat('version ', ifNull(version, '-')) AS series, \(value.replacingOccurrences(of: "{{label}}", with: label("__label__"))) AS value
                FROM calls WHERE {{conditions}}
                GROUP BY time, series ORDER BY time, series
                """
            }
        }
        let price = priceExpression()
        let verdict = """
            if(isNotNull({{label}}) AND isNotNull(output), \(ClickHouseDialect.normalized("output")) = \(ClickHouseDialect.normalized("{{label}}")), evaluation)
            """
        return [
            Panel(title: "Prompt tokens per call (mean)", type: "timeseries", sql: overTime("avgIf(input_tokens, isNotNull(input_tokens))")),
            Panel(title: "Cost per call (USD, mean)", type: "timeseries", sql: overTime("avgIf(\(price), isNotNull(\(price)))")),
            Panel(
                title: "Time to first token p95 (ms)", type: "timeseries",
                sql: overTime(
                    "if(countIf(isNotNull(ttft_ms)) = 0, NULL, arraySort(groupArrayIf(ttft_ms, isNotNull(ttft_ms)))[toUInt64(greatest(1, ceil(0.95 * countIf(isNotNull(ttft_ms)))))])")
            ),
            Panel(
                title: "Misclassification rate", type: "timeseries",
                sql: overTime("1 - countIf((\(verdict)) = 1) / nullIf(countIf(isNotNull(\(verdict))), 0)", labels: ["__label__"], outputs: true)),
            Panel(
                title: "Completions", type: "table",
                sql: build(
                    labels: ["__label__", "__filter_key__"],
                    filter: TraceFilter(prompt: "__prompt__", since: since, until: until, conditions: [.init(key: "__filter_key__", value: "__filter_value__")]),
                    outputs: true
                ) { label in
                    """
                    SELECT fromUnixTimestamp64Nano(toInt64(start), 'UTC') AS time, version, model, \(label("__label__")) AS expected, output,
                        if(isNull(\(label("__label__"))) OR isNull(output), NULL, \(ClickHouseDialect.normalized("output")) = \(ClickHouseDialect.normalized(label("__label__")))) AS correct,
                        round(latency_ms) AS latency_ms, trace AS trace_id, span AS span_id
                    FROM calls WHERE {{conditions}}
                    ORDER BY start DESC, span DESC LIMIT 200
                    """
                }),
        ]
    }

    /// Each call's cost in USD from its model's price (`PriceTable`: an exact name, else the
    /// longest known name it starts with), NULL when the price or a count is unknown.
    static func priceExpression(overrides: [String: ModelPrice] = [:]) -> String {
        let prices = PriceTable.builtIn.merging(overrides) { _, new in new }
        let cases = prices.keys.sorted { ($0.count, $0) > ($1.count, $1) }.map { name -> String in
            let price = prices[name]!
            return "model = \(literal(name)) OR startsWith(model, \(literal(name + "-"))), (input_tokens * \(price.input) + output_tokens * \(price.output)) / 1000000"
        }
        return "if(isNull(input_tokens) OR isNull(output_tokens) OR isNull(model), NULL, multiIf(\(cases.joined(separator: ", ")), NULL))"
    }

    /// The dashboard's JSON (Grafana's dashboard model, schemaVersion 39).
    package static func grafana(database: String = "otel", tracesTable: String = "otel_traces", logsTable: String = "otel_logs") throws -> Data {
        let datasource: [String: Any] = ["type": "grafana-clickhouse-datasource", "uid": "${datasource}"]
        let panels = try panels(database: database, tracesTable: tracesTable, logsTable: logsTable).enumerated().map { index, panel -> [String: Any] in
            [
                "id": index + 1, "title": panel.title, "type": panel.type, "datasource": datasource,
                "gridPos": ["h": panel.type == "table" ? 12 : 8, "w": panel.type == "table" ? 24 : 12, "x": panel.type == "table" ? 0 : (index % 2) * 12, "y": (index / 2) * 8],
                "targets": [
                    [
                        "refId": "A", "datasource": datasource, "editorType": "sql", "format": panel.type == "table" ? 1 : 0, "queryType": panel.type == "table" ? "table" : "timeseries",
                        "rawSql": panel.sql,
                    ]
                ],
            ]
        }
        func textbox(_ name: String, _ label: String, _ value: String) -> [String: Any] {
            ["name": name, "label": label, "type": "textbox", "query": value, "current": ["text": value, "value": value]]
        }
        let dashboard: [String: Any] = [
            "title": "Folio: prompts in production", "uid": "folio-prompts", "schemaVersion": 39, "version": 1, "editable": true,
            "description":
                "Generated by `folio traces dashboard` from the SQL folio report runs. Tables: the OpenTelemetry Collector clickhouseexporter's \(database).\(tracesTable) and \(database).\(logsTable).",
            "time": ["from": "now-7d", "to": "now"], "tags": ["folio", "llm", "opentelemetry"],
            "templating": [
                "list": [
                    ["name": "datasource", "label": "ClickHouse", "type": "datasource", "query": "grafana-clickhouse-datasource"],
                    textbox("prompt", "Prompt", "support_ticket_triage"), textbox("label_attr", "Expected-label attribute", "app.expected_team"),
                    textbox("filter_attr", "Completions: attribute", "app.customer_tier"), textbox("filter_value", "Completions: value", "enterprise"),
                ]
            ],
            "panels": panels,
        ]
        return try JSONSerialization.data(withJSONObject: dashboard, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }
}
