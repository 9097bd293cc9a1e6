import FolioCore
import FolioEval
import FolioFakeLLM
import FolioModel
import FolioProviders
import FolioTemplate
import Foundation
import Testing

/// The worked example's prompts and golden set, ready to run.
enum Example {
    static func compiled(_ text: String, _ label: String) throws -> CompiledPrompt {
        let loaded = LoadedPrompt.load(path: WorkedExample.promptPath, text: text, name: WorkedExample.promptName)
        return try CompiledPrompt(try #require(loaded.prompt), version: label)
    }

    static func goldenSet(_ text: String = WorkedExample.goldenSet) throws -> GoldenSet {
        var files = Workspace.Files()
        files.prompts[WorkedExample.promptPath] = WorkedExample.promptV2
        files.goldenSets[WorkedExample.goldenSetPath] = text
        return try #require(Workspace(files: files).goldenSets.first?.goldenSet)
    }

    static func side(_ label: String, _ text: String, _ version: String, _ provider: ResilientProvider, model: String = "gpt-4o") throws -> EvalSide {
        EvalSide(info: EvalSideInfo(label: label, version: version, provider: provider.name, model: model), prompt: try compiled(text, version), provider: provider)
    }

    /// A generous timeout: on a loaded machine a request can stall for seconds, and a retry
    /// would change what the tests count.
    static func provider(_ server: FakeLLMServer, concurrency: Int = 4) -> ResilientProvider {
        ResilientProvider(
            OpenAIProvider(name: "openai", baseURL: server.baseURL, apiKey: "sk-eval-SECRET-42", timeout: 60), concurrency: concurrency, policy: RetryPolicy(maxAttempts: 2, baseDelay: 0.01))
    }

    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("folio-eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

@Suite("The golden-set runner against a real HTTP provider")
struct EvalRunnerTests {
    @Test func baseAndHeadSideBySideFindFixesAndRegressions() async throws {
        let server = try await FakeLLMServer.start()
        defer { Task { await server.stop() } }
        let provider = Example.provider(server)
        let set = try Example.goldenSet()
        let v1 = try Example.side("base", WorkedExample.promptV1, "v1", provider)
        let v2 = try Example.side("head", WorkedExample.promptV2, "v2", provider)
        let fix = await EvalRunner(options: EvalOptions()).run([EvalJob(goldenSetPath: WorkedExample.goldenSetPath, goldenSet: set, sides: [v1, v2])])
        #expect(fix.verdict == .pass)
        let run = try #require(fix.runs.first)
        #expect(run.comparisons.first?.newFailures == [])
        #expect(Set(run.comparisons.first?.fixed ?? []) == ["payments-endpoint-500", "billing-api-wrong-amounts"])
        #expect(run.summaries[0].passed == 3 && run.summaries[1].passed == 5)
        #expect(run.summaries[1].costUSD != nil && run.summaries[1].inputTokens > 0)
        let wrongAmounts = try #require(run.cases.first { $0.id == "billing-api-wrong-amounts" })
        #expect(wrongAmounts.sides[0].samples[0].output == "billing")
        #expect(wrongAmounts.input == "The billing API returns wrong amounts for annual plans")

        let regression = await EvalRunner(options: EvalOptions()).run([EvalJob(goldenSetPath: "g.yaml", goldenSet: set, sides: [v2, v1])])
        #expect(regression.verdict == .regression)
        #expect(Set(regression.runs[0].comparisons[0].newFailures) == ["payments-endpoint-500", "billing-api-wrong-amounts"])
    }

    @Test func theCacheKeepsAnswersAndLatencyButNeverErrors() async throws {
        let server = try await FakeLLMServer.start(latency: 0.02)
        defer { Task { await server.stop() } }
        let folder = try Example.folder()
        let options = EvalOptions(cache: ResponseStore(folder: folder))
        let side = try Example.side("head", WorkedExample.promptV2, "v2", Example.provider(server))
        let job = EvalJob(goldenSetPath: "g.yaml", goldenSet: try Example.goldenSet(), sides: [side])
        server.script(.status(400))
        let first = await EvalRunner(options: options).run([job])
        #expect(first.verdict == .inconclusive)
        #expect(first.runs[0].summaries[0].errors == 1)
        #expect(server.requestCount == 5)
        let second = await EvalRunner(options: options).run([job])
        #expect(second.verdict == .pass)
        #expect(server.requestCount == 6)
        #expect(second.runs[0].summaries[0].cacheHits == 4)
        let cachedLatency = second.runs[0].cases.compactMap { $0.sides[0].samples[0].cached ? $0.sides[0].samples[0].latencyMs : nil }
        #expect(cachedLatency.allSatisfy { $0 >= 20 })
        let files = FileManager.default.enumerator(atPath: folder.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") }
        #expect(files.count == 5)
        for file in files {
            #expect(!String(decoding: FileManager.default.contents(atPath: folder.appendingPathComponent(file).path)!, as: UTF8.self).contains("SECRET"))
        }
    }

    @Test func theBudgetStopsSendingAndTheRunIsInconclusive() async throws {
        let server = try await FakeLLMServer.start()
        defer { Task { await server.stop() } }
        let expensive = ["gpt-4o": ModelPrice(input: 100_000, output: 100_000)]
        let side = try Example.side("head", WorkedExample.promptV2, "v2", Example.provider(server, concurrency: 1))
        let report = await EvalRunner(options: EvalOptions(budgetUSD: 1, prices: expensive)).run([EvalJob(goldenSetPath: "g.yaml", goldenSet: try Example.goldenSet(), sides: [side])])
        #expect(report.verdict == .inconclusive)
        #expect(report.reason?.contains("budget") == true)
        #expect(server.requestCount == 1)
        #expect(report.runs[0].summaries[0].skipped == 4)
    }

    @Test func cancellingTheRunKeepsFinishedResults() async throws {
        let server = try await FakeLLMServer.start(latency: 0.3)
        defer { Task { await server.stop() } }
        let side = try Example.side("head", WorkedExample.promptV2, "v2", Example.provider(server, concurrency: 1))
        let job = EvalJob(goldenSetPath: "g.yaml", goldenSet: try Example.goldenSet(), sides: [side])
        let firstDone = AsyncStream<Void>.makeStream()
        let task = Task {
            await EvalRunner(options: EvalOptions()).run([job]) { progress in
                if progress.done == 1 { firstDone.continuation.yield() }
            }
        }
        for await _ in firstDone.stream { break }
        task.cancel()
        let report = await task.value
        #expect(report.verdict == .inconclusive, "\(report.runs[0].cases.map { $0.sides[0].samples.map { "\($0.status) \($0.latencyMs ?? -1) \($0.error ?? "")" } })")
        #expect(report.reason?.contains("interrupted") == true)
        #expect(report.runs[0].summaries[0].passed >= 1)
        #expect(report.runs[0].summaries[0].passed < 5)
    }

    @Test func repeatsWithAPassRuleRecordEverySampleAndFlakiness() async throws {
        let counter = Counter()
        let server = try await FakeLLMServer.start { _, _ in counter.next() % 2 == 0 ? "billing" : "general" }
        defer { Task { await server.stop() } }
        let set = try Example.goldenSet(
            """
            schema: folio/goldenset@1
            prompt: support_ticket_triage
            cases:
              - id: refund
                vars: { ticket_text: "I need a refund" }
                expected: billing
                repeat: 4
                pass_rule: { min_passes: 2 }
              - id: strict
                vars: { ticket_text: "Refund again" }
                expected: billing
                repeat: 2
            """)
        let side = try Example.side("head", WorkedExample.promptV2, "v2", Example.provider(server, concurrency: 1))
        let report = await EvalRunner(options: EvalOptions()).run([EvalJob(goldenSetPath: "g.yaml", goldenSet: set, sides: [side])])
        let refund = report.runs[0].cases[0].sides[0]
        #expect(refund.samples.count == 4 && refund.passes == 2 && refund.status == .pass && refund.flaky)
        let strict = report.runs[0].cases[1].sides[0]
        #expect(strict.samples.count == 2 && strict.status == .fail && strict.flaky)
        #expect(report.verdict == .fail)
        #expect(report.runs[0].summaries[0].flaky == 2)
    }

    @Test func aRenderErrorFailsTheCaseOnThatSideOnly() async throws {
        let server = try await FakeLLMServer.start()
        defer { Task { await server.stop() } }
        let set = try Example.goldenSet()
        let strictPrompt = WorkedExample.promptV2.replacingOccurrences(of: "enum: [email, chat, web]", with: "enum: [email, chat]")
        let side = try Example.side("head", strictPrompt, "draft", Example.provider(server))
        let report = await EvalRunner(options: EvalOptions()).run([EvalJob(goldenSetPath: "g.yaml", goldenSet: set, sides: [side])])
        let web = try #require(report.runs[0].cases.first { $0.id == "payments-endpoint-500" })
        #expect(web.sides[0].status == .fail)
        #expect(web.sides[0].samples[0].error?.contains("ticket_type") == true)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = -1
    func next() -> Int {
        lock.withLock {
            value += 1
            return value
        }
    }
}
