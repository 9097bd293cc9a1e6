import Foundation
import FolioCore
import FolioTestSupport
import Testing

/// End to end: commands in-process against real repositories, checking output and exit codes
/// (the demo runs the built binary).
@Suite(.serialized)
struct CommandTests {
    func triageRepository() throws -> TestRepository {
        let repo = try TestRepository()
        try repo.commit("Add triage v1", files: ["folio.yaml": Scaffold.config, WorkedExample.promptPath: WorkedExample.promptV1])
        try repo.commit("Route billing-API faults to technical", files: [WorkedExample.promptPath: WorkedExample.promptV2, WorkedExample.goldenSetPath: WorkedExample.goldenSet])
        return repo
    }

    @Test func lintPassesOnTheWorkedExampleAndFailsWithDiagnostics() async throws {
        let repo = try triageRepository()
        let clean = await CLI.run("lint", in: repo.url)
        #expect(clean.status == 0)
        #expect(clean.stdout == "")
        #expect(clean.stderr == "ok: 3 files checked\n")

        try repo.write("prompts/broken.yaml", "schema: folio/prompt@1\nname: broken\nmessages:\n  - role: user\n    content: \"{{who}}\"\n")
        let broken = await CLI.run("lint", in: repo.url)
        #expect(broken.status == 1)
        #expect(broken.stdout == "prompts/broken.yaml:5:15: error: message 1 uses undeclared variable 'who': declare it under `variables:`\n")
        #expect(broken.stderr == "1 error(s), 0 warning(s)\n")

        let onlyGolden = await CLI.run("lint", "goldensets", in: repo.url)
        #expect(onlyGolden.status == 0)

        let json = await CLI.run("lint", "--format", "json", in: repo.url)
        #expect(json.status == 1)
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(report?["schema"] as? String == "folio/lint@1")
        #expect(report?["errors"] as? Int == 1)
    }

    @Test func lintOutsideAFolioRepositoryIsAConfigurationError() async throws {
        let repo = try TestRepository()
        let result = await CLI.run("lint", in: repo.url)
        #expect(result.status == 2)
        #expect(result.stderr.contains("no folio.yaml"))
        #expect(result.stderr.contains("folio init"))
    }

    /// `folio … 2>&1 | head -1`: when the reader is gone, the error is lost, and the
    /// command still ends with its own status, not a crash (EPIPE used to trap).
    @Test func aClosedStandardErrorLosesTheTextNotTheExitStatus() throws {
        let repo = try TestRepository()
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        close(ends[0])  // the reader is gone before the command writes
        defer { close(ends[1]) }
        let closed = FileHandle(fileDescriptor: ends[1], closeOnDealloc: false)
        for arguments in [["lint"], ["no-such-command"]] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CLI.binary)
            process.arguments = arguments
            process.currentDirectoryURL = repo.url
            process.standardOutput = closed
            process.standardError = closed
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationReason == .exit, "\(arguments)")
            #expect(process.terminationStatus == 2, "\(arguments)")
        }
    }

    @Test func renderPrintsTheMessagesOfAVersion() async throws {
        let repo = try triageRepository()
        let result = await CLI.run("render", "support_ticket_triage@1", "--var", "ticket_text=Refund & more", "--var", "ticket_type=chat", in: repo.url)
        #expect(result.status == 0)
        #expect(result.stderr == "support_ticket_triage v1\n")
        #expect(
            result.stdout == """
                ### system
                You are a support ticket classifier. Answer with one word: billing,
                technical, account or general.
                Ticket type: chat
                Customer tier: standard

                ### user
                Refund & more

                """)
    }

    @Test func renderAsJSONWithAVariablesFile() async throws {
        let repo = try triageRepository()
        try repo.write("vars.yaml", "ticket_text: \"Where is my invoice?\"\ncustomer_tier: gold\n")
        let result = await CLI.run("render", "support_ticket_triage@2", "--vars-file", "vars.yaml", "--var", "customer_tier=enterprise", "--format", "json", in: repo.url)
        #expect(result.status == 0)
        let output = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(output["schema"] as? String == "folio/render@1")
        #expect(output["version"] as? String == "v2")
        let messages = try #require(output["messages"] as? [[String: String]])
        #expect(messages[1] == ["role": "user", "content": "Where is my invoice?"])
        #expect(messages[0]["content"]?.contains("Customer tier: enterprise") == true)
    }

    @Test func renderErrorsAreUsageErrorsThatNameTheVariable() async throws {
        let repo = try triageRepository()
        let missing = await CLI.run("render", "support_ticket_triage@2", in: repo.url)
        #expect(missing.status == 2)
        #expect(missing.stderr == "error: prompt 'support_ticket_triage' v2: missing required variable 'ticket_text'\nhint: pass it with --var ticket_text=… or --vars-file\n")
        let unknown = await CLI.run("render", "support_ticket_triage", "--var", "ticket_text=x", "--var", "mood=calm", in: repo.url)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown variable 'mood'"))
        let allowed = await CLI.run("render", "support_ticket_triage", "--var", "ticket_text=x", "--var", "mood=calm", "--allow-unknown", in: repo.url)
        #expect(allowed.status == 0)
        let badPair = await CLI.run("render", "support_ticket_triage", "--var", "novalue", in: repo.url)
        #expect(badPair.status == 2)
        #expect(badPair.stderr.contains("'novalue' is not name=value"))
        let noVersion = await CLI.run("render", "support_ticket_triage@7", in: repo.url)
        #expect(noVersion.status == 2)
        #expect(noVersion.stderr.contains("has no version 7: it has versions 1–2"))
    }

    @Test func versionsListsNewestFirstAndShowsTheDraft() async throws {
        let repo = try triageRepository()
        let result = await CLI.run("versions", "support_ticket_triage", in: repo.url)
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("VERSION  STAGING  PRODUCTION  COMMIT   AUTHOR      DATE"))
        #expect(lines[1].hasPrefix("v2 "))
        #expect(lines[1].hasSuffix("Route billing-API faults to technical"))
        #expect(lines[2].hasPrefix("v1 "))
        #expect(lines[2].contains("Ada Tester"))

        try repo.write(WorkedExample.promptPath, WorkedExample.promptV2 + "# edited\n")
        let withDraft = await CLI.run("versions", "support_ticket_triage", "--format", "json", in: repo.url)
        let output = try #require(try JSONSerialization.jsonObject(with: Data(withDraft.stdout.utf8)) as? [String: Any])
        #expect(output["draft"] as? Bool == true)
        let versions = try #require(output["versions"] as? [[String: Any]])
        #expect(versions.map { $0["number"] as? Int } == [1, 2])
        #expect(versions[1]["blob"] as? String == (try repo.git("rev-parse", "HEAD:\(WorkedExample.promptPath)")))

        let unknown = await CLI.run("versions", "nope", in: repo.url)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown prompt 'nope'"))
    }

    @Test func diffShowsTheChangeBetweenVersionsAndTheDraft() async throws {
        let repo = try triageRepository()
        let between = await CLI.run("diff", "support_ticket_triage", "1", "2", in: repo.url)
        #expect(between.status == 0)
        #expect(between.stdout.hasPrefix("--- a/prompts/support_ticket_triage.yaml (v1)\n+++ b/prompts/support_ticket_triage.yaml (v2)\n@@ "))
        #expect(between.stdout.contains("\n+      Rule: a ticket about the billing API or the payments endpoint (errors, wrong\n"))
        #expect(between.stdout.contains("\n-      technical, account or general.\n"))

        let none = await CLI.run("diff", "support_ticket_triage", in: repo.url)
        #expect(none.status == 0)
        #expect(none.stdout == "")
        #expect(none.stderr == "no differences between v2 and v2\n")

        try repo.write(WorkedExample.promptPath, WorkedExample.promptV2.replacingOccurrences(of: "temperature: 0", with: "temperature: 0.2"))
        let draft = await CLI.run("diff", "support_ticket_triage", in: repo.url)
        #expect(draft.stdout.contains("(draft)"))
        #expect(draft.stdout.contains("-  temperature: 0\n+  temperature: 0.2\n"))
    }

    @Test func varTakesJSONForListAndObjectVariables() async throws {
        let repo = try TestRepository()
        try repo.commit(
            "digest",
            files: [
                "folio.yaml": "schema: folio/config@1\n",
                "prompts/digest.yaml": """
                schema: folio/prompt@1
                name: digest
                variables:
                  tickets: { type: list, required: true }
                  owner: { type: object, default: { name: nobody } }
                  note: { type: string, default: "" }
                messages:
                  - role: user
                    content: "{{#tickets}}- {{.}}\\n{{/tickets}}Owner: {{owner.name}} {{note}}"

                """,
            ])
        let good = await CLI.run("render", "digest@1", "--var", #"tickets=["a", "b"]"#, "--var", #"owner={"name": "Ada"}"#, "--var", #"note=["not", "parsed"]"#, in: repo.url)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains("- a\n- b\nOwner: Ada [\"not\", \"parsed\"]"), "\(good.stdout)")
        let notJSON = await CLI.run("render", "digest@1", "--var", "tickets=a,b", in: repo.url)
        #expect(notJSON.status == 2)
        #expect(notJSON.stderr.contains("--var tickets: variable 'tickets' is a list, and 'a,b' is not JSON"))
        #expect(notJSON.stderr.contains(#"--var tickets='["a", "b"]'"#))
        let wrongKind = await CLI.run("render", "digest@1", "--var", #"owner=["Ada"]"#, "--var", #"tickets=[]"#, in: repo.url)
        #expect(wrongKind.status == 2)
        #expect(wrongKind.stderr.contains("variable 'owner' is an object, and '[\"Ada\"]' is JSON of another kind"), "\(wrongKind.stderr)")
    }

    @Test func diffTakesTheReferencesRenderTakes() async throws {
        let repo = try triageRepository()
        // `diff <ref>`: that reference against the working tree (here v2's content).
        let one = await CLI.run("diff", "support_ticket_triage@1", in: repo.url)
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stdout.hasPrefix("--- a/prompts/support_ticket_triage.yaml (v1)\n+++ b/prompts/support_ticket_triage.yaml (v2)\n@@ "))
        // `diff <ref> <ref>`, either order, and a side written without the name.
        let two = await CLI.run("diff", "support_ticket_triage@1", "support_ticket_triage@2", in: repo.url)
        #expect(two.status == 0 && two.stdout == one.stdout)
        let reversed = await CLI.run("diff", "support_ticket_triage@2", "support_ticket_triage@1", in: repo.url)
        #expect(reversed.stdout.hasPrefix("--- a/prompts/support_ticket_triage.yaml (v2)\n+++ b/prompts/support_ticket_triage.yaml (v1)\n"))
        #expect(await CLI.run("diff", "support_ticket_triage@1", "2", in: repo.url).stdout == one.stdout)
        let commit = try repo.git("rev-parse", "HEAD~1")
        #expect(await CLI.run("diff", "support_ticket_triage@\(commit)", "support_ticket_triage@2", in: repo.url).stdout.contains("(v1)"))
        // References that do not resolve are errors, never "no differences".
        for arguments in [
            ["support_ticket_triage@nonsense"], ["support_ticket_triage@9"], ["support_ticket_triage@1", "support_ticket_triage@nonsense"],
            ["support_ticket_triage@1", "nonsense"], ["nope@1"], ["Bad Name"],
        ] {
            let result = await CLI.run(["diff"] + arguments, in: repo.url)
            #expect(result.status == 2, "diff \(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("no differences") && !result.stderr.isEmpty, "diff \(arguments): \(result.stderr)")
        }
    }

    @Test func initScaffoldsARepositoryThatLintsClean() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-init-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let result = await CLI.run("init", in: folder)
        #expect(result.status == 0)
        #expect(result.stdout.contains("created folio.yaml"))
        #expect(result.stdout.contains("created .folio/allowed_signers"))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(".git").path))
        #expect(await CLI.run("lint", in: folder).status == 0)
        let again = await CLI.run("init", in: folder)
        #expect(again.stdout.contains("kept    folio.yaml (already there)"))
        // The README's `git add .` after a build and a collect commits neither.
        let repo = TestRepository(existing: folder)
        try repo.write("dist/production/manifest.json", "{}")
        try repo.write("traces/spans-1.jsonl", "{}")
        try repo.git("add", ".")
        let staged = try repo.git("diff", "--cached", "--name-only")
        #expect(staged.contains("folio.yaml") && !staged.contains("dist/") && !staged.contains("traces/"), "\(staged)")
    }

    @Test(arguments: [
        "init", "lint", "render", "versions", "diff", "promote", "rollback", "log", "verify", "build", "serve", "traces list", "traces show", "report", "alert", "prompt from-trace", "goldenset add",
        "demo", "eval", "check", "hooks install", "collect",
    ])
    func everyCommandHasHelpWithAnExample(command: String) async throws {
        let result = await CLI.run(command.split(separator: " ").map(String.init) + ["--help"], in: FileManager.default.temporaryDirectory)
        #expect(result.status == 0)
        #expect(result.stdout.contains("Example"))
        #expect(result.stdout.contains("USAGE: folio \(command)"))
    }

    @Test func usageErrorsExitWith2() async throws {
        let unknownCommand = await CLI.run("frobnicate", in: FileManager.default.temporaryDirectory)
        #expect(unknownCommand.status == 2)
        let badFormat = await CLI.run("lint", "--format", "xml", in: FileManager.default.temporaryDirectory)
        #expect(badFormat.status == 2)
    }

    @Test func completionScriptsAreGenerated() async throws {
        let result = await CLI.run("--generate-completion-script", "bash", in: FileManager.default.temporaryDirectory)
        #expect(result.status == 0)
        #expect(result.stdout.contains("_folio"))
    }

    @Test func theDemoRunsTheStoryEndToEnd() async throws {
        // With the local model (make test installs it), the demo runs the whole loop: traffic,
        // collect, report, goldenset add, check, ship, a second batch and the comparison.
        // With the Python environment too, the seed-style Python service sends its traffic.
        let withModel = LocalModel.isInstalled
        var environment = withModel ? ["FOLIO_LLM_DIR": LocalModel.folder.path, "FOLIO_LLM_LAUNCHER": LocalModel.launcher.path, "OPENAI_API_KEY": ""] : ["OPENAI_API_KEY": ""]
        let python = PythonEnvironment.python
        if let python {
            environment["FOLIO_PYTHON"] = python
            environment["FOLIO_PYTHON_APP"] = Fixtures.packageRoot.appendingPathComponent("Examples/python-triage/triage_service.py").path
        }
        let result = try await CLI.runProcessAsync(["demo", "--keep"], in: FileManager.default.temporaryDirectory, environment: environment)
        let kept = result.stdout.components(separatedBy: "The demo repository is kept at ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        defer { try? FileManager.default.removeItem(atPath: kept) }
        if withModel, python != nil {
            #expect(result.stdout.contains("python Examples/python-triage/triage_service.py"))
            #expect(result.stdout.contains("$ folio report traces --label-attr app.expected_team --where service.name=triage-service"))
            // The Python service's row: its eight tickets, graded from the content log records.
            let pythonReport = result.stdout.components(separatedBy: "--where service.name=triage-service").dropFirst().first ?? ""
            #expect(pythonReport.contains("support_ticket_triage 1") || pythonReport.contains("support_ticket_triage  1"), "\(pythonReport)")
        }
        if withModel {
            #expect(result.stdout.contains("$ folio collect --out traces/ --port 0 --grpc-port 0 &"))
            #expect(result.stdout.contains("misclassification rate"))
            #expect(result.stdout.contains("added 1 case(s) to goldensets/support_ticket_triage/production_failures.yaml"))
            #expect(result.stdout.contains("$ folio check --base main --provider local --out check-report"))
            #expect(result.stdout.contains("answered by qwen2.5-coder-0.5b-instruct"))
            #expect(result.stdout.contains("metric                  version=1  version=2  change"))
            // The demo's traffic reads the same from ClickHouse as from its files.
            let traces = URL(fileURLWithPath: kept).appendingPathComponent("traces").path
            let source = try await ClickHouseSourceTests.imported([traces])
            for rest in [
                ["--label-attr", "app.expected_team", "--format", "json"], ["--label-attr", "app.expected_team", "--compare", "version=1,version=2", "--format", "json"],
                ["--by", "version,service.name", "--label-attr", "app.expected_team", "--format", "json"],
            ] {
                await ClickHouseSourceTests.expectSame(["report"], rest, files: [traces], source: source)
            }
            await ClickHouseSourceTests.expectSame(["traces", "list"], ["--limit", "5", "--version", "2", "--format", "json"], files: [traces], source: source)
        }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("$ folio versions support_ticket_triage"))
        #expect(result.stdout.contains("Route billing-API faults to technical"))
        #expect(result.stdout.contains("+      Rule: a ticket about the billing API"))
        #expect(result.stdout.contains("The billing API returns wrong amounts & times out"))
        #expect(result.stderr.contains("'fax' is not one of email, chat, web"))
        #expect(result.stdout.contains("Serving version: v1 (published)"))
        #expect(result.stdout.contains("Serving version: v2 (published)"))
        #expect(result.stdout.contains("Good \"git\" signature for dana@example.com") || result.stderr.contains("Good \"git\" signature for dana@example.com"))
    }
}
