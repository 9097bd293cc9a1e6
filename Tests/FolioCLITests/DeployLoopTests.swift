import Foundation
import FolioTestSupport
import Logging
import Testing
@testable import FolioClient

/// promote → build → serve → SDK, with the real `folio` binary and the SDK in this process.
@Suite(.serialized)
struct DeployLoopTests {
    /// `folio serve` as a child process on a free port.
    final class Serve: @unchecked Sendable {
        let server: ServerProcess
        var process: Process { server.process }
        var port: Int { server.port }

        init(_ dist: URL, extra: [String] = [], errorLog: URL? = nil) throws {
            server = try ServerProcess(CLI.binary, ["serve", dist.path, "--port", "0"] + extra, errorLog: errorLog)
        }

        /// SIGTERM: a graceful shutdown.
        func stop() -> Int32 {
            process.terminate()
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    func client(_ url: URL, key: String, ttl: Duration) throws -> FolioClient {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        var configuration = FolioClient.Configuration(manifestURL: url, publicKeys: [key])
        configuration.cacheTTL = ttl
        configuration.requestTimeout = .seconds(30)  // generous: the whole suite runs in parallel on few cores
        configuration.loadTimeout = .seconds(60)
        configuration.attempts = 2
        configuration.logger = logger
        return try FolioClient(configuration)
    }

    func run(_ fixture: PromotionFixture, _ arguments: String...) throws {
        let result = try CLI.runProcess(arguments + ["--signing-key", fixture.key("alice")], in: fixture.repo.url)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
    }

    @Test func theSameClientFollowsPromotionsAndRollbacksWithoutRestart() async throws {
        let fixture = try PromotionFixture()
        let dist = fixture.repo.url.appendingPathComponent("dist")
        try run(fixture, "promote", "triage@1", "--env", "production", "--note", "v1")
        try run(fixture, "build", "--env", "production", "--out", dist.path)
        let serve = try Serve(dist)
        let folio = try client(URL(string: "http://127.0.0.1:\(serve.port)/production/manifest.json")!, key: try fixture.publicKey("alice"), ttl: .milliseconds(200))
        let first = try await folio.render("triage", variables: ["ticket_text": "refund"])
        #expect(first.version == 1)
        #expect(first.messages[0].content == "triage v1 email")

        try run(fixture, "promote", "triage@2", "--env", "production", "--note", "v2")
        try run(fixture, "build", "--env", "production", "--out", dist.path)
        try await Task.sleep(for: .milliseconds(250))  // the TTL passes
        _ = try await folio.render("triage", variables: ["ticket_text": "refund"])
        await folio.store.waitForRefresh()
        let second = try await folio.render("triage", variables: ["ticket_text": "refund"])
        #expect(second.version == 2)
        #expect(second.messages[0].content == "triage v2 email")
        #expect("\(try await folio.version(of: "triage").status)" == "published")

        let rollback = try CLI.runProcess(["rollback", "triage", "--env", "production", "--note", "back", "--signing-key", fixture.key("alice")], in: fixture.repo.url)
        #expect(rollback.status == 0)
        try run(fixture, "build", "--env", "production", "--out", dist.path)
        try await Task.sleep(for: .milliseconds(250))
        _ = try await folio.render("triage", variables: ["ticket_text": "refund"])
        await folio.store.waitForRefresh()
        #expect(try await folio.render("triage", variables: ["ticket_text": "refund"]).version == 1)
        #expect(serve.stop() == 0)
    }

    @Test func serveWatchRebuildsWhenAPromotionLands() async throws {
        let fixture = try PromotionFixture()
        let dist = fixture.repo.url.appendingPathComponent("dist")
        try run(fixture, "promote", "triage@1", "--env", "production", "--note", "v1")
        try run(fixture, "build", "--env", "production", "--out", dist.path)
        let serve = try Serve(dist, extra: ["--watch", fixture.repo.path, "--env", "production", "--signing-key", fixture.key("alice"), "--watch-interval", "0.1"])
        defer { _ = serve.stop() }
        let folio = try client(URL(string: "http://127.0.0.1:\(serve.port)/production/manifest.json")!, key: try fixture.publicKey("alice"), ttl: .milliseconds(50))
        #expect(try await folio.render("triage", variables: ["ticket_text": "x"]).version == 1)
        try run(fixture, "promote", "triage@2", "--env", "production", "--note", "v2")
        // No `folio build`: the watcher rebuilds. Poll the client, bounded.
        var version = 1
        for _ in 0..<100 where version != 2 {
            try await Task.sleep(for: .milliseconds(100))
            _ = try await folio.render("triage", variables: ["ticket_text": "x"])
            await folio.store.waitForRefresh()
            version = try await folio.render("triage", variables: ["ticket_text": "x"]).version
        }
        #expect(version == 2)
    }

    /// An unsigned tag is one problem, logged once however many passes see it; once it is
    /// gone, a file deleted from dist/ is written again on the next pass, with nothing new
    /// promoted.
    @Test func serveWatchLogsAProblemOnceAndRepairsDist() async throws {
        let fixture = try PromotionFixture()
        let dist = fixture.repo.url.appendingPathComponent("dist")
        try run(fixture, "promote", "triage@1", "--env", "production", "--note", "v1")
        try run(fixture, "build", "--env", "production", "--out", dist.path)
        let log = fixture.keys.appendingPathComponent("serve.log")
        let serve = try Serve(dist, extra: ["--watch", fixture.repo.path, "--env", "production", "--signing-key", fixture.key("alice"), "--watch-interval", "0.1"], errorLog: log)
        defer { _ = serve.stop() }
        func logged() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        func waitFor(_ condition: () -> Bool) async throws -> Bool {
            for _ in 0..<200 where !condition() { try await Task.sleep(for: .milliseconds(50)) }
            return condition()
        }
        try fixture.repo.git("tag", "-a", "-m", "promote, unsigned", "folio/production/2")
        #expect(try await waitFor { logged().contains("rebuild failed") })
        try await Task.sleep(for: .milliseconds(1500))  // fifteen more passes see the same tag
        try fixture.repo.git("tag", "-d", "folio/production/2")
        #expect(try await waitFor { logged().contains("rebuilding works again") })
        #expect(logged().components(separatedBy: "rebuild failed").count - 1 == 1, "\(logged())")
        let versionFile = dist.appendingPathComponent("prompts/triage/1.json")
        let bytes = try Data(contentsOf: versionFile)
        try FileManager.default.removeItem(at: versionFile)
        #expect(try await waitFor { FileManager.default.fileExists(atPath: versionFile.path) })
        #expect(try Data(contentsOf: versionFile) == bytes)
        #expect(try await waitFor { logged().contains("repaired dist") })
    }

    @Test func nginxServesTheSameDistJustAsWell() async throws {
        let fixture = try PromotionFixture()
        let dist = fixture.repo.url.appendingPathComponent("dist")
        try run(fixture, "promote", "triage@2", "--env", "production", "--note", "v2")
        try run(fixture, "build", "--env", "production", "--out", dist.path)
        // nginx runs as its own user for workers; let it read the folder.
        _ = try Command.run("/bin/chmod", ["-R", "a+rX", fixture.repo.path])
        let nginx = try Nginx(serving: dist)
        defer { nginx.stop() }
        let folio = try client(URL(string: "http://127.0.0.1:\(nginx.port)/production/manifest.json")!, key: try fixture.publicKey("alice"), ttl: .milliseconds(100))
        #expect(try await folio.render("triage", variables: ["ticket_text": "x"]).version == 2)
        #expect(try await folio.render("triage@2", variables: ["ticket_text": "x"]).messages[0].content == "triage v2 email")
        try await Task.sleep(for: .milliseconds(150))
        _ = try await folio.render("triage", variables: ["ticket_text": "x"])
        await folio.store.waitForRefresh()  // a conditional GET; nginx answers 304
        #expect(try await folio.render("triage", variables: ["ticket_text": "x"]).version == 2)
        let headers = try Command.run("/usr/bin/curl", ["-sI", "-H", "Accept-Encoding: gzip", "http://127.0.0.1:\(nginx.port)/production/manifest.json"]).stdout
        #expect(headers.contains("Content-Encoding: gzip"))
    }

    @Test func folioServeAnswersLikeAStaticHostShould() throws {
        let fixture = try PromotionFixture()
        let dist = fixture.repo.url.appendingPathComponent("dist")
        try run(fixture, "promote", "triage@2", "--env", "production", "--note", "v2")
        try run(fixture, "build", "--env", "production", "--out", dist.path)
        try FileManager.default.createSymbolicLink(atPath: dist.appendingPathComponent("escape").path, withDestinationPath: "/etc")
        let serve = try Serve(dist)
        defer { _ = serve.stop() }
        let base = "http://127.0.0.1:\(serve.port)"
        func curl(_ arguments: String...) throws -> String {
            try Command.run("/usr/bin/curl", ["-s", "--path-as-is"] + arguments).stdout
        }
        let manifest = try curl("-i", "\(base)/production/manifest.json")
        #expect(manifest.contains("Cache-Control: public, max-age=300"))
        #expect(manifest.contains("Content-Type: application/json"))
        let etag = try #require(manifest.split(separator: "\r\n").first { $0.lowercased().hasPrefix("etag:") }?.split(separator: " ").last.map(String.init))
        #expect(etag.hasPrefix("\"") && !etag.hasPrefix("W/"))
        #expect(try curl("-o", "/dev/null", "-w", "%{http_code}", "-H", "If-None-Match: \(etag)", "\(base)/production/manifest.json") == "304")
        #expect(try curl("-I", "\(base)/prompts/triage/2.json").contains("Cache-Control: public, max-age=31536000, immutable"))
        #expect(try curl("-I", "-H", "Accept-Encoding: gzip", "\(base)/production/manifest.json").contains("Content-Encoding: gzip"))
        let head = try curl("-I", "\(base)/production/manifest.json")
        #expect(head.contains("HTTP/1.1 200"))
        for path in ["/../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/prompts/", "/production", "/escape/passwd", "/.folio-build-x/y"] {
            #expect(try curl("-o", "/dev/null", "-w", "%{http_code}", "\(base)\(path)") == "404", "\(path)")
        }
        #expect(try curl("\(base)/healthz") == "ok\n")
        #expect(try curl("-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "\(base)/production/manifest.json") == "405")
    }
}
