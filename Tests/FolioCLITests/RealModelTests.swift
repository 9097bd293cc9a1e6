import FolioCore
import FolioEval
import FolioTestSupport
import Foundation
import Testing

/// The worked example's golden set through the `openai` provider against a real small
/// instruct model on loopback (llama.cpp's server from PyPI). It asserts real token counts
/// and latencies, not a particular accuracy.
@Suite(.serialized, .enabled(if: LocalModel.isInstalled || LocalModel.isRequired, "run Scripts/local-llm/setup.sh (make test does) to install the local model"))
struct RealModelTests {
    @Test func theGoldenSetRunsOnARealModel() async throws {
        #expect(LocalModel.isInstalled, "the local model is missing: run Scripts/local-llm/setup.sh")
        let server = try LocalModelServer(LocalModel.installation)
        defer { server.stop() }
        let repo = try TestRepository()
        let config = """
            schema: folio/config@1
            providers:
              openai: { kind: openai, base_url: "\(server.baseURL)/v1", concurrency: 1, timeout: 120 }
            """
        try repo.commit("Add the triage prompt", files: ["folio.yaml": config, WorkedExample.promptPath: WorkedExample.promptV2, WorkedExample.goldenSetPath: WorkedExample.goldenSet])
        let result = try await CLI.runProcessAsync(["eval", "support_ticket_triage", "--format", "json", "--no-cache", "--out", "reports"], in: repo.url)
        #expect([0, 1].contains(result.status), "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let run = try #require((report["runs"] as? [[String: Any]])?.first)
        let samples = (run["cases"] as? [[String: Any]] ?? []).flatMap { ($0["sides"] as? [[String: Any]] ?? []).flatMap { $0["samples"] as? [[String: Any]] ?? [] } }
        #expect(samples.count == 5)
        for sample in samples {
            #expect(["pass", "fail"].contains(sample["status"] as? String), "\(sample)")
            #expect((sample["input_tokens"] as? Int ?? 0) > 50)
            #expect((sample["output_tokens"] as? Int ?? 0) >= 1)
            #expect((sample["latency_ms"] as? Double ?? 0) > 1)
            #expect(!(sample["output"] as? String ?? "").isEmpty)
        }
        let summary = try #require((run["summaries"] as? [[String: Any]])?.first)
        #expect((summary["answered_by"] as? [String])?.isEmpty == false)
        #expect(FileManager.default.fileExists(atPath: repo.url.appendingPathComponent("reports/report.html").path))
    }
}
