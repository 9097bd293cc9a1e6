import FolioCore
import FolioFakeLLM
import FolioTestSupport
import Foundation
import Testing

/// `folio check` and `folio eval` end to end: the commands run in-process, a real git repository with
/// a main branch and pull-request branches, and a real HTTP server speaking OpenAI's protocol.
@Suite(.serialized)
struct CheckCommandTests {
    static let key = "sk-check-SECRET-777"

    func repository(_ server: FakeLLMServer, concurrency: Int = 4) throws -> TestRepository {
        let repo = try TestRepository()
        let config = """
            schema: folio/config@1
            providers:
              openai: { kind: openai, base_url: "\(server.baseURL)", api_key_env: FAKE_LLM_KEY, concurrency: \(concurrency) }
            """
        try repo.commit("Add triage v1 and its golden set", files: ["folio.yaml": config, WorkedExample.promptPath: WorkedExample.promptV1, WorkedExample.goldenSetPath: WorkedExample.goldenSet])
        try repo.write(".gitignore", ".folio/cache/\nout*/\n")
        _ = try repo.git("checkout", "-q", "-b", "fix")
        try repo.commit("Route billing-API faults to technical", files: [WorkedExample.promptPath: WorkedExample.promptV2])
        _ = try repo.git("checkout", "-q", "-b", "regress")
        try repo.commit("Shorten the prompt", files: [WorkedExample.promptPath: WorkedExample.promptV1])
        return repo
    }

    func check(_ repo: TestRepository, _ arguments: String...) async throws -> CommandResult {
        await CLI.run(["check"] + arguments, in: repo.url, environment: ["FAKE_LLM_KEY": Self.key])
    }

    @Test func aFixPassesAndARegressionFailsWithEveryReportFormat() async throws {
        let server = try await FakeLLMServer.start()
        defer { Task { await server.stop() } }
        let repo = try repository(server)

        let fix = try await check(repo, "--base", "main", "--head", "fix", "--out", "out-fix")
        #expect(fix.status == 0, "\(fix.stderr)")
        #expect(fix.stdout.contains("head vs base: new failures: none · fixed: payments-endpoint-500, billing-api-wrong-amounts"))
        #expect(fix.stderr.contains("prompts/support_ticket_triage.yaml is modified"))
        for name in ["report.json", "report.md", "junit.xml", "report.html", "report.txt"] {
            #expect(FileManager.default.fileExists(atPath: repo.url.appendingPathComponent("out-fix/\(name)").path), "\(name)")
        }

        let regress = try await check(repo, "--base", "fix", "--head", "regress", "--out", "out-regress", "--format", "markdown")
        #expect(regress.status == 1, "\(regress.stderr)")
        #expect(regress.stdout.hasPrefix("<!-- folio-check -->"))
        #expect(regress.stdout.contains("### Regressions: support_ticket_triage, head vs base"))
        #expect(regress.stdout.contains("| payments-endpoint-500 | Your payments endpoint returns 500 errors since this morning | technical | technical | billing |"))
        let json = try String(contentsOf: repo.url.appendingPathComponent("out-regress/report.json"), encoding: .utf8)
        #expect(json.contains("\"verdict\" : \"regression\""))

        for file in ["out-fix/report.json", "out-regress/report.md", "out-regress/report.html"] {
            #expect(!(try String(contentsOf: repo.url.appendingPathComponent(file), encoding: .utf8)).contains(Self.key))
        }
        #expect(!fix.stdout.contains(Self.key) && !fix.stderr.contains(Self.key))
        #expect(server.requests.allSatisfy { $0.headers["authorization"] == "Bearer \(Self.key)" })
    }

    @Test func exitCodesForUsageAndInconclusiveRuns() async throws {
        let server = try await FakeLLMServer.start()
        defer { Task { await server.stop() } }
        let repo = try repository(server, concurrency: 1)

        let badBase = try await check(repo, "--base", "no-such-branch")
        #expect(badBase.status == 2)
        #expect(badBase.stderr.contains("no-such-branch"))

        let noKey = await CLI.run(["check", "--base", "main", "--head", "fix"], in: repo.url, environment: ["FAKE_LLM_KEY": ""])
        #expect(noKey.status == 2)
        #expect(noKey.stderr.contains("FAKE_LLM_KEY"))

        let budget = try await check(repo, "--base", "main", "--head", "fix", "--no-cache", "--budget-usd", "0.0000001")
        #expect(budget.status == 3, "\(budget.stdout)\n\(budget.stderr)")
        #expect(budget.stdout.contains("INCONCLUSIVE: the budget was reached"))

        let nothing = try await check(repo, "--base", "fix", "--head", "fix")
        #expect(nothing.status == 0)
        #expect(nothing.stderr.contains("nothing to evaluate"))
    }

    @Test func anUnreachableProviderEndsTheRunAtOnce() async throws {
        // A base_url where nothing listens: each case errors at once (no retries, no waiting
        // out the 60 s timeout as before, when a refusal took about 55 s per case).
        let repo = try TestRepository()
        try repo.commit(
            "triage",
            files: [
                "folio.yaml": "schema: folio/config@1\nproviders:\n  dead: { kind: openai, base_url: \"http://127.0.0.1:9/v1\", concurrency: 2 }\n",
                WorkedExample.promptPath: WorkedExample.promptV1, WorkedExample.goldenSetPath: WorkedExample.goldenSet,
            ])
        let (result, elapsed) = await ThreadExecutor.timed { await CLI.run(["eval", WorkedExample.promptName, "--provider", "dead", "--no-cache"], in: repo.url) }
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("cannot reach provider 'dead' at 127.0.0.1:9: the connection was refused (nothing listens there)"))
        #expect(elapsed < .seconds(20), "took \(elapsed)")
    }

    @Test func aNewPromptRunsHeadOnlyAndEvalComparesModels() async throws {
        let server = try await FakeLLMServer.start()
        defer { Task { await server.stop() } }
        let repo = try repository(server)
        _ = try repo.git("checkout", "-q", "main")
        _ = try repo.git("checkout", "-q", "-b", "new-prompt")
        let other = WorkedExample.promptV2.replacingOccurrences(of: "name: support_ticket_triage", with: "name: ticket_router")
        let set = WorkedExample.goldenSet.replacingOccurrences(of: "prompt: support_ticket_triage", with: "prompt: ticket_router")
        try repo.commit("Add a router", files: ["prompts/ticket_router.yaml": other, "goldensets/ticket_router/cases.yaml": set])
        let added = try await check(repo, "--base", "main")
        #expect(added.status == 0, "\(added.stdout)\n\(added.stderr)")
        #expect(added.stdout.contains("ticket_router · goldensets/ticket_router/cases.yaml"))
        #expect(!added.stdout.contains("base v"))

        let models = await CLI.run(
            ["eval", "support_ticket_triage", "--model", "gpt-4o", "--model", "gpt-4o-mini", "--format", "json"], in: repo.url, environment: ["FAKE_LLM_KEY": Self.key])
        // Both models misroute the same two tickets: nothing regresses when switching.
        #expect(models.status == 0, "\(models.stderr)")
        #expect(models.stdout.contains("\"label\" : \"gpt-4o-mini\""))
        let report = try JSONSerialization.jsonObject(with: Data(models.stdout.utf8)) as? [String: Any]
        let comparison = ((report?["runs"] as? [[String: Any]])?.first?["comparisons"] as? [[String: Any]])?.first
        #expect(Set(comparison?["still_failing"] as? [String] ?? []) == ["payments-endpoint-500", "billing-api-wrong-amounts"])
        let models2 = await CLI.run(["eval", "support_ticket_triage@1", "--compare", "@production"], in: repo.url, environment: ["FAKE_LLM_KEY": Self.key])
        #expect(models2.status == 2)
        #expect(models2.stderr.contains("never been promoted to production"))
    }

    /// `--var` runs one case instead of the golden sets (the UI's test panel with one set of
    /// variables): with `--expect` it is checked, without it the answers are shown.
    @Test func oneSetOfVariablesRunsAsOneCase() async throws {
        let server = try await FakeLLMServer.start()
        defer { Task { await server.stop() } }
        let repo = try repository(server)
        _ = try repo.git("checkout", "-q", "fix")
        let ticket = "ticket_text=Your payments endpoint returns 500 errors since this morning"
        let compared = await CLI.run(
            ["eval", "support_ticket_triage", "--compare", "1", "--var", ticket, "--expect", "technical", "--format", "json"], in: repo.url,
            environment: ["FAKE_LLM_KEY": Self.key])
        // On `fix`, the working tree is v2, which routes API faults to technical; v1 said billing.
        #expect(compared.status == 0, "\(compared.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(compared.stdout.utf8)) as? [String: Any]
        let run = (report?["runs"] as? [[String: Any]])?.first
        #expect(run?["golden_set"] as? String == "--var")
        #expect((run?["comparisons"] as? [[String: Any]])?.first?["fixed"] as? [String] == ["given-variables"])
        #expect(server.requests.count == 2)

        let shown = await CLI.run(["eval", "support_ticket_triage", "--var", "ticket_text=I was charged twice"], in: repo.url, environment: ["FAKE_LLM_KEY": Self.key])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("billing"), "\(shown.stdout)")

        let missing = await CLI.run(["eval", "support_ticket_triage", "--var", "ticket_type=chat"], in: repo.url, environment: ["FAKE_LLM_KEY": Self.key])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("ticket_text") && missing.stderr.contains("--var ticket_text="), "\(missing.stderr)")
        let both = await CLI.run(["eval", "support_ticket_triage", "--var", ticket, "--goldenset", "cases"], in: repo.url)
        #expect(both.status == 2)
        #expect(both.stderr.contains("--goldenset or --var"), "\(both.stderr)")
        #expect(server.requests.count == 3)
    }

    @Test func recordedAnswersReplayWithoutTheProvider() async throws {
        let server = try await FakeLLMServer.start()
        defer { Task { await server.stop() } }
        let repo = try TestRepository()
        let config = """
            schema: folio/config@1
            providers:
              openai: { kind: openai, base_url: "\(server.baseURL)", api_key_env: FAKE_LLM_KEY }
              replay: { kind: replay }
            """
        try repo.commit("Add triage", files: ["folio.yaml": config, WorkedExample.promptPath: WorkedExample.promptV2, WorkedExample.goldenSetPath: WorkedExample.goldenSet])
        let recorded = await CLI.run(["eval", "support_ticket_triage", "--record", "--no-cache"], in: repo.url, environment: ["FAKE_LLM_KEY": Self.key])
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let calls = server.requestCount
        let replayed = await CLI.run(["eval", "support_ticket_triage", "--provider", "replay", "--no-cache", "--format", "json"], in: repo.url)
        #expect(replayed.status == 0, "\(replayed.stderr)")
        #expect(server.requestCount == calls)
        #expect(replayed.stdout.contains("\"provider\" : \"replay\""))
        let recordings = FileManager.default.enumerator(atPath: repo.url.appendingPathComponent(".folio/recordings").path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") }
        #expect(recordings.count == 5)
        let changed = await CLI.run(["eval", "support_ticket_triage", "--provider", "replay", "--no-cache", "--repeat", "2", "--format", "json"], in: repo.url)
        #expect(changed.status == 3)
        #expect(changed.stdout.contains("\"error\" : \"provider 'replay' has no recording"))
    }

    @Test func ctrlCEndsTheRunInconclusiveWithTheReportsWritten() async throws {
        let server = try await FakeLLMServer.start(latency: 0.4)
        defer { Task { await server.stop() } }
        let repo = try repository(server, concurrency: 1)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["check", "--base", "main", "--head", "fix", "--out", "out-interrupted"]
        process.currentDirectoryURL = repo.url
        process.environment = ProcessInfo.processInfo.environment.merging(["FAKE_LLM_KEY": Self.key]) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        while server.requestCount < 2 { try await Task.sleep(for: .milliseconds(50)) }
        kill(process.processIdentifier, SIGINT)
        while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(process.terminationStatus == 3)
        let json = try String(contentsOf: repo.url.appendingPathComponent("out-interrupted/report.json"), encoding: .utf8)
        #expect(json.contains("\"verdict\" : \"inconclusive\""))
        #expect(json.contains("interrupted"))
        #expect(json.contains("\"status\" : \"pass\""))
    }

    @Test func hooksInstallWritesAPrePushHookOnce() async throws {
        let repo = try TestRepository()
        try repo.commit("init", files: ["folio.yaml": Scaffold.config])
        let first = await CLI.run("hooks", "install", in: repo.url)
        #expect(first.status == 0, "\(first.stderr)")
        let hook = repo.url.appendingPathComponent(".git/hooks/pre-push")
        let script = try String(contentsOf: hook, encoding: .utf8)
        #expect(script.contains("check --base '@{upstream}'"))
        #expect(FileManager.default.isExecutableFile(atPath: hook.path))
        #expect(await CLI.run("hooks", "install", in: repo.url).status == 0)
        try "#!/bin/sh\necho mine\n".write(to: hook, atomically: true, encoding: .utf8)
        let refused = await CLI.run("hooks", "install", in: repo.url)
        #expect(refused.status == 2 && refused.stderr.contains("--force"))
    }
}
