import Foundation
import FolioTestSupport
import Testing

/// The same traffic recorded by the seed's manual spans and by three instrumentations from
/// PyPI (`Tests/Fixtures/instrumentations`): every command gives the same answers.
struct InstrumentationFixtureTests {
    static let variants = ["seed", "openai-v2", "openllmetry", "openinference"]

    static func folder(_ variant: String) -> String {
        Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/instrumentations/\(variant)").path
    }

    func run(_ arguments: [String], in folder: URL = FileManager.default.temporaryDirectory) async throws -> CommandResult {
        let result = await CLI.run(arguments, in: folder)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return result
    }

    @Test func reportGivesTheSameRowWhicheverRecordedTheTraffic() async throws {
        var rows: [String: [String: Any]] = [:]
        for variant in Self.variants {
            let result = try await run(["report", Self.folder(variant), "--label-attr", "triage.expected", "--format", "json"])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let groups = try #require(object["groups"] as? [[String: Any]])
            #expect(groups.count == 1, "\(variant): \(groups.map { $0["group"] ?? "?" })")
            rows[variant] = groups.first
        }
        let seed = try #require(rows["seed"])
        #expect(seed["group"] as? String == "support_ticket_triage 1")
        #expect(seed["spans"] as? Int == 6)
        #expect(seed["input_tokens_mean"] as? Double == 33)
        #expect(abs((seed["latency_p95_ms"] as? Double ?? 0) - 650) < 0.1)  // the stub takes 650 ms; each clock reading adds 1 µs
        #expect(abs((seed["misclassification_rate"] as? Double ?? 0) - 1.0 / 6) < 1e-9)
        #expect(seed["cost_total_usd_spans"] as? Int == 6)
        let compared = [
            "group", "spans", "error_rate", "input_tokens_mean", "output_tokens_mean", "cost_total_usd", "cost_mean_usd",
            "latency_p50_ms", "latency_p95_ms", "misclassification_rate", "misclassification_rate_spans",
        ]
        func shown(_ value: Any?) -> String {
            guard let number = value as? Double else { return "\(value ?? "missing")" }
            return String(format: "%.6g", number)
        }
        for variant in Self.variants.dropFirst() {
            for key in compared {
                #expect(shown(rows[variant]?[key]) == shown(seed[key]), "\(variant): \(key)")
            }
        }
    }

    @Test func tracesListShowsEachCallOnceWithItsPrompt() async throws {
        for variant in Self.variants {
            let result = try await run(["traces", "list", Self.folder(variant), "--format", "json"])
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
            #expect(rows.count == 6, "\(variant)")
            #expect(Set(rows.compactMap { $0["span_id"] as? String }).count == 6, "\(variant)")
            #expect(rows.allSatisfy { $0["prompt"] as? String == "support_ticket_triage" && $0["version"] as? String == "1" }, "\(variant)")
            #expect(rows.map { $0["output"] as? String } == ["general", "billing", "account", "billing", "technical", "billing"], "\(variant): newest first")
            let filtered = try await run(["traces", "list", Self.folder(variant), "--where", "triage.expected=technical", "--format", "json"])
            #expect((try JSONSerialization.jsonObject(with: Data(filtered.stdout.utf8)) as? [[String: Any]])?.count == 2, "\(variant)")
        }
    }

    @Test func promptFromTraceRecoversTheSystemAndUserMessages() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("folio-from-trace-\(UUID())")
        for variant in Self.variants {
            let file = out.appendingPathComponent("\(variant).yaml")
            _ = try await run([
                "prompt", "from-trace", Self.folder(variant), "--span", "00f067aa0ba90002", "--name", "triage",
                "--var", "ticket_text=I need a refund for my last payment", "--var", "ticket_type=email", "--out", file.path,
            ])
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(
                text.contains(
                    """
                      - role: system
                        content: "You are a support ticket classifier. Answer with one word: billing, technical, account or general.\\nTicket type: {{ticket_type}}"
                      - role: user
                        content: "{{ticket_text}}"
                    """), "\(variant):\n\(text)")
            #expect(text.contains("  ticket_text: { type: string, required: true }\n  ticket_type: { type: string, required: true }"), "\(variant)")
        }
    }

    @Test func goldensetAddRecoversTheVariablesAndTakesTheExpectedLabelFromTheWrapper() async throws {
        for variant in Self.variants {
            let repo = try TestRepository()
            let prompt = ClickHouseSourceTests.triagePrompt
            try repo.commit(
                "init",
                files: [
                    "folio.yaml": Fixtures.config, "prompts/support_ticket_triage.yaml": prompt,
                    "goldensets/support_ticket_triage/misroutes.yaml": "schema: folio/goldenset@1\nprompt: support_ticket_triage\ncases: []\n",
                ])
            _ = try await run(
                [
                    "goldenset", "add", "goldensets/support_ticket_triage/misroutes.yaml", "--from-trace", Self.folder(variant),
                    "--where", "triage.expected=technical", "--expected-attr", "triage.expected",
                ], in: repo.url)
            let text = try String(contentsOf: repo.url.appendingPathComponent("goldensets/support_ticket_triage/misroutes.yaml"), encoding: .utf8)
            #expect(text.contains("vars: { ticket_text: \"The billing API returns 500 errors since this morning\", ticket_type: \"chat\" }"), "\(variant):\n\(text)")
            #expect(text.contains("vars: { ticket_text: \"Your invoice API times out on large exports\", ticket_type: \"chat\" }"), "\(variant)")
            #expect(text.components(separatedBy: "expected: \"technical\"").count == 3, "\(variant)")
            let lint = await CLI.run("lint", in: repo.url)
            #expect(lint.status == 0, "\(variant): \(lint.stdout)")
        }
    }
}
