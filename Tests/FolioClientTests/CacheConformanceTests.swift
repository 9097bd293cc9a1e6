import Crypto
import Foundation
import FolioModel
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization
import Testing
@testable import FolioClient

/// The cache's state machine (`conformance/cache.json`), walked against a scripted server
/// with clocks the test moves: the same cases the Python SDK runs.
struct CacheConformanceTests {
    struct Suite: Decodable {
        let start: Double
        let publicKeys: [String]
        let manifests: [String: Stored]
        let cases: [Case]

        enum CodingKeys: String, CodingKey {
            case start, manifests, cases
            case publicKeys = "public_keys"
        }
    }

    struct Stored: Decodable, Sendable {
        let manifest: String
        let signature: String
    }

    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let ttl: Int
        let disk: Bool
        let diskContents: String?
        let diskState: JSONValue?
        let fallback: String?
        let steps: [JSONValue]

        var testDescription: String { name }

        enum CodingKeys: String, CodingKey {
            case name, ttl, disk, fallback, steps
            case diskContents = "disk_contents"
            case diskState = "disk_state"
        }
    }

    static let suite: Suite = {
        let url = ConformanceTests.folder.appendingPathComponent("cache.json")
        return try! JSONDecoder().decode(Suite.self, from: Data(contentsOf: url))
    }()

    /// Answers as the case's `server` steps say, and notes what it was asked.
    final class ScriptedServer: Sendable {
        let state = Mutex<(answer: String, seen: [String])>(("down", []))
        let manifests: [String: Stored]

        init(_ manifests: [String: Stored]) {
            self.manifests = manifests
        }

        func respond(_ request: Request) -> Response {
            let path = request.uri.path
            let conditional = request.headers[.ifNoneMatch]
            let answer = state.withLock { state -> String in
                if path.hasSuffix("/manifest.json") {
                    state.seen.append(conditional == nil ? "manifest" : "manifest if-none-match")
                } else if path.contains("/signatures/") {
                    state.seen.append("signature")
                } else {
                    state.seen.append(path)
                }
                return state.answer
            }
            guard answer != "down" else { return Response(status: .serviceUnavailable) }
            let parts = answer.split(separator: " ").map(String.init)
            let stored = manifests[parts[0]]!
            let data = Data(stored.manifest.utf8)
            let etag: String? = parts.count > 1 && parts[1] == "no-etag" ? nil : "\"\(parts[0])\""
            if path.hasSuffix("/manifest.json") {
                var headers = HTTPFields()
                if let etag { headers[.eTag] = etag }
                if let etag, conditional == etag { return Response(status: .notModified, headers: headers) }
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
            }
            let sha = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            if path.hasSuffix("/signatures/\(sha).sig") {
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: stored.signature)))
            }
            return Response(status: .notFound)
        }

        func set(_ answer: String) { state.withLock { $0.answer = answer } }

        func takeSeen() -> [String] {
            state.withLock { state in
                defer { state.seen = [] }
                return state.seen
            }
        }
    }

    /// The events logged at info and above (the `event` metadata each message carries).
    final class Events: Sendable {
        let events = Mutex<[String]>([])

        var logger: Logger {
            var logger = Logger(label: "test.cache") { _ in Handler(events: self) }
            logger.logLevel = .debug
            return logger
        }

        struct Handler: LogHandler {
            let events: Events
            var metadata: Logger.Metadata = [:]
            var logLevel: Logger.Level = .debug

            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }

            func log(event: LogEvent) {
                guard event.level >= .info else { return }
                let name = event.metadata?["event"].map { "\($0)" } ?? "\(event.message)"
                events.events.withLock { $0.append(name) }
            }
        }

        func take() -> [String] {
            events.withLock { events in
                defer { events = [] }
                return events
            }
        }
    }

    static func startServer(_ scripted: ScriptedServer) async throws -> (port: Int, task: Task<Void, Error>) {
        let router = Router()
        router.get("**") { request, _ in scripted.respond(request) }
        let started = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "test.scripted")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in started.continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        for await port in started.stream { return (port, task) }
        throw CancellationError()
    }

    @Test func theMachineAndItsCasesArePresent() throws {
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: ConformanceTests.folder.appendingPathComponent("cache.json"))) as? [String: Any]
        let machine = document?["machine"] as? [String: Any] ?? [:]
        #expect(["states", "events", "transitions"].allSatisfy { machine[$0] != nil })
        #expect(Self.suite.cases.count >= 15)
    }

    @Test(arguments: CacheConformanceTests.suite.cases)
    func cacheCase(_ test: Case) async throws {
        let suite = Self.suite
        let scripted = ScriptedServer(suite.manifests)
        let (port, task) = try await Self.startServer(scripted)
        defer { task.cancel() }
        let url = URL(string: "http://127.0.0.1:\(port)/production/manifest.json")!
        let time = ManualClock(start: Date(timeIntervalSince1970: suite.start))
        let events = Events()
        var configuration = FolioClient.Configuration(manifestURL: url, publicKeys: suite.publicKeys)
        configuration.cacheTTL = .seconds(test.ttl)
        configuration.attempts = 1
        configuration.requestTimeout = .seconds(30)
        configuration.loadTimeout = .seconds(60)
        configuration.clock = time.clock
        configuration.logger = events.logger
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-cache-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        if test.disk {
            configuration.cacheDirectory = folder
            let disk = DiskCache(root: folder, manifestURL: url).folder
            try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            if let name = test.diskContents, let stored = suite.manifests[name] {
                try Data(stored.manifest.utf8).write(to: disk.appendingPathComponent("manifest.json"))
                try Data(stored.signature.utf8).write(to: disk.appendingPathComponent("manifest.json.sig"))
            }
            try JSONEncoder().encode(test.diskState ?? .object(["etag": .null])).write(to: disk.appendingPathComponent("state.json"))
        }
        if let name = test.fallback { configuration.fallbackManifest = Data(suite.manifests[name]!.manifest.utf8) }
        let folio = try FolioClient(configuration)
        for (number, step) in test.steps.enumerated() {
            let place: Comment = "\(test.name), step \(number + 1) \(step)"
            guard case .object(let fields) = step, let (kind, value) = fields.first else {
                Issue.record("malformed step: \(place)")
                return
            }
            switch (kind, value) {
            case ("server", .string(let answer)): scripted.set(answer)
            case ("advance", .number(let seconds)): time.advance(.seconds(seconds))
            case ("wait", _): await folio.store.waitForRefresh()
            case ("render", let expected):
                #expect(await Self.outcome(folio) == Self.expected(expected), place)
            case ("requests", .array(let names)): #expect(scripted.takeSeen() == names.compactMap(\.stringValue), place)
            case ("logs", .array(let names)): #expect(events.take() == names.compactMap(\.stringValue), place)
            default: Issue.record("unknown step: \(place)")
            }
        }
    }

    static func outcome(_ folio: FolioClient) async -> [String: String] {
        do {
            return ["version": "\(try await folio.render("triage", variables: ["ticket_text": "x"]).version)"]
        } catch let error as FolioClientError where error.kind == .trust {
            return ["error": "trust", "refusal": (error.underlying as? ManifestRefusal)?.kind.rawValue ?? "?"]
        } catch let error as FolioClientError where error.kind == .unavailable {
            return ["error": "unavailable"]
        } catch {
            return ["error": "\(error)"]
        }
    }

    static func expected(_ value: JSONValue) -> [String: String] {
        switch value {
        case .number(let version): return ["version": "\(Int(version))"]
        case .object(let fields):
            return fields.mapValues { value in
                if case .number(let number) = value { return "\(Int(number))" }
                return value.stringValue ?? "\(value)"
            }
        default: return ["?": "\(value)"]
        }
    }
}
