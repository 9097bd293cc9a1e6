import ArgumentParser
import FolioClickHouse
import Foundation

/// `folio traces dashboard`: the Grafana dashboard over the Collector's ClickHouse tables.
struct TracesDashboardCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Print the Grafana dashboard (ClickHouse data source) with folio report's views per prompt version.",
        discussion: """
            Panels: prompt tokens per call, cost per call, time to first token p95 and the
            misclassification rate over time per version, and a table of completions filtered by a
            business attribute; each panel runs the SQL folio report runs, over the OpenTelemetry
            Collector's otel_traces and otel_logs. Import the JSON in Grafana (Dashboards → New →
            Import) with the grafana-clickhouse-datasource plugin. dashboards/folio.json in Folio's
            repository is this output for the default tables.

            Examples:
              folio traces dashboard > folio-dashboard.json
              folio traces dashboard --database observability --traces-table spans
            """
    )

    @Option(help: "The database that holds the tables.")
    var database = "otel"

    @Option(name: .customLong("traces-table"), help: "The spans table.")
    var tracesTable = "otel_traces"

    @Option(name: .customLong("logs-table"), help: "The log records table.")
    var logsTable = "otel_logs"

    func run(in env: CommandEnvironment) async throws {
        let data: Data
        do {
            data = try ClickHouseDashboard.grafana(database: database, tracesTable: tracesTable, logsTable: logsTable)
        } catch let invalid as ClickHouseURL.Invalid {
            throw ValidationError(invalid.message)
        }
        env.print(String(decoding: data, as: UTF8.self))
    }
}
