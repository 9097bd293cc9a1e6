import ArgumentParser
import FolioCore
import FolioProcess
import FolioTelemetry
import Foundation
import Synchronization

/// `folio ui`: the shared Traces view and the rest of the loop in a browser, over the
/// repository it is started in and the trace source `folio report` reads.
struct UICommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Serve a local web UI: traces, prompts from traces, golden sets, tests, promotions and dashboards.",
        discussion: """
            Serves on 127.0.0.1 (--host to change it, with a warning) and prints one URL that
            carries a random session token, as Jupyter does; every request needs the token (then a
            cookie), Host and Origin are checked, and writes are POSTs with a CSRF token. The spans
            come from the same source as folio report: files given as arguments, --source (a folder
            or clickhouse://…), or traces: in folio.yaml. Every write goes through the commands'
            own code: prompts/<name>.yaml as `folio prompt from-trace` writes it, golden set cases
            as `folio goldenset add` appends them, signed promotions as `folio promote` records them.

            Examples:
              folio ui traces/ --labels app.expected_team
              folio ui --source clickhouse://folio@clickhouse:8123/otel --open
            """
    )

    @Argument(help: "Trace files or folders (or use --source, or traces: in folio.yaml).")
    var files: [String] = []

    @Option(help: "The traces: a folder, or a clickhouse:// URL (the password from FOLIO_CLICKHOUSE_PASSWORD).")
    var source: String?

    @Option(help: "The address to listen on; anything but loopback is reachable by others.")
    var host = "127.0.0.1"

    @Option(help: "The port (0 picks a free one).")
    var port = 7070

    @Option(help: "Attributes to show as columns and use as expected labels, comma-separated.")
    var labels: String?

    @Flag(help: "Open the URL in the default browser.")
    var open = false

    @OptionGroup var repository: RepositoryOptions

    func run(in env: CommandEnvironment) async throws {
        let repo = try repository.open(env)
        let traces = try TraceOptions.open(paths: files, source: source, env)
        if !["127.0.0.1", "localhost", "::1"].contains(host) {
            env.note("warning: --host \(host) makes the UI reachable from other machines; anyone with the URL's token can promote with your key")
        }
        var session = UISession(token: UISession.random(), csrf: UISession.random())
        // The names a request's Host may carry: a page on another name (DNS rebinding) is refused.
        session.hosts = Set(["127.0.0.1", "localhost", "[::1]", host.contains(":") ? "[\(host)]" : host].map { $0.lowercased() })
        let columns = (labels ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let app = UIApp(root: repo.root, source: traces, session: session, labels: columns, variables: env.variables)
        let shownHost = host.contains(":") ? "[\(host)]" : host
        let token = session.token, open = self.open, rootPath = repo.root.path
        let started = UIStarted()
        try await UIServer(app: app, host: host, port: port).run { port in
            guard started.first() else { return }
            let url = "http://\(shownHost):\(port)/traces?token=\(token)"
            env.print("\(url)\nFolio UI for \(rootPath), traces from \(traces.name) (Ctrl-C to stop)")
            env.flush()
            if open { _ = try? ExternalProgram("xdg-open", [url]).start(output: .file(URL(fileURLWithPath: "/dev/null"))) }
        }
    }
}

/// Says once that the server started.
final class UIStarted: Sendable {
    private let done = Mutex(false)

    func first() -> Bool {
        done.withLock { already in
            defer { already = true }
            return !already
        }
    }
}
