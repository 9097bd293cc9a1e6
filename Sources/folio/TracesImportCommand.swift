import ArgumentParser
import FolioClickHouse
import FolioCore
import FolioTelemetry
import Foundation

/// `folio traces import`: trace files into the Collector's ClickHouse tables, for a team
/// that moves from files to ClickHouse and keeps its history.
struct TracesImportCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Copy trace files (what `folio collect --out` or the Collector's file exporter wrote) into ClickHouse's otel_traces and otel_logs.",
        discussion: """
            Rows are written in the OpenTelemetry Collector's clickhouseexporter format, file by file;
            a file is in once ClickHouse has acknowledged its insert. Importing a file twice stores
            its spans twice.

            Examples:
              folio traces import traces/ --to clickhouse://folio@127.0.0.1:8123/otel --create-tables
            """
    )

    @Argument(help: "Trace files or folders.")
    var files: [String]

    @Option(help: "clickhouse://user@host:8123/database?traces_table=…&logs_table=… (the password from FOLIO_CLICKHOUSE_PASSWORD).")
    var to: String

    @Option(name: .customLong("password-env"), help: "The environment variable that holds the ClickHouse password.")
    var passwordEnv: String?

    @Flag(name: .customLong("create-tables"), help: "Create the database and tables with the Collector exporter's DDL if they are missing.")
    var createTables = false

    @Option(name: .customLong("ttl-days"), help: "With --create-tables: drop spans and logs older than this many days.")
    var ttlDays: Int?

    @Option(name: .customLong("max-line-mb"), help: "Skip (with a warning) trace file lines longer than this many MiB.")
    var maxLineMB: Double = Double(TraceReader.defaultMaxLineBytes >> 20)

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name the trace files or folders to import") }
        if ttlDays != nil && !createTables { throw ValidationError("--ttl-days goes with --create-tables") }
        if let ttlDays, ttlDays < 1 { throw ValidationError("--ttl-days must be 1 or more") }
    }

    func run(in env: CommandEnvironment) async throws {
        let url: ClickHouseURL
        do {
            url = try ClickHouseURL(to, passwordVariable: passwordEnv)
        } catch let invalid as ClickHouseURL.Invalid {
            throw ValidationError(invalid.description)
        }
        let client = ClickHouseClient(url: url, environment: env.variables)
        do {
            if createTables { try await ClickHouseWriter.createTables(client, ttlDays: ttlDays) }
            let summary = try await ClickHouseWriter.load(
                files.map { env.url($0).path }, into: client, maxLineBytes: Int(maxLineMB * 1_048_576))
            for problem in summary.problems { env.note("warning: \(problem)") }
            env.print("imported \(summary.spans) span(s) and \(summary.logs) log record(s) from \(summary.files) file(s) into \(url)")
        } catch let error where error is ClickHouseError || error is TraceSinkUnavailable {
            throw FolioError(.configuration, "cannot import into \(url): \(error)", hint: "check the URL, the user's rights and \(url.passwordVariable); --create-tables makes the tables")
        }
    }
}
