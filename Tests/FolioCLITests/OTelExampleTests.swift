import FolioCore
import FolioFakeLLM
import FolioTestSupport
import Foundation
import Testing

/// An app exporting with swift-otel over OTLP/HTTP JSON to `folio collect`, then
/// `folio report` reading what it wrote: the SDK's prompt name and version come through.
@Suite(.serialized)
struct OTelExampleTests {
    @Test func swiftOTelSpansReachCollectAndReport() async throws {
        let model = try await FakeLLMServer.start()
        defer { Task { await model.stop() } }
        let fixture = try PromotionFixture(prompts: ["support_ticket_triage"], versions: 1)
        try fixture.repo.commit("The worked example", files: [WorkedExample.promptPath: WorkedExample.promptV1])
        let dist = fixture.repo.url.appendingPathComponent("dist")
        for arguments in [["promote", "support_ticket_triage@2", "--env", "production", "--note", "v2"], ["build", "--env", "production", "--out", dist.path]] {
            let result = try CLI.runProcess(arguments + ["--signing-key", fixture.key("alice")], in: fixture.repo.url)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let serve = try DeployLoopTests.Serve(dist)
        defer { _ = serve.stop() }
        let collector = try CollectCommandTests.Collector()
        let tickets = fixture.repo.url.appendingPathComponent("tickets.jsonl")
        try """
        {"text": "I need a refund for my last payment", "type": "email", "expected": "billing"}
        {"text": "The billing API returns wrong amounts for annual plans", "type": "web", "expected": "technical"}
        {"text": "I cannot log in with SSO since yesterday", "type": "chat", "expected": "account"}
        """.write(to: tickets, atomically: true, encoding: .utf8)
        try fixture.publicKey("alice").write(to: fixture.repo.url.appendingPathComponent("key.pub"), atomically: true, encoding: .utf8)
        let example = URL(fileURLWithPath: CLI.binary).deletingLastPathComponent().appendingPathComponent("folio-otel-example").path
        let app = try await Command.runAsync(
            example,
            [
                "http://127.0.0.1:\(serve.port)/production/manifest.json", fixture.repo.url.appendingPathComponent("key.pub").path, tickets.path,
                "http://127.0.0.1:\(collector.port)/v1/traces", model.baseURL,
            ])
        #expect(app.status == 0, "\(app.stdout)\n\(app.stderr)")
        #expect(app.stdout.contains("v2  WRONG billing    The billing API returns wrong amounts"))
        #expect(try await collector.stop() == 0)

        let report = try CLI.runProcess("report", collector.folder.path, "--label-attr", "app.expected_team", "--format", "json", in: fixture.repo.url)
        #expect(report.status == 0, "\(report.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        let group = try #require((object["groups"] as? [[String: Any]])?.first)
        #expect(group["group"] as? String == "support_ticket_triage 2")
        #expect(group["spans"] as? Int == 3)
        #expect(abs((group["misclassification_rate"] as? Double ?? 0) - 1.0 / 3) < 1e-9)
        #expect((group["input_tokens_mean"] as? Double ?? 0) > 0)

        // The captured content is what from-trace needs.
        let listed = try CLI.runProcess("traces", "list", collector.folder.path, "--format", "json", in: fixture.repo.url)
        let spans = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        let spanID = try #require(spans.first { ($0["output"] as? String) == "billing" }?["span_id"] as? String)
        let draft = try CLI.runProcess("prompt", "from-trace", collector.folder.path, "--span", spanID, "--name", "captured", "--out", "prompts/captured.yaml", in: fixture.repo.url)
        #expect(draft.status == 0, "\(draft.stderr)")
        let text = try String(contentsOf: fixture.repo.url.appendingPathComponent("prompts/captured.yaml"), encoding: .utf8)
        #expect(text.contains("{{ticket_text}}"))
    }
}
