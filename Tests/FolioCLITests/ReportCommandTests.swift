import Foundation
import FolioTestSupport
import Testing

struct ReportCommandTests {
    /// Version 1 sends billing-API faults to billing; version 2 gets them right.
    func traces() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-report-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var lines: [String] = []
        let tickets = [("The billing API returns wrong amounts", "technical"), ("Payments endpoint returns 500", "technical"),
                       ("I need a refund", "billing"), ("Cannot log in with SSO", "account")]
        for (index, ticket) in tickets.enumerated() {
            let v1Output = ticket.1 == "technical" ? "billing" : ticket.1
            lines.append(TraceFixtures.triage(span: String(format: "10000000000000%02x", index), version: 1, ticket: ticket.0, output: v1Output, expected: ticket.1))
            lines.append(TraceFixtures.triage(span: String(format: "20000000000000%02x", index), version: 2, ticket: ticket.0, output: ticket.1, expected: ticket.1))
        }
        lines.append(TraceFixtures.triage(span: "3000000000000001", version: 2, ticket: "x", output: "general", model: "mystery-model"))
        try (lines.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("spans.jsonl"), atomically: true, encoding: .utf8)
        return folder
    }

    @Test func comparesVersionsLikeTheSeedsTable() throws {
        let folder = try traces()
        let result = try CLI.run("report", folder.path, "--compare", "version=1,version=2", "--label-attr", "app.expected_team", "--where", "gen_ai.request.model=gpt-4o", in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(lines.contains("metric version=1 version=2 change"))
        #expect(lines.contains("misclassification rate 50.0% 0.0% -100.0%"))
        #expect(lines.contains("spans 4 4 +0.0%"))
        #expect(lines.contains("input tokens (mean) 100.0 100.0 +0.0%"))
        #expect(lines.contains("cost (total) $0.0010 $0.0010 +0.0%"))
    }

    @Test func groupsByPromptAndVersionWithUnknownPricesAsNA() throws {
        let folder = try traces()
        let result = try CLI.run("report", folder.path, "--label-attr", "app.expected_team", "--format", "json", in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: String]])
        #expect(rows.map { $0["group"] } == ["support_ticket_triage 1", "support_ticket_triage 2"])
        #expect(rows[0]["misclassification rate"] == "50.0%")
        #expect(rows[1]["spans"] == "5")
        #expect(rows[1]["cost (total)"] == "n/a") // one span's model has no price: never $0
        #expect(rows[0]["cost (mean)"] == "$0.000260")
        let markdown = try CLI.run("report", folder.path, "--by", "model", "--format", "markdown", in: folder)
        #expect(markdown.stdout.hasPrefix("| MODEL | spans |"))
        #expect(try CLI.run("report", folder.path, "--compare", "version1", in: folder).status == 2)
    }
}

struct AlertCommandTests {
    @Test func rulesTurnIntoExitCodes() throws {
        let folder = try ReportCommandTests().traces()
        let firing = try CLI.run(["alert", folder.path, "--version", "1", "--label-attr", "app.expected_team",
                                  "--rule", "misclassification_rate > 5%", "--rule", "latency_p95 > 5000"], in: folder)
        #expect(firing.status == 1)
        #expect(firing.stdout == "FIRING: misclassification_rate > 5% (value 0.5 over 4 span(s))\n")
        let quiet = try CLI.run(["alert", folder.path, "--version", "2", "--label-attr", "app.expected_team", "--rule", "misclassification_rate > 5%", "--window", "1h"], in: folder)
        #expect(quiet.status == 0, "\(quiet.stdout)\(quiet.stderr)")
        #expect(quiet.stdout.hasPrefix("ok: 1 rule(s), none firing over 5 span(s)"))
        for bad in ["misclassification_rate >", "nonsense > 1", "error_rate ~ 1", "error_rate > lots"] {
            #expect(try CLI.run(["alert", folder.path, "--rule", bad], in: folder).status == 2, "\(bad)")
        }
    }
}
