import Foundation
import FolioCore
import FolioTestSupport
import Testing

struct TracesCommandTests {
    func traces() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-traces-cli-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let lines = [
            TraceFixtures.triage(span: "1000000000000001", version: 1, ticket: "The billing API returns wrong amounts", output: "billing"),
            "{not json",
            TraceFixtures.triage(span: "1000000000000002", version: 2, ticket: "The billing API returns wrong amounts", output: "technical"),
            TraceFixtures.triage(span: "1000000000000003", version: 1, ticket: "I need a refund", output: "billing", model: "gpt-4o-mini"),
        ]
        try (lines.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("spans.jsonl"), atomically: true, encoding: .utf8)
        return folder
    }

    @Test func listsTheLLMSpansWithFilters() async throws {
        let folder = try traces()
        let all = await CLI.run("traces", "list", folder.path, in: folder)
        #expect(all.status == 0, "\(all.stderr)")
        let rows = all.stdout.split(separator: "\n")
        #expect(rows.count == 4)
        #expect(rows[0].hasPrefix("TIME"))
        #expect(rows[1].contains("support_ticket_triage@1") && rows[1].contains("100/1") && rows[1].contains("500 ms") && rows[1].hasSuffix("billing"))
        #expect(all.stderr.contains("spans.jsonl:2: not valid JSON; the line was skipped"))
        #expect(all.stderr.contains("3 span(s) in 1 file(s), 1 warning(s)"))

        let v1 = await CLI.run("traces", "list", folder.path, "--version", "1", "--where", "gen_ai.request.model=gpt-4o-mini", "--format", "json", in: folder)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(v1.stdout.utf8)) as? [[String: Any]])
        #expect(json.map { $0["span_id"] as? String } == ["1000000000000003"])
        #expect(json.first?["output"] as? String == "billing")
        #expect(await CLI.run("traces", "list", folder.path, "--limit", "1", in: folder).stdout.split(separator: "\n").count == 2)
        #expect(await CLI.run("traces", "list", folder.path, "--where", "nothing", in: folder).status == 2)
        #expect(await CLI.run("traces", "list", "/no/such/file", in: folder).status == 2)
    }

    @Test func showsOneSpanWithItsMessages() async throws {
        let folder = try traces()
        let result = await CLI.run("traces", "show", folder.path, "1000000000000002", in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("prompt: support_ticket_triage@2"))
        #expect(result.stdout.contains("input:\n  [user] The billing API returns wrong amounts"))
        #expect(result.stdout.contains("output:\n  [assistant] technical"))
        let missing = await CLI.run("traces", "show", folder.path, "ffffffffffffffff", in: folder)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no LLM call with span id ffffffffffffffff"))
    }
}

struct FromTraceTests {
    @Test func writesALintCleanPromptWithTheValuesAsVariables() async throws {
        let repo = try TestRepository()
        try repo.commit("config", files: ["folio.yaml": Fixtures.config])
        let traces = try TracesCommandTests().traces()
        let result = await CLI.run(
            [
                "prompt", "from-trace", traces.path, "--span", "1000000000000002", "--name", "billing_triage",
                "--var", "ticket_text=The billing API returns wrong amounts",
            ], in: repo.url)
        #expect(result.status == 0, "\(result.stderr)")
        let text = try String(contentsOf: repo.url.appendingPathComponent("prompts/billing_triage.yaml"), encoding: .utf8)
        #expect(
            text == """
                schema: folio/prompt@1
                name: billing_triage
                description: "Created from span 1000000000000002 of trace 4bf92f3577b34da6a3ce929d0e0e4736."
                model:
                  name: "gpt-4o"
                variables:
                  ticket_text: { type: string, required: true }
                messages:
                  - role: user
                    content: "{{ticket_text}}"

                """)
        #expect(await CLI.run("lint", in: repo.url).status == 0)
        let again = await CLI.run(["prompt", "from-trace", traces.path, "--span", "1000000000000002", "--name", "billing_triage"], in: repo.url)
        #expect(again.status == 2)
        #expect(again.stderr.contains("already exists"))
        let wrong = await CLI.run(["prompt", "from-trace", traces.path, "--span", "1000000000000002", "--name", "other", "--var", "ticket_text=not there"], in: repo.url)
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("the value of 'ticket_text' does not occur in the span's messages"))
    }
}

struct GoldenSetAddTests {
    @Test func appendsCasesFromSpansKeepingTheFileAndSkippingDuplicates() async throws {
        let repo = try TestRepository()
        let set = "goldensets/support_ticket_triage/misroutes.yaml"
        let original = """
            # Misroutes seen in production; keep this comment.
            schema: folio/goldenset@1
            prompt: support_ticket_triage
            defaults:
              assert: [{ type: equals, normalize: [trim, lowercase] }]
            cases: []

            """
        try repo.commit("set up", files: ["folio.yaml": Scaffold.config, WorkedExample.promptPath: WorkedExample.promptV2, set: original])
        let traces = try TracesCommandTests().traces()
        let one = await CLI.run(["goldenset", "add", set, "--from-trace", traces.path, "--span", "1000000000000002", "--expected", "technical", "--id", "billing-api"], in: repo.url)
        #expect(one.status == 0, "\(one.stderr)")
        var text = try String(contentsOf: repo.url.appendingPathComponent(set), encoding: .utf8)
        #expect(text.hasPrefix("# Misroutes seen in production; keep this comment.\n"))
        #expect(
            text.contains(
                """
                  - id: billing-api
                    vars: { ticket_text: "The billing API returns wrong amounts" }
                    expected: "technical"
                    source: { trace_id: 4bf92f3577b34da6a3ce929d0e0e4736, span_id: 1000000000000002 }

                """))
        #expect(await CLI.run("lint", in: repo.url).status == 0)

        let again = await CLI.run(["goldenset", "add", set, "--from-trace", traces.path, "--span", "1000000000000002"], in: repo.url)
        #expect(again.stderr.contains("skipped span 1000000000000002: already in"))
        let several = await CLI.run(["goldenset", "add", set, "--from-trace", traces.path, "--where", "gen_ai.prompt.version=1"], in: repo.url)
        #expect(several.status == 0, "\(several.stderr)")
        // Span 1 asks what span 2 asked: its variables are a case already, so only span 3 is new.
        #expect(several.stdout.contains("added 1 case(s) to goldensets/support_ticket_triage/misroutes.yaml, skipped 1 already there"))
        text = try String(contentsOf: repo.url.appendingPathComponent(set), encoding: .utf8)
        #expect(text.contains("expected: \"billing\"  # review: the span's own output, not yet checked"))
        #expect(text.contains("id: span-1000000000000003"))
        #expect(await CLI.run("lint", in: repo.url).status == 0)
    }
}
