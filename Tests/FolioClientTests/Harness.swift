import Crypto
import Foundation
import FolioModel
import FolioServer
import FolioSigning
import Logging

/// A `dist/` folder written directly (signed manifests of any version), for fault tests.
final class TestDist: @unchecked Sendable {
    let root: URL
    let key = SSHPrivateKey(comment: "ops@example.com")
    var publicKey: String { key.publicKey.line }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("folio-dist-\(UUID())")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }

    static func prompt(_ text: String) -> Prompt {
        Prompt(
            name: "triage",
            model: ModelSettings(provider: "openai", name: "gpt-4o", temperature: 0, maxTokens: 256),
            variables: [
                PromptVariable(name: "ticket_text", required: true),
                PromptVariable(name: "ticket_type", enumValues: ["email", "chat", "web"], defaultValue: .string("email")),
            ],
            messages: [PromptMessage(role: "system", content: "\(text) Type: {{ticket_type}}"), PromptMessage(role: "user", content: "{{ticket_text}}")]
        )
    }

    /// Writes version files 1…`versions` and a manifest of `version` that serves `current`.
    @discardableResult
    func publish(version: Int, current: Int, versions: Int? = nil, expires: Date? = nil, key: SSHPrivateKey? = nil) throws -> Data {
        var files: [String: String] = [:]
        var prompts: [String: ManifestPrompt] = [:]
        for number in 1...(versions ?? current) {
            let entry = ManifestPrompt(name: "triage", version: number, blob: String(repeating: "\(number % 10)", count: 40), prompt: Self.prompt("Prompt v\(number)."), partials: [:])
            let bytes = try JSONEncoder.folio.encode(entry)
            try write(bytes, "prompts/triage/\(number).json")
            files["prompts/triage/\(number).json"] = sha256(bytes)
            if number == current {
                var published = entry
                published.sha256 = files["prompts/triage/\(number).json"]
                prompts["triage"] = published
            }
        }
        let manifest = Manifest(
            environment: "production", version: version, generatedAt: Date(timeIntervalSince1970: 1_790_000_000), expires: expires,
            source: ManifestSource(commit: String(repeating: "a", count: 40), tag: "folio/production/\(version)"), prompts: prompts, versionFiles: files)
        let bytes = try JSONEncoder.folio.encode(manifest)
        try write(Data(try SSHSignature.sign(bytes, namespace: Manifest.signatureNamespace, with: key ?? self.key).armored.utf8), "production/manifest.json.sig")
        try write(bytes, "production/manifest.json")
        return bytes
    }

    func write(_ data: Data, _ path: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    var manifestURL: URL { root.appendingPathComponent("production/manifest.json") }

    private func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}

/// `folio serve`'s server on a free loopback port, counting requests.
final class RunningServer: @unchecked Sendable {
    private(set) var port = 0
    private var task: Task<Void, Error>?
    private let lock = NSLock()
    private var log: [(method: String, path: String, status: Int)] = []

    static func start(_ root: URL) async throws -> RunningServer {
        let server = RunningServer()
        let started = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "test.serve")
        logger.logLevel = .critical
        let staticServer = StaticServer(root: root, port: 0, logger: logger) { method, path, status in
            server.record(method, path, status)
        }
        server.task = Task {
            try await staticServer.run(handleSignals: false) { port in started.continuation.yield(port) }
        }
        for await port in started.stream {
            server.port = port
            break
        }
        return server
    }

    private func record(_ method: String, _ path: String, _ status: Int) {
        lock.lock()
        log.append((method, path, status))
        lock.unlock()
    }

    /// How many requests for `path` (optionally with `status`) were answered.
    func count(_ path: String, status: Int? = nil) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return log.filter { $0.path == path && (status == nil || $0.status == status) }.count
    }

    /// `folio serve` trusts a file it read for 20 ms before it looks at the disk again:
    /// after changing `dist/`, a test waits that long in real time (the client's own
    /// clock is the test's to move).
    static func letItSeeTheChange() async throws {
        try await Task.sleep(for: .milliseconds(30))  // StaticFiles.revalidateAfterNanoseconds is 20 ms
    }

    func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)/\(path)")! }

    func stop() async {
        task?.cancel()
        _ = try? await task?.value
    }
}
