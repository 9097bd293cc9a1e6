import ArgumentParser
import FolioServer
import Foundation
import Logging

/// `folio collect`: an embedded OTLP/HTTP receiver writing JSON Lines for `folio report`.
struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Receive OpenTelemetry traces (OTLP/HTTP JSON) and append them to JSON Lines files.",
        discussion: """
        Accepts POST /v1/traces with Content-Type: application/json (gzip bodies too) and
        appends each batch as one line to <out>/spans-<time>-<n>.jsonl, starting a new file
        past --rotate-mb. A batch is acknowledged only once written; Ctrl-C or SIGTERM lets
        in-flight batches finish. Protobuf bodies get 415: set OTEL_EXPORTER_OTLP_PROTOCOL=http/json.
        /healthz answers ok.

        Examples:
          folio collect --out traces/
          OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 OTEL_EXPORTER_OTLP_PROTOCOL=http/json ./my-app
          folio report traces/
        """
    )

    @Option(help: "The folder for the JSON Lines files (created if missing).")
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

    func run() throws {
        StandardErrorLogHandler.bootstrap(level: .warning)
        let folder = URL(fileURLWithPath: out)
        let collector = TraceCollector(folder: folder, host: host, port: port, maxBodyBytes: Int(maxBodyMB * 1_048_576), rotateBytes: Int(rotateMB * 1_048_576))
        let host = self.host
        try runBlocking {
            try await collector.run { port in
                print("collecting OTLP/HTTP JSON on http://\(host):\(port)/v1/traces into \(folder.path) (Ctrl-C to stop)")
                fflush(nil)
            }
        }
        print("stopped; every accepted batch is in \(folder.path)")
    }
}
