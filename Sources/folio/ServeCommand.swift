import ArgumentParser
import Foundation
import FolioCore
import FolioGit
import FolioManifest
import FolioServer
import Logging

struct ServeCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a dist/ folder to Folio SDKs: ETags, 304s, gzip, cache headers.",
        discussion: """
            Manifests get Cache-Control: public, max-age=300; version files get
            public, max-age=31536000, immutable. /healthz answers ok. Stops cleanly on
            SIGINT or SIGTERM. Any static host (nginx, S3, a CDN) can serve the same folder.

            With --watch <repo>, the repository's promotion tags and main branch are checked every
            --watch-interval seconds and dist/ is rebuilt (as `folio build` would) when they change.

            Examples:
              folio serve dist/ --port 8080
              folio serve dist/ --watch . --env production --signing-key ~/.ssh/folio_ed25519
            """
    )

    @Argument(help: "The folder `folio build` wrote.")
    var dist: String

    @Option(help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "The port (0 picks a free one).")
    var port: Int = 8080

    @Flag(name: .customLong("no-access-log"), help: "Do not log each request (errors are still logged).")
    var noAccessLog = false

    @Option(help: "Event loop threads (default: one per core; like nginx's worker_processes).")
    var threads: Int?

    @Option(name: .customLong("idle-timeout"), help: "Seconds before an idle keep-alive connection is closed.")
    var idleTimeout: Double = 60

    @Option(name: .customLong("header-timeout"), help: "Seconds a client has to send a request's head once it starts.")
    var headerTimeout: Double = 10

    @Option(name: .customLong("max-connections"), help: "Connections open at once (more wait to be accepted); capped below the file descriptor limit.")
    var maxConnections: Int = 4096

    @Option(help: "A prompt repository to watch: when its promotion tags or main change, rebuild dist/.")
    var watch: String?

    @Option(name: .customLong("env"), help: "With --watch: the environments to rebuild (repeatable; default: all in folio.yaml).")
    var environments: [String] = []

    @Option(name: .customLong("signing-key"), help: "With --watch: the key that signs rebuilt manifests.")
    var signingKey: String?

    @Option(name: .customLong("watch-interval"), help: "With --watch: seconds between checks.")
    var watchInterval: Double = 2

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be 1 or more") }
        for (name, value) in [("--idle-timeout", idleTimeout), ("--header-timeout", headerTimeout)] where !(value > 0 && value <= 86_400) {
            throw ValidationError("\(name) must be more than 0 and at most 86400 seconds")
        }
        if maxConnections < 1 { throw ValidationError("--max-connections must be 1 or more") }
        if !(watchInterval >= 0.1 && watchInterval <= 86_400) { throw ValidationError("--watch-interval must be 0.1 to 86400 seconds") }
    }

    func run(in env: CommandEnvironment) async throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: env.path(dist), isDirectory: &isFolder), isFolder.boolValue else {
            throw ValidationError("'\(dist)' is not a folder: run `folio build --out \(dist)` first")
        }
        let level: Logger.Level = noAccessLog ? .warning : .info
        StandardErrorLogHandler.bootstrap(level: level)
        let root = env.url(dist)
        let limits = StaticServer.Configuration(
            threads: threads, idleTimeout: .milliseconds(Int64(idleTimeout * 1000)),
            headerTimeout: .milliseconds(Int64(headerTimeout * 1000)), maxConnections: maxConnections
        )
        let server = StaticServer(root: root, host: host, port: port, configuration: limits)
        let host = self.host
        let watcher = try watch.map { try Watcher(repository: env.path($0), environments: environments, signingKey: signingKey, output: root, interval: watchInterval, env: env) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let watcher {
                group.addTask { await watcher.run() }
            }
            group.addTask {
                try await server.run { port in
                    env.print("serving \(root.path) on http://\(host):\(port) (Ctrl-C to stop)")
                    env.flush()
                }
            }
            // The server returns on SIGINT/SIGTERM; then stop watching.
            try await group.next()
            group.cancelAll()
        }
    }
}

/// Rebuilds dist/ when a repository's promotion tags or main branch change.
struct Watcher: Sendable {
    let repository: String
    let environments: [String]
    let signingKey: String?
    let output: URL
    let interval: Double
    let env: CommandEnvironment
    let logger = Logger(label: "folio.watch")

    init(repository: String, environments: [String], signingKey: String?, output: URL, interval: Double, env: CommandEnvironment) throws {
        let repo = try PromptRepository(discovering: repository)
        self.repository = repository
        self.environments = environments.isEmpty ? repo.config.environments : environments
        self.signingKey = signingKey
        self.output = output
        self.interval = max(0.1, interval)
        self.env = env
        _ = try TagSigner.resolve(explicitKey: signingKey, git: repo.git, environment: env.variables, in: env.workingDirectory)  // fail now, not on the first change
    }

    /// Each pass rebuilds: a build that finds nothing new checks only what was written
    /// (`WrittenFiles`) and patches nothing, and one that finds a file of `dist/` deleted or
    /// changed writes it again. A problem is logged once, until it changes or goes away.
    func run() async {
        var last = ""
        var reported: String?
        while !Task.isCancelled {
            do {
                let repo = try PromptRepository(discovering: repository)
                let state = try fingerprint(repo)
                let output = try rebuild(repo)
                if state != last, !last.isEmpty {
                    logger.info("rebuilt dist", metadata: ["environments": "\(output.manifests.joined(separator: ","))"])
                } else if state == last, output.written > 0 {
                    // Nothing new was promoted, so whatever was written (by a whole build or
                    // a patch) put back a file of dist/ that was deleted or changed.
                    logger.info("repaired dist", metadata: ["files": "\(output.written)"])
                }
                last = state
                if reported != nil {
                    logger.info("rebuilding works again")
                    reported = nil
                }
            } catch {
                let problem = "\(error)"
                if problem != reported {
                    logger.error("rebuild failed; dist/ is unchanged", metadata: ["error": "\(problem)"])
                    reported = problem
                }
            }
            try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
        }
    }

    private func fingerprint(_ repo: PromptRepository) throws -> String {
        let tags = try repo.git.references(withPrefix: "refs/tags/folio/").map { "\($0.name)=\($0.target.hex)" }
        let main = (try? repo.git.resolveCommit(try repo.mainRevision()).hex) ?? "-"
        return ([main] + tags).joined(separator: "\n")
    }

    private func rebuild(_ repo: PromptRepository) throws -> BuildOutput {
        let signer = try TagSigner.resolve(explicitKey: signingKey, git: repo.git, environment: env.variables, in: env.workingDirectory)
        // Environments with no promotion yet are skipped rather than failing the rebuild.
        let built = environments.filter { !((try? repo.git.references(withPrefix: "refs/tags/folio/\($0)/")) ?? []).isEmpty }
        return try ManifestBuilder(repository: repo, signer: signer).build(built, into: output)
    }
}
