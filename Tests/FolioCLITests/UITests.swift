import FolioTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `folio ui` as a process, driven by Debian's chromium through Playwright
/// (`Tests/UI/story.py`), and probed over HTTP for what it must refuse.
struct UITests {
    /// A provider that answers as a rule would: the billing-API tickets are technical only
    /// once the prompt says so (v2), so the test panel has a fix to find.
    static let rules = #"""
        import json, re, sys
        request = json.load(sys.stdin)
        system = " ".join(m["content"] for m in request["messages"] if m["role"] == "system")
        ticket = " ".join(m["content"] for m in request["messages"] if m["role"] == "user").lower()
        faulty = re.search(r"\bapi\b", ticket) and any(word in ticket for word in ("returns", "times out", "error", "fails"))
        if faulty and "is technical" in system: print("technical")
        elif any(word in ticket for word in ("refund", "charged", "invoice", "payment", "billing", "api")): print("billing")
        elif any(word in ticket for word in ("log in", "password", "sso")): print("account")
        else: print("general")
        """#

    /// Spans whose text is an attack on the page.
    static var hostile: String {
        let attacks = [
            "<script>alert('span')</script>", "<img src=x onerror=alert('img')>", "<a href=\"javascript:alert('link')\">click</a>",
            "\"><svg onload=alert('svg')>", "{{ticket_text}}</textarea><script>alert(2)</script>",
        ]
        return TraceFixtures.lines(
            attacks.enumerated().map { index, attack in
                TraceFixtures.Spec(
                    trace: String(format: "%032x", 0xBAD0 + index), span: String(format: "%016x", 0xBAD0 + index), name: attack, start: 1_700_000_000_000_000_000 + UInt64(index),
                    duration: 1_000_000,
                    attributes: [
                        "gen_ai.operation.name": "chat", "gen_ai.request.model": attack, "gen_ai.prompt.name": "xss", "gen_ai.prompt.version": "1",
                        "gen_ai.input.messages":
                            #"[{"role": "user", "content": \#(String(decoding: try! JSONSerialization.data(withJSONObject: attack, options: .fragmentsAllowed), as: UTF8.self))}]"#,
                        "gen_ai.output.messages": attack, "triage.expected": attack,
                    ])
            })
    }

    /// Version 2's traffic, on the fixture's day.
    static var secondVersion: String {
        TraceFixtures.lines(
            (0..<4).map { index in
                TraceFixtures.Spec(
                    trace: String(format: "%032x", 0x2000 + index), span: String(format: "%016x", 0x2000 + index), name: "chat gpt-4o-mini",
                    start: 1_764_460_900_000_000_000 + UInt64(index) * 1_000_000_000, duration: 600_000_000,
                    attributes: [
                        "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.prompt.name": "support_ticket_triage",
                        "gen_ai.prompt.version": "2", "gen_ai.usage.input_tokens": "40", "gen_ai.usage.output_tokens": "1", "gen_ai.output.messages": "technical",
                        "triage.expected": "technical",
                    ], service: "triage-service")
            })
    }

    /// A repository with a signer, a rule provider, and the openai-v2 traffic plus the hostile spans.
    static func workspace() throws -> (fixture: PromotionFixture, traces: URL, secondVersion: URL) {
        let fixture = try PromotionFixture(prompts: [], versions: 1)
        let script = fixture.keys.appendingPathComponent("rules.py")
        try rules.write(to: script, atomically: true, encoding: .utf8)
        let config = Fixtures.config + "providers:\n  rules: { kind: command, command: [python3, \"\(script.path)\"] }\n"
        try fixture.repo.commit("providers", files: ["folio.yaml": config])
        let traces = fixture.repo.url.appendingPathComponent("traces")
        try FileManager.default.createDirectory(at: traces, withIntermediateDirectories: true)
        let fixtures = Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/instrumentations/openai-v2")
        for file in try FileManager.default.contentsOfDirectory(atPath: fixtures.path) where file.hasSuffix(".pb") {
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent(file), to: traces.appendingPathComponent(file))
        }
        try hostile.write(to: traces.appendingPathComponent("hostile.jsonl"), atomically: true, encoding: .utf8)
        let second = fixture.keys.appendingPathComponent("v2.jsonl")
        try secondVersion.write(to: second, atomically: true, encoding: .utf8)
        try "traces/\n".write(to: fixture.repo.url.appendingPathComponent(".gitignore"), atomically: true, encoding: .utf8)
        return (fixture, traces, second)
    }

    static func start(_ fixture: PromotionFixture, traces: URL) throws -> (server: ServerProcess, url: String) {
        let server = try ServerProcess(
            CLI.binary, ["ui", traces.path, "--port", "0", "--labels", "triage.expected"], in: fixture.repo.url,
            errorLog: fixture.keys.appendingPathComponent("ui.log"),
            environment: ["FOLIO_SIGNING_KEY": fixture.key("alice"), "GIT_COMMITTER_NAME": "Ada Tester", "GIT_COMMITTER_EMAIL": "alice@example.com"])
        let url = String(server.firstLine.split(separator: "\n").first ?? "")
        return (server, url)
    }

    @Test func theSeedsStoryInABrowser() async throws {
        let (fixture, traces, second) = try Self.workspace()
        let (server, url) = try Self.start(fixture, traces: traces)
        defer { server.process.terminate() }
        #expect(url.contains("/traces?token="), "\(server.firstLine)")
        let python = try #require(PythonEnvironment.python, "no Python environment: run Scripts/python-env.sh (make test does)")
        let run = try await Command.runAsync(
            python,
            [Fixtures.packageRoot.appendingPathComponent("Tests/UI/story.py").path, url, fixture.repo.url.path, traces.path]
                + (ProcessInfo.processInfo.environment["FOLIO_UI_SCREENSHOTS"].map { [$0] } ?? []),
            environment: ProcessInfo.processInfo.environment.merging(["FOLIO_UI_V2_TRAFFIC": second.path]) { _, new in new })
        #expect(run.status == 0, "\(run.stderr)\nfolio ui: \((try? String(contentsOf: fixture.keys.appendingPathComponent("ui.log"), encoding: .utf8)) ?? "")")
        let story = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)\(run.stderr)")
        #expect(story["landed"] as? String == "/traces", "the token leaves the address bar")
        #expect(story["filtered_rows"] as? Int == 2)
        #expect(story["selected"] as? [Bool] == [true, true])
        #expect((story["created"] as? String)?.contains("Wrote prompts/support_ticket_triage.yaml") == true, "\(story)")
        // Every visible text on every page passes WCAG AA contrast, measured in the browser.
        let contrast = try #require(story["contrast"] as? [String: [String: Any]])
        #expect(Set(contrast.keys) == ["traces", "call", "new-prompt", "prompt", "promotions", "dashboard"])
        for (page, outcome) in contrast {
            #expect((outcome["checked"] as? Int ?? 0) > 10, "\(page): \(outcome)")
            #expect((outcome["failures"] as? [String]) == [], "\(page): \(outcome["failures"] ?? "")")
            #expect((outcome["unlabelled"] as? [String]) == [], "\(page): controls without a label: \(outcome["unlabelled"] ?? "")")
        }
        // Tab reaches a call from the traces page and Enter opens it.
        let keyboard = try #require(story["keyboard"] as? [String: Any])
        #expect((keyboard["opened"] as? String)?.hasPrefix("/calls/") == true, "\(keyboard)")
        // The form shows the model and settings the draft takes from the span.
        let form = try #require(story["new_prompt_page"] as? String)
        #expect(form.contains("Model and settings, from the span") && form.contains("name\tgpt-4o-mini"), "\(form)")
        // The prompt file is what `folio prompt from-trace` writes for the same span and values.
        let span = try #require(story["span"] as? String)
        let ticket = try #require(story["ticket_text"] as? String)
        let cli = fixture.keys.appendingPathComponent("cli-prompt.yaml")
        let made = await CLI.run(
            ["prompt", "from-trace", traces.path, "--span", span, "--name", "support_ticket_triage", "--var", "ticket_text=\(ticket)", "--var", "ticket_type=chat", "--out", cli.path],
            in: fixture.repo.url)
        #expect(made.status == 0, "\(made.stderr)")
        let firstCommit = try fixture.repo.git("show", "HEAD~1:prompts/support_ticket_triage.yaml")
        let written = try String(contentsOf: cli, encoding: .utf8)
        #expect(firstCommit == written.trimmingCharacters(in: .newlines), "browser:\n\(firstCommit)\ncommand:\n\(written)")
        // The golden set is what `folio goldenset add` writes for the same five calls.
        let set = "goldensets/support_ticket_triage/production_failures.yaml"
        #expect((story["golden"] as? String)?.contains("added 5 case(s)") == true, "\(story["golden"] ?? "")\n\((try? fixture.repo.git("show", "HEAD~1:\(set)")) ?? "")")
        let spans = try #require(story["golden_spans"] as? [String])
        let other = try TestRepository()
        try other.commit("v1", files: ["folio.yaml": Fixtures.config, "prompts/support_ticket_triage.yaml": firstCommit])
        let added = await CLI.run(
            ["goldenset", "add", "goldensets/support_ticket_triage/production_failures.yaml", "--from-trace", traces.path, "--expected-attr", "triage.expected"]
                + spans.flatMap { ["--span", $0] }, in: other.url)
        #expect(added.status == 0, "\(added.stderr)")
        let fromCommand = try String(contentsOf: other.url.appendingPathComponent(set), encoding: .utf8)
        #expect(try fixture.repo.git("show", "HEAD~1:\(set)") == fromCommand.trimmingCharacters(in: .newlines))
        #expect(await CLI.run(["lint"], in: fixture.repo.url).status == 0)
        // The test panel ran folio eval --compare and streamed it.
        let log = try #require(story["run"] as? String)
        #expect(log.contains("$ folio eval --compare support_ticket_triage@1 support_ticket_triage@2"), "\(log)")
        // v1 sends the billing-API tickets to billing; v2 fixes both and breaks nothing.
        #expect(log.contains("fixed: span-00f067aa0ba9000a, span-00f067aa0ba90004"), "\(log)")
        #expect(log.contains("new failures: none") && !log.contains("REGRESSION"), "\(log)")
        // And on one set of variables typed into the panel: v1 said billing, v2 says technical.
        let one = try #require(story["run_one"] as? String)
        #expect(one.contains("--var ticket_text=The invoice API returns 500 errors --var ticket_type=chat --expect technical"), "\(one)")
        #expect(one.contains("fixed: given-variables"), "\(one)")
        // A signed promotion, verified like any other.
        #expect((story["promoted"] as? String)?.contains("Recorded folio/production/1") == true, "\(story["promoted"] ?? "")")
        let verified = await CLI.run(["log", "--env", "production", "--format", "json"], in: fixture.repo.url)
        #expect(verified.stdout.contains("\"valid\" : true"), "\(verified.stdout)")
        #expect(verified.stdout.contains("Route billing-API faults to technical"))
        // The dashboard shows v2 beside v1, with the before/after table.
        let dashboard = try #require(story["dashboard"] as? String)
        #expect(dashboard.contains("version 2") && dashboard.contains("Before and after: version 1 → 2"), "\(dashboard)")
        #expect(story["dashboard_svgs"] as? Int ?? 0 >= 5, "a chart per metric with data (this traffic has no TTFT)")
        // Its before/after table is `folio report --compare`'s, cell for cell.
        let compared = await CLI.run(
            [
                "report", "traces", "--prompt", "support_ticket_triage", "--label-attr", "triage.expected", "--compare", "version=1,version=2", "--format",
                "markdown",
            ], in: fixture.repo.url)
        #expect(compared.status == 0, "\(compared.stderr)")
        let cliRows = compared.stdout.split(separator: "\n").filter { !$0.hasPrefix("|---") && !$0.contains(" --- ") }.map { line in
            line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let pageRows = try #require(story["before_after"] as? [[String]])
        #expect(pageRows.count > 5 && pageRows == cliRows, "page: \(pageRows)\ncli: \(cliRows)")
        // Hostile span text stays text: no script but the page's own, no image, no javascript: link.
        #expect(story["xss_rows"] as? Int == 5)
        for key in ["xss_traces", "xss_call"] {
            let page = try #require(story[key] as? [String: Any])
            #expect(page["scripts"] as? Int == 1, "\(key)")
            #expect(page["images"] as? Int == 0, "\(key)")
            #expect(page["javascript"] as? Int == 0, "\(key)")
            #expect((page["text"] as? String)?.contains("<script>alert('span')</script>") == true || key == "xss_call", "\(key)")
        }
        #expect((story["dialogs"] as? [Any])?.isEmpty == true, "\(story["dialogs"] ?? "")")
        #expect((story["page_errors"] as? [Any])?.isEmpty == true, "\(story["page_errors"] ?? "")")
    }

    /// No token, another site's Origin, a foreign Host, or a form without its CSRF token: refused.
    @Test func requestsFromOutsideTheSessionAreRefused() async throws {
        let (fixture, traces, _) = try Self.workspace()
        let (server, url) = try Self.start(fixture, traces: traces)
        defer { server.process.terminate() }
        let base = String(url[..<url.range(of: "/traces")!.lowerBound])
        let token = String(url[url.range(of: "token=")!.upperBound...])
        func request(_ path: String, method: String = "GET", headers: [String: String] = [:], body: String? = nil) async throws -> (Int, String) {
            var request = URLRequest(url: URL(string: base + path)!)
            request.httpMethod = method
            for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
            if let body {
                request.httpBody = Data(body.utf8)
                request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            }
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
        }
        let cookie = ["Cookie": "folio_ui=\(token)"]
        #expect(try await request("/traces").0 == 401)
        #expect(try await request("/traces", headers: ["Cookie": "folio_ui=\(String(repeating: "0", count: 64))"]).0 == 401)
        #expect(try await request("/traces?token=nope").0 == 401)
        let page = try await request("/traces", headers: cookie)
        #expect(page.0 == 200)
        #expect(try await request("/traces", headers: cookie.merging(["Host": "rebound.example:80"]) { $1 }).0 == 421)
        #expect(try await request("/traces", headers: cookie.merging(["Origin": "https://evil.example"]) { $1 }).0 == 403)
        let csrf = try #require(page.1.range(of: "name=\"csrf\" value=\"").map { String(page.1[$0.upperBound...].prefix(64)) })
        let form = "set=goldensets/x/y.yaml&span=00f067aa0ba90002&expected=billing"
        #expect(try await request("/goldensets/add", method: "POST", headers: cookie, body: form).0 == 403)
        #expect(try await request("/goldensets/add", method: "POST", headers: cookie, body: form + "&csrf=" + String(repeating: "1", count: 64)).0 == 403)
        #expect(try await request("/goldensets/add", method: "POST", headers: cookie.merging(["Origin": "http://evil.example"]) { $1 }, body: form + "&csrf=\(csrf)").0 == 403)
        // Paths from a request never leave the repository.
        let escape = try await request("/goldensets/add", method: "POST", headers: cookie, body: "set=goldensets/../../escape.yaml&span=00f067aa0ba90002&expected=billing&csrf=\(csrf)")
        #expect(escape.0 == 400)
        #expect(!FileManager.default.fileExists(atPath: fixture.repo.url.deletingLastPathComponent().appendingPathComponent("escape.yaml").path))
        let headers = try await URLSession.shared.data(for: URLRequest(url: URL(string: base + "/assets/ui.css")!)).1 as! HTTPURLResponse
        #expect((headers.value(forHTTPHeaderField: "Content-Security-Policy") ?? "").contains("script-src 'self'"))
    }
}
