import ArgumentParser
import FolioServer
import Foundation
import Logging

/// `folio collect`: an embedded OTLP/HTTP receiver writing files for `folio report`.
struct CollectCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Receive OpenTelemetry traces and logs over OTLP/HTTP (protobuf or JSON) and store them for folio report.",
        discussion: """
            Accepts POST /v1/traces and POST /v1/logs with Content-Type application/x-protobuf (what
            the stock OTLP/HTTP exporters send) or application/json, gzip-compressed or not, as the
            OTLP specification defines: 200 with an Export…ServiceResponse (partial success when
            some spans have malformed ids), 400 for a malformed body, 413 past --max-body-mb, 415
            naming what is accepted. Each batch is stored as received: JSON as one line of
            <out>/spans-<time>-<n>.jsonl (or logs-…), protobuf as one length-delimited record of
            spans-<time>-<n>.pb (the OTLP file exporter's formats), a new file past --rotate-mb.
            A batch is acknowledged only once written and synced to disk; Ctrl-C or SIGTERM lets
            in-flight batches finish. gRPC is not served: set OTEL_EXPORTER_OTLP_PROTOCOL to
            http/protobuf (or http/json). /healthz answers ok.

            Examples:
              folio collect --out traces/
              OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf ./my-app
              folio report traces/
            """
    )

    @Option(help: "The folder for the trace and log files (created if missing).")
    var out: String

    @Option(help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "The port (4318 is OTLP/HTTP's; 0 picks a free one).")
    var port: Int = 4318

    @Option(name: .customLong("max-body-mb"), help: "Largest accepted request body, before or after gzip (413 beyond).")
    var maxBodyMB: Double = 16

    @Option(name: .customLong("rotate-mb"), help: "Start a new file once the current one holds this many megabytes.")
    var rotateMB: Double = 64

    func validate() throws {
        guard maxBodyMB > 0, rotateMB > 0 else { throw ValidationError("--max-body-mb and --rotate-mb must be more than 0") }
    }

    func run(in env: CommandEnvironment) async throws {
        StandardErrorLogHandler.bootstrap(level: .warning)
        let folder = env.url(out)
        let collector = TraceCollector(folder: folder, host: host, port: port, maxBodyBytes: Int(maxBodyMB * 1_048_576), rotateBytes: Int(rotateMB * 1_048_576))
        let host = self.host
        try await collector.run { port in
            env.print("collecting OTLP/HTTP (protobuf or JSON) on http://\(host):\(port) (/v1/traces, /v1/logs) into \(folder.path) (Ctrl-C to stop)")
            env.flush()
        }
        env.print("stopped; every accepted batch is in \(folder.path)")
    }
}
