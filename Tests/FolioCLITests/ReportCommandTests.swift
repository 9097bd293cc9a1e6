import Foundation
import FolioTestSupport
import Testing

struct ReportCommandTests {
    /// Version 1 sends billing-API faults to billing; version 2 gets them right.
    func traces() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-report-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var lines: [String] = []
        let tickets = [
            ("The billing API returns wrong amounts", "technical"), ("Payments endpoint returns 500", "technical"),
            ("I need a refund", "billing"), ("Cannot log in with SSO", "account"),
        ]
        for (index, ticket) in tickets.enumerated() {
            let v1Output = ticket.1 == "technical" ? "billing" : ticket.1
            lines.append(TraceFixtures.triage(span: String(format: "10000000000000%02x", index), version: 1, ticket: ticket.0, output: v1Output, expected: ticket.1))
            lines.append(TraceFixtures.triage(span: String(format: "20000000000000%02x", index), version: 2, ticket: ticket.0, output: ticket.1, expected: ticket.1))
        }
        lines.append(TraceFixtures.triage(span: "3000000000000001", version: 2, ticket: "x", output: "general", model: "mystery-model"))
        try (lines.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("spans.jsonl"), atomically: true, encoding: .utf8)
        return folder
    }

    @Test func comparesVersionsLikeTheSeedsTable() async throws {
        let folder = try traces()
        let result = await CLI.run("report", folder.path, "--compare", "version=1,version=2", "--label-attr", "app.expected_team", "--where", "gen_ai.request.model=gpt-4o", in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(lines.contains("metric version=1 version=2 change"))
        // A rate changes in percentage points; amounts in percent.
        #expect(lines.contains("misclassification rate 50.0% 0.0% −50.0 pp"), "\(lines)")
        #expect(lines.contains("calls 4 4 +0.0%"))
        #expect(lines.contains("input tokens (mean) 100.0 100.0 +0.0%"))
        #expect(lines.contains("cost (total) $0.00104 $0.00104 +0.0%"))
    }

    @Test func groupsByPromptAndVersionWithUnknownPricesAsNA() async throws {
        let folder = try traces()
        let result = await CLI.run("report", folder.path, "--label-attr", "app.expected_team", "--format", "json", in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "folio/trace-report@1")
        let rows = try #require(object["groups"] as? [[String: Any]])
        #expect(rows.map { $0["group"] as? String } == ["support_ticket_triage 1", "support_ticket_triage 2"])
        #expect(rows[0]["misclassification_rate"] as? Double == 0.5)
        #expect(rows[1]["spans"] as? Int == 5)
        // One call's model has no price: the total is over the four priced calls, and says so.
        #expect(abs((rows[1]["cost_total_usd"] as? Double ?? 0) - 0.00104) < 1e-9)
        #expect(rows[1]["cost_total_usd_spans"] as? Int == 4)
        #expect(abs((rows[0]["cost_mean_usd"] as? Double ?? 0) - 0.00026) < 1e-9)
        #expect((rows[0]["daily"] as? [[String: Any]])?.count == 1)
        let markdown = await CLI.run("report", folder.path, "--by", "model", "--format", "markdown", in: folder)
        #expect(markdown.stdout.hasPrefix("| MODEL | calls |"))
        #expect(markdown.stdout.contains("| mystery-model | 1 |"))
        let table = await CLI.run("report", folder.path, in: folder)
        #expect(table.stdout.contains("$0.00104 (4/5 priced)"), "\(table.stdout)")
        #expect(await CLI.run("report", folder.path, "--compare", "version1", in: folder).status == 2)
    }
}

struct ReportTrendTests {
    /// Version 1 drifts: each day more billing-API tickets land with billing.
    func drifting() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-drift-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var lines: [String] = []
        for day in 0..<4 {
            for index in 0..<4 {
                let wrong = index < day
                lines.append(
                    TraceFixtures.triage(
                        span: String(format: "4%03d%012x", day, index), version: 1, ticket: "The billing API fails", output: wrong ? "billing" : "technical", expected: "technical", day: day))
            }
        }
        try (lines.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("spans.jsonl"), atomically: true, encoding: .utf8)
        return folder
    }

    @Test func dailyBucketsShowDriftAsASparklineAndInHTML() async throws {
        let folder = try drifting()
        let table = await CLI.run("report", folder.path, "--label-attr", "app.expected_team", in: folder)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("per day, 2026-09-21 to 2026-09-24 (UTC)"))
        #expect(table.stdout.contains("▁▃▆█ 75.0%"))
        let json = await CLI.run("report", folder.path, "--label-attr", "app.expected_team", "--format", "json", in: folder)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let daily = try #require(((object["groups"] as? [[String: Any]])?.first?["daily"]) as? [[String: Any]])
        #expect(daily.map { $0["misclassification_rate"] as? Double } == [0, 0.25, 0.5, 0.75])
        let html = await CLI.run("report", folder.path, "--label-attr", "app.expected_team", "--format", "html", in: folder)
        #expect(html.stdout.hasPrefix("<!DOCTYPE html>"))
        #expect(html.stdout.contains("<figcaption>misclassification rate</figcaption><svg"))
        #expect(html.stdout.contains("<polyline"))
        #expect(!html.stdout.contains("src=\"http"))
    }
}

struct AlertCommandTests {
    @Test func rulesTurnIntoExitCodes() async throws {
        let folder = try ReportCommandTests().traces()
        let firing = await CLI.run(
            [
                "alert", folder.path, "--version", "1", "--label-attr", "app.expected_team",
                "--rule", "misclassification_rate > 5%", "--rule", "latency_p95 > 5000",
            ], in: folder)
        #expect(firing.status == 1)
        #expect(firing.stdout == "FIRING: misclassification_rate > 5% for support_ticket_triage@1 (value 50.0% over 4 call(s))\n")
        let quiet = await CLI.run(["alert", folder.path, "--version", "2", "--label-attr", "app.expected_team", "--rule", "misclassification_rate > 5%", "--window", "1h"], in: folder)
        #expect(quiet.status == 0, "\(quiet.stdout)\(quiet.stderr)")
        #expect(quiet.stdout == "ok: 1 rule evaluation(s) over 1 group(s), none firing\n")
        for bad in ["misclassification_rate >", "nonsense > 1", "error_rate ~ 1", "error_rate > lots"] {
            #expect(await CLI.run(["alert", folder.path, "--rule", bad], in: folder).status == 2, "\(bad)")
        }
    }

    /// A rule with no data never passes silently: a scheduled alert must be able to fire.
    @Test func aRuleThatCannotBeEvaluatedIsInconclusive() async throws {
        let folder = try ReportCommandTests().traces()
        let unlabelled = await CLI.run(["alert", folder.path, "--rule", "misclassification_rate > 5%", "--rule", "latency_p95 > 5000"], in: folder)
        #expect(unlabelled.status == 3, "\(unlabelled.stdout)\(unlabelled.stderr)")
        #expect(
            unlabelled.stdout.contains("INCONCLUSIVE: misclassification_rate > 5% for support_ticket_triage@2: misclassification_rate needs --label-attr (or evaluation events), and there is none"))
        #expect(unlabelled.stderr.contains("pass --allow-missing to skip them"))
        let noData = await CLI.run(["alert", folder.path, "--prompt", "nothing-like-this", "--rule", "latency_p95 > 5000"], in: folder)
        #expect(noData.status == 3)
        #expect(noData.stdout.contains("INCONCLUSIVE: latency_p95 > 5000: no call matched"))
        let allowed = await CLI.run(["alert", folder.path, "--rule", "misclassification_rate > 5%", "--rule", "latency_p95 > 5000", "--allow-missing"], in: folder)
        #expect(allowed.status == 0)
        #expect(allowed.stdout.contains("skipped: misclassification_rate > 5% for support_ticket_triage@1"))
        #expect(allowed.stdout.contains("ok: 2 rule evaluation(s) over 2 group(s), none firing"))
    }
}
