import Foundation
import FolioModel
import FolioTestSupport
import InMemoryTracing
import Logging
import Synchronization
import Testing
import Tracing
@testable import FolioClient

/// A clock the test moves: no test sleeps through a TTL or an `expires`.
final class ManualClock: Sendable {
    private let state: Mutex<(monotonic: Duration, date: Date)>

    init(start: Date = Date()) {
        state = Mutex((.seconds(1000), start))
    }

    var clock: FolioClient.Clock {
        FolioClient.Clock(monotonic: { self.state.withLock { $0.monotonic } }, wallClock: { self.state.withLock { $0.date } })
    }

    func advance(_ duration: Duration) {
        state.withLock { state in
            state.monotonic += duration
            state.date += Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
    }
}

@Suite(.serialized)
struct FolioClientTests {
    let manifestPath = "/production/manifest.json"
    let time = ManualClock()

    func client(
        _ server: RunningServer, _ dist: TestDist, ttl: Duration = .seconds(300), cache: URL? = nil, fallback: Data? = nil,
        logger: Logger? = nil
    ) throws -> FolioClient {
        var configuration = FolioClient.Configuration(manifestURL: server.url("production/manifest.json"), publicKeys: [dist.publicKey])
        configuration.cacheTTL = ttl
        configuration.cacheDirectory = cache
        configuration.fallbackManifest = fallback
        configuration.requestTimeout = .seconds(30)  // generous: the whole suite runs in parallel on few cores
        configuration.loadTimeout = .seconds(60)
        configuration.attempts = 2
        configuration.logger =
            logger
            ?? {
                var logger = Logger(label: "test.client")
                logger.logLevel = .critical
                return logger
            }()
        configuration.clock = time.clock
        return try FolioClient(configuration)
    }

    func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("folio-cache-\(UUID())")
    }

    @Test func rendersThePublishedVersionAndSaysWhichItIs() async throws {
        let dist = try TestDist()
        try dist.publish(version: 3, current: 2)
        let server = try await RunningServer.start(dist.root)
        defer { Task { await server.stop() } }
        let folio = try client(server, dist)
        let prompt = try await folio.render("triage", variables: ["ticket_text": "Refund & more", "ticket_type": "chat"])
        #expect(prompt.version == 2)
        #expect(prompt.messages == [ChatMessage(role: "system", content: "Prompt v2. Type: chat"), ChatMessage(role: "user", content: "Refund & more")])
        #expect(prompt.model?.name == "gpt-4o")
        let info = try await folio.version(of: "triage")
        #expect(info.version == 2)
        #expect("\(info.status)" == "published")
    }

    @Test func aFreshHitDoesNoIOAndSurvivesTheServerStopping() async throws {
        let dist = try TestDist()
        try dist.publish(version: 1, current: 1)
        let server = try await RunningServer.start(dist.root)
        let cache = temporaryFolder()
        let folio = try client(server, dist, cache: cache)
        _ = try await folio.render("triage", variables: ["ticket_text": "x"])
        let fetches = server.count(manifestPath)
        for _ in 0..<50 { _ = try await folio.render("triage", variables: ["ticket_text": "x"]) }
        #expect(server.count(manifestPath) == fetches)
        await server.stop()
        #expect(try await folio.render("triage", variables: ["ticket_text": "x"]).version == 1)

        // A cold start with the server down uses the last-known-good copy on disk, at once: a
        // refused connection is not retried until the request's timeout (30 s here).
        let restarted = try client(server, dist, cache: cache)
        let (fallback, elapsed) = try await ThreadExecutor.timed { try await restarted.render("triage", variables: ["ticket_text": "x"]) }
        #expect(fallback.version == 1)
        #expect(elapsed < .seconds(10))
        // With no disk copy, the bundled snapshot; with neither, a clear error.
        let bundled = try client(server, dist, fallback: try Data(contentsOf: dist.manifestURL))
        #expect(try await bundled.render("triage", variables: ["ticket_text": "x"]).version == 1)
        let nothing = try client(server, dist)
        let error = await #expect(throws: FolioClientError.self) { try await nothing.render("triage", variables: ["ticket_text": "x"]) }
        #expect(error?.kind == .unavailable)
        #expect(error?.message.contains("no manifest is available") == true)
    }

    @Test func aManifestWithOneByteChangedIsRefusedAndThePreviousKept() async throws {
        let dist = try TestDist()
        try dist.publish(version: 1, current: 1)
        let server = try await RunningServer.start(dist.root)
        defer { Task { await server.stop() } }
        let folio = try client(server, dist, ttl: .milliseconds(50))
        #expect(try await folio.render("triage", variables: ["ticket_text": "x"]).version == 1)
        let bytes = try dist.publish(version: 2, current: 2)
        var tampered = bytes
        tampered[tampered.count / 2] ^= 0x01
        try dist.write(tampered, "production/manifest.json")
        try await RunningServer.letItSeeTheChange()
        time.advance(.milliseconds(80))  // the TTL passes
        #expect(try await folio.render("triage", variables: ["ticket_text": "x"]).version == 1)
        await folio.store.waitForRefresh()
        #expect(try await folio.render("triage", variables: ["ticket_text": "x"]).version == 1)
        #expect(server.count("/production/manifest.json.sig") >= 2)
    }

    @Test func anOlderSignedManifestIsRefused() async throws {
        let dist = try TestDist()
        try dist.publish(version: 5, current: 2)
        let server = try await RunningServer.start(dist.root)
        defer { Task { await server.stop() } }
        let cache = temporaryFolder()
        let folio = try client(server, dist, ttl: .milliseconds(50), cache: cache)
        #expect(try await folio.render("triage", variables: ["ticket_text": "x"]).version == 2)
        try dist.publish(version: 4, current: 1)  // validly signed, but older
        try await RunningServer.letItSeeTheChange()
        time.advance(.milliseconds(80))
        _ = try await folio.render("triage", variables: ["ticket_text": "x"])
        await folio.store.waitForRefresh()
        #expect(try await folio.render("triage", variables: ["ticket_text": "x"]).version == 2)
        // A new client remembers the highest version from disk, too.
        let restarted = try client(server, dist, cache: cache)
        #expect(try await restarted.render("triage", variables: ["ticket_text": "x"]).version == 2)
    }

    @Test func anExpiredManifestIsNotServed() async throws {
        let dist = try TestDist()
        try dist.publish(version: 1, current: 1, expires: Date(timeIntervalSinceNow: -60))
        let server = try await RunningServer.start(dist.root)
        defer { Task { await server.stop() } }
        let folio = try client(server, dist)
        let error = await #expect(throws: FolioClientError.self) { try await folio.render("triage", variables: ["ticket_text": "x"]) }
        #expect(error?.message.contains("expired") == true)
        // An expired bundled snapshot is not served either.
        let bundled = try client(server, dist, fallback: try Data(contentsOf: dist.manifestURL))
        await #expect(throws: FolioClientError.self) { try await bundled.render("triage", variables: ["ticket_text": "x"]) }
    }

    /// Found by the Python SDK's tests: a cached manifest that passes its `expires` while the
    /// server still has the same bytes came back as a 304 (or the same bytes) and was renewed.
    @Test func aManifestThatExpiresWhileCachedIsNotRenewedByA304() async throws {
        let dist = try TestDist()
        try dist.publish(version: 1, current: 1, expires: Date(timeIntervalSinceNow: 1.5))
        let server = try await RunningServer.start(dist.root)
        defer { Task { await server.stop() } }
        let folio = try client(server, dist, ttl: .milliseconds(100))
        #expect(try await folio.render("triage", variables: ["ticket_text": "x"]).version == 1)
        time.advance(.seconds(2))  // `expires` is wall-clock time in the signed manifest
        let error = await #expect(throws: FolioClientError.self) { try await folio.render("triage", variables: ["ticket_text": "x"]) }
        #expect(error?.message.contains("expired") == true)
    }

    @Test func aThousandRendersAtTTLExpiryCauseExactlyOneFetch() async throws {
        let dist = try TestDist()
        try dist.publish(version: 1, current: 1)
        let server = try await RunningServer.start(dist.root)
        defer { Task { await server.stop() } }
        let folio = try client(server, dist, ttl: .milliseconds(100))
        _ = try await folio.render("triage", variables: ["ticket_text": "x"])
        #expect(server.count(manifestPath) == 1)
        try dist.publish(version: 2, current: 2)
        try await RunningServer.letItSeeTheChange()
        time.advance(.milliseconds(150))  // the TTL passes
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<1000 {
                group.addTask { try await folio.render("triage", variables: ["ticket_text": "x"]).version }
            }
            for try await version in group { #expect(version == 1 || version == 2) }
        }
        await folio.store.waitForRefresh()
        #expect(server.count(manifestPath) == 2)
        #expect(try await folio.render("triage", variables: ["ticket_text": "x"]).version == 2)
    }

    @Test func a304KeepsTheEntryAndResetsItsAge() async throws {
        let dist = try TestDist()
        try dist.publish(version: 1, current: 1)
        let server = try await RunningServer.start(dist.root)
        defer { Task { await server.stop() } }
        let folio = try client(server, dist, ttl: .milliseconds(200))
        _ = try await folio.render("triage", variables: ["ticket_text": "x"])
        time.advance(.milliseconds(250))
        _ = try await folio.render("triage", variables: ["ticket_text": "x"])
        await folio.store.waitForRefresh()
        #expect(server.count(manifestPath, status: 304) == 1)
        #expect(server.count("/production/manifest.json.sig") == 1)
        _ = try await folio.render("triage", variables: ["ticket_text": "x"])
        #expect(server.count(manifestPath) == 2)  // fresh again: no new request
    }

    @Test func pinnedVersionsAreCheckedAndCachedForever() async throws {
        let dist = try TestDist()
        try dist.publish(version: 3, current: 3)
        let server = try await RunningServer.start(dist.root)
        defer { Task { await server.stop() } }
        let folio = try client(server, dist)
        let pinned = try await folio.render("triage@1", variables: ["ticket_text": "x"])
        #expect(pinned.version == 1)
        #expect(pinned.messages[0].content == "Prompt v1. Type: email")
        #expect(try await folio.version(of: "triage@1").status == .pinned)
        for _ in 0..<5 { _ = try await folio.render("triage@1", variables: ["ticket_text": "x"]) }
        #expect(server.count("/prompts/triage/1.json") == 1)
        try dist.write(Data("{\"forged\": true}".utf8), "prompts/triage/2.json")
        let forged = await #expect(throws: FolioClientError.self) { try await folio.render("triage@2", variables: ["ticket_text": "x"]) }
        #expect(forged?.message.contains("does not match the sha256") == true)
        let never = await #expect(throws: FolioClientError.self) { try await folio.render("triage@9", variables: ["ticket_text": "x"]) }
        #expect(never?.message.contains("triage' v9 was never published") == true)
    }

    @Test func renderErrorsNamePromptVersionAndVariable() async throws {
        let dist = try TestDist()
        try dist.publish(version: 1, current: 1)
        let server = try await RunningServer.start(dist.root)
        defer { Task { await server.stop() } }
        let folio = try client(server, dist)
        let missing = await #expect(throws: FolioClientError.self) { try await folio.render("triage", variables: [:]) }
        #expect(missing?.message == "prompt 'triage' v1: missing required variable 'ticket_text'")
        let unknown = await #expect(throws: FolioClientError.self) { try await folio.render("triage", variables: ["ticket_text": "x", "mood": "calm"]) }
        #expect(unknown?.message.contains("unknown variable 'mood'") == true)
        let badEnum = await #expect(throws: FolioClientError.self) { try await folio.render("triage", variables: ["ticket_text": "x", "ticket_type": "fax"]) }
        #expect(badEnum?.message == "prompt 'triage' v1: variable 'ticket_type': 'fax' is not one of email, chat, web")
        let noPrompt = await #expect(throws: FolioClientError.self) { try await folio.render("summary", variables: [:]) }
        #expect(noPrompt?.kind == .unknownPrompt)
    }

    @Test func aManifestSignedByAnotherKeyIsRefused() async throws {
        let dist = try TestDist()
        try dist.publish(version: 1, current: 1, key: SSHPrivateKeyFactory.other)
        let server = try await RunningServer.start(dist.root)
        defer { Task { await server.stop() } }
        let folio = try client(server, dist)
        await #expect(throws: FolioClientError.self) { try await folio.render("triage", variables: ["ticket_text": "x"]) }
        #expect(throws: FolioClientError.self) { try FolioClient(manifestURL: server.url("x"), publicKeys: ["not a key"]) }
    }

    @Test func promptSpansCarryGenAIAttributes() async throws {
        let prompt = RenderedPrompt(name: "triage", version: 2, messages: [], model: ModelSettings(provider: "openai", name: "gpt-4o", temperature: 0, maxTokens: 256), variables: [:])
        let tracer = InMemoryTracer()
        let answer = try await prompt.withPromptSpan(tracer: tracer) { span in
            span.recordResponse(model: "gpt-4o-2024-08-06", inputTokens: 120, outputTokens: 3)
            return "billing"
        }
        #expect(answer == "billing")
        let span = try #require(tracer.finishedSpans.first)
        #expect(span.operationName == "chat gpt-4o")
        #expect(span.kind == .client)
        let attributes = span.attributes
        #expect(attributes["gen_ai.operation.name"]?.toSpanAttribute() == .string("chat"))
        #expect(attributes["gen_ai.provider.name"]?.toSpanAttribute() == .string("openai"))
        #expect(attributes["gen_ai.request.model"]?.toSpanAttribute() == .string("gpt-4o"))
        #expect(attributes["gen_ai.request.max_tokens"]?.toSpanAttribute() == .int64(256))
        #expect(attributes["gen_ai.prompt.name"]?.toSpanAttribute() == .string("triage"))
        #expect(attributes["gen_ai.prompt.version"]?.toSpanAttribute() == .int64(2))
        #expect(attributes["gen_ai.response.model"]?.toSpanAttribute() == .string("gpt-4o-2024-08-06"))
        #expect(attributes["gen_ai.usage.input_tokens"]?.toSpanAttribute() == .int64(120))
        #expect(attributes["gen_ai.usage.output_tokens"]?.toSpanAttribute() == .int64(3))
        #expect(attributes["gen_ai.input.messages"] == nil, "content is opt-in")
    }

    @Test func capturedContentFollowsThePartsFormat() async throws {
        let prompt = RenderedPrompt(
            name: "triage", version: 2,
            messages: [ChatMessage(role: "system", content: "Classify."), ChatMessage(role: "user", content: "I need a refund")],
            model: ModelSettings(name: "gpt-4o"), variables: ["ticket_text": .string("I need a refund"), "tier": .number(2)]
        )
        let tracer = InMemoryTracer()
        try await prompt.withPromptSpan(tracer: tracer, captureContent: true) { span in span.recordOutput("billing", finishReason: "stop") }
        let attributes = try #require(tracer.finishedSpans.first).attributes
        #expect(attributes["gen_ai.system_instructions"]?.toSpanAttribute() == .string(#"[{"content":"Classify.","type":"text"}]"#))
        #expect(attributes["gen_ai.input.messages"]?.toSpanAttribute() == .string(#"[{"parts":[{"content":"I need a refund","type":"text"}],"role":"user"}]"#))
        #expect(attributes["gen_ai.output.messages"]?.toSpanAttribute() == .string(#"[{"finish_reason":"stop","parts":[{"content":"billing","type":"text"}],"role":"assistant"}]"#))
        #expect(attributes["gen_ai.prompt.variable.ticket_text"]?.toSpanAttribute() == .string("I need a refund"))
        #expect(attributes["gen_ai.prompt.variable.tier"]?.toSpanAttribute() == .double(2))
    }
}

import FolioSigning

enum SSHPrivateKeyFactory {
    static let other = SSHPrivateKey(comment: "someone-else")
}

/// What the client logs and throws during an outage.
@Suite(.serialized)
struct FolioClientOutageTests {
    /// Every message a logger receives, with its level.
    final class Captured: Sendable {
        let entries = Mutex<[(Logger.Level, String)]>([])
        var logger: Logger {
            var logger = Logger(label: "test.outage") { _ in Handler(captured: self) }
            logger.logLevel = .trace
            return logger
        }

        struct Handler: LogHandler {
            let captured: Captured
            var logLevel: Logger.Level = .trace
            var metadata: Logger.Metadata = [:]
            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }
            func log(event: LogEvent) {
                captured.entries.withLock { $0.append((event.level, "\(event.message)")) }
            }
        }
    }

    @Test func anOutageIsLoggedOnceAtInfoAndItsEndOnce() async throws {
        let dist = try TestDist()
        try dist.publish(version: 1, current: 1)
        let server = try await RunningServer.start(dist.root)
        defer { Task { await server.stop() } }
        let captured = Captured()
        let tests = FolioClientTests()
        let folio = try tests.client(server, dist, ttl: .seconds(1), logger: captured.logger)
        #expect(try await folio.render("triage", variables: ["ticket_text": "x"]).version == 1)
        // The manifest goes missing: five refresh attempts fail, the cached copy serves.
        let manifest = try Data(contentsOf: dist.manifestURL)
        try FileManager.default.removeItem(at: dist.manifestURL)
        try await RunningServer.letItSeeTheChange()
        for _ in 0..<5 {
            tests.time.advance(.seconds(11))  // past the TTL and the pause after a failure
            #expect(try await folio.render("triage", variables: ["ticket_text": "x"]).version == 1)
            await folio.store.waitForRefresh()
        }
        try dist.write(manifest, "production/manifest.json")
        try await RunningServer.letItSeeTheChange()
        tests.time.advance(.seconds(11))
        _ = try await folio.render("triage", variables: ["ticket_text": "x"])
        await folio.store.waitForRefresh()
        let entries = captured.entries.withLock { $0 }
        #expect(entries.allSatisfy { $0.0 <= .info }, "a library logs at info or below: \(entries)")
        let info = entries.filter { $0.0 == .info }.map(\.1)
        #expect(info == ["manifest fetch failed", "manifest fetch works again"], "\(entries)")
        #expect(entries.filter { $0.0 == .debug }.count == 4, "\(entries)")
    }

    @Test func everyErrorThePublicAPIThrowsIsAFolioClientError() async throws {
        let dist = try TestDist()
        try dist.publish(version: 2, current: 2)
        let server = try await RunningServer.start(dist.root)
        defer { Task { await server.stop() } }
        let folio = try FolioClientTests().client(server, dist)
        // A pinned version whose file is gone: the fetch failure comes wrapped, underneath.
        try FileManager.default.removeItem(at: dist.root.appendingPathComponent("prompts/triage/1.json"))
        let error = await #expect(throws: FolioClientError.self) { try await folio.render("triage@1", variables: ["ticket_text": "x"]) }
        #expect(error?.kind == .unavailable)
        #expect(error?.underlying != nil)
        #expect(error?.message.contains("404") == true, "\(String(describing: error))")
        #expect("\(FolioClientError.Kind.render)" == "render")
    }
}
