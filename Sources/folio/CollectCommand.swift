import ArgumentParser
import FolioClickHouse
import FolioCore
import FolioServer
import FolioTelemetry
import Foundation
import Logging

/// `folio collect`: an embedded OTLP receiver (HTTP and gRPC) storing into files or the
/// Collector's ClickHouse tables, for `folio report`.
struct CollectCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Receive OpenTelemetry traces and logs over OTLP (HTTP and gRPC) and store them in files or ClickHouse.",
        discussion: """
            Serves OTLP/HTTP (POST /v1/traces and /v1/logs, on --port, 4318) with Content-Type
            application/x-protobuf (what the stock OTLP/HTTP exporters send) or application/json,
            gzip-compressed or not, and OTLP/gRPC (on --grpc-port, 4317: the stock gRPC exporters,
            and `opentelemetry-instrument --traces_exporter otlp`). Every batch is decoded as every
            reader decodes it before it is acknowledged: 200 with an Export…ServiceResponse (partial
            success for spans with malformed ids, which are not stored), 400 for a body that cannot
            be read, 413 past --max-body-mb, 415 naming what is accepted, 503 with Retry-After when
            the store cannot take it now (exporters retry; nothing acknowledged is lost).

            --out <folder>: each batch is stored as received, JSON as one line of
            spans-<time>-<n>.jsonl (or logs-…), protobuf as one length-delimited record of
            spans-<time>-<n>.pb (the OTLP file exporter's formats), a new file past --rotate-mb,
            acknowledged once synced to disk.
            --to clickhouse://user@host:8123/otel?traces_table=otel_traces&logs_table=otel_logs:
            into the OpenTelemetry Collector's otel_traces and otel_logs tables, in its row format
            (the password from FOLIO_CLICKHOUSE_PASSWORD); batches that arrive during an insert go
            into the next one, and each is acknowledged once ClickHouse has acknowledged its insert.
            --create-tables creates them with the exporter's DDL (--ttl-days for a TTL).

            A request's head must arrive within --header-timeout of its first byte, and its body
            within --body-timeout. Ctrl-C or SIGTERM lets in-flight batches finish. /healthz answers ok.

            Examples:
              folio collect --out traces/
              folio collect --to clickhouse://folio@127.0.0.1:8123/otel --create-tables --ttl-days 30
              OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf ./my-app
              folio report traces/
            """
    )

    @Option(help: "The folder for the trace and log files (created if missing).")
    var out: String?

    @Option(help: "Store into ClickHouse instead: clickhouse://user@host:8123/database?traces_table=…&logs_table=… (the password from FOLIO_CLICKHOUSE_PASSWORD).")
    var to: String?

    @Option(name: .customLong("password-env"), help: "With --to: the environment variable that holds the ClickHouse password.")
    var passwordEnv: String?

    @Flag(name: .customLong("create-tables"), help: "With --to: create the database and tables with the Collector exporter's DDL if they are missing.")
    var createTables = false

    @Option(name: .customLong("ttl-days"), help: "With --create-tables: drop spans and logs older than this many days.")
    var ttlDays: Int?

    @Option(help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "The OTLP/HTTP port (4318 is OTLP's; 0 picks a free one).")
    var port: Int = 4318

    @Option(name: .customLong("grpc-port"), help: "The OTLP/gRPC port (4317 is OTLP's; 0 picks a free one).")
    var grpcPort: Int = 4317

    @Flag(name: .customLong("no-grpc"), help: "Serve OTLP/HTTP only.")
    var noGRPC = false

    @Option(name: .customLong("max-body-mb"), help: "Largest accepted request body, before or after gzip (413 beyond).")
    var maxBodyMB: Double = 16

    @Option(name: .customLong("rotate-mb"), help: "With --out: start a new file once the current one holds this many megabytes.")
    var rotateMB: Double = 64

    @Option(name: .customLong("header-timeout"), help: "Seconds a client has to send a request's head once it starts.")
    var headerTimeout: Double = 10

    @Option(name: .customLong("body-timeout"), help: "Seconds a client has to send a request's body once its head is in.")
    var bodyTimeout: Double = 30

    func validate() throws {
        guard (out == nil) != (to == nil) else { throw ValidationError("give --out <folder> or --to <clickhouse URL>, one of them") }
        guard maxBodyMB > 0, rotateMB > 0 else { throw ValidationError("--max-body-mb and --rotate-mb must be more than 0") }
        if let to, !ClickHouseURL.isClickHouse(to) { throw ValidationError("--to '\(to)' is not a clickhouse:// or clickhouses:// URL") }
        if (createTables || ttlDays != nil) && to == nil { throw ValidationError("--create-tables and --ttl-days go with --to") }
        if let ttlDays, ttlDays < 1 { throw ValidationError("--ttl-days must be 1 or more") }
        for (name, value) in [("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout)] where !(value > 0 && value <= 3600) {
            throw ValidationError("\(name) must be more than 0 and at most 3600 seconds")
        }
    }

    func run(in env: CommandEnvironment) async throws {
        StandardErrorLogHandler.bootstrap(level: .warning)
        let sink: any TraceSink
        let destination: String
        if let to {
            let url: ClickHouseURL
            do {
                url = try ClickHouseURL(to, passwordVariable: passwordEnv)
            } catch let invalid as ClickHouseURL.Invalid {
                throw ValidationError(invalid.description)
            }
            let client = ClickHouseClient(url: url, environment: env.variables)
            if createTables {
                do {
                    try await ClickHouseWriter.createTables(client, ttlDays: ttlDays)
                } catch {
                    throw FolioError(.usage, "cannot create the tables in \(url): \(error)", hint: "check the URL, the user's rights and \(url.passwordVariable)")
                }
            }
            sink = ClickHouseWriter(client: client)
            destination = url.description
        } else {
            let folder = env.url(out!)
            sink = try FileTraceSink(folder: folder, rotateBytes: Int(rotateMB * 1_048_576))
            destination = folder.path
        }
        var configuration = TraceCollector.Configuration()
        configuration.host = host
        configuration.port = port
        configuration.grpcPort = noGRPC ? nil : grpcPort
        configuration.maxBodyBytes = Int(maxBodyMB * 1_048_576)
        configuration.headerTimeout = .milliseconds(Int64(headerTimeout * 1000))
        configuration.bodyTimeout = .milliseconds(Int64(bodyTimeout * 1000))
        let collector = TraceCollector(sink: sink, configuration: configuration)
        let host = self.host
        try await collector.run { http, grpc in
            let grpcText = grpc.map { " and OTLP/gRPC on \(host):\($0)" } ?? ""
            env.print("collecting OTLP/HTTP (protobuf or JSON) on http://\(host):\(http) (/v1/traces, /v1/logs)\(grpcText) into \(destination) (Ctrl-C to stop)")
            env.flush()
        }
        env.print("stopped; every accepted batch is in \(destination)")
    }
}
