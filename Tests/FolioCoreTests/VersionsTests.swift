import Foundation
import FolioGit
import FolioModel
import FolioTemplate
import FolioTestSupport
import Testing
@testable import FolioCore

struct VersionsTests {
    /// A Folio repository with a prompt committed three times on main.
    func makeRepository() throws -> TestRepository {
        let repo = try TestRepository()
        try repo.commit("config", files: ["folio.yaml": Fixtures.config])
        try repo.commit("v1", files: ["prompts/triage.yaml": Fixtures.prompt("triage", system: "one {{ticket_type}}")])
        try repo.commit("unrelated", files: ["README.md": "x\n"])
        try repo.commit("v2", files: ["prompts/triage.yaml": Fixtures.prompt("triage", system: "two {{ticket_type}}")])
        try repo.commit("v3", files: ["prompts/triage.yaml": Fixtures.prompt("triage", system: "three {{ticket_type}}")])
        return repo
    }

    @Test func versionsAreDistinctContentsOnMainsFirstParentHistory() throws {
        let repo = try makeRepository()
        let folio = try PromptRepository(discovering: repo.path)
        let versions = try folio.versions(of: "triage")
        #expect(versions.map(\.number) == [1, 2, 3])
        #expect(versions.map(\.subject) == ["v1", "v2", "v3"])
        #expect(versions.map(\.author) == ["Ada Tester", "Ada Tester", "Ada Tester"])
        #expect(versions[2].blob.hex == (try repo.git("rev-parse", "HEAD:prompts/triage.yaml")))
    }

    @Test func branchCommitsAreDraftsUntilMergedAndThenCountOnce() throws {
        let repo = try makeRepository()
        try repo.git("checkout", "-q", "-b", "pr")
        try repo.commit("wip 1", files: ["prompts/triage.yaml": Fixtures.prompt("triage", system: "wip {{ticket_type}}")])
        let pr = try repo.commit("wip 2", files: ["prompts/triage.yaml": Fixtures.prompt("triage", system: "four {{ticket_type}}")])
        let folio = try PromptRepository(discovering: repo.path)
        #expect(try folio.versions(of: "triage").count == 3)
        let atBranch = try folio.resolve(PromptReference(parsing: "triage@pr"))
        #expect(atBranch.label == "draft@\(pr.prefix(7))")
        #expect(atBranch.version == nil)

        try repo.git("checkout", "-q", "main")
        try repo.git("merge", "-q", "--no-ff", "pr", "-m", "merge pr")
        let versions = try folio.versions(of: "triage")
        #expect(versions.map(\.subject) == ["v1", "v2", "v3", "merge pr"])
        #expect(try folio.resolve(PromptReference(parsing: "triage@pr")).label == "v4")
    }

    @Test func aDeletedAndReaddedPromptKeepsCountingAndARevertIsTheOldVersion() throws {
        let repo = try makeRepository()
        try repo.remove("prompts/triage.yaml")
        try repo.commit("delete")
        try repo.commit("re-add", files: ["prompts/triage.yaml": Fixtures.prompt("triage", system: "four {{ticket_type}}")])
        try repo.commit("revert to v1", files: ["prompts/triage.yaml": Fixtures.prompt("triage", system: "one {{ticket_type}}")])
        let folio = try PromptRepository(discovering: repo.path)
        let versions = try folio.versions(of: "triage")
        #expect(versions.map(\.number) == [1, 2, 3, 4])
        #expect(versions.last?.subject == "re-add")
        #expect(try folio.resolve(PromptReference(parsing: "triage")).label == "v1")
    }

    /// The versions cache is walked on from its tip when main grows along its first
    /// parents; the result must be a whole walk's, through changes, deletions, reverts,
    /// merges of side branches and a rewritten main.
    @Test func versionsGrowFromTheCachedTipAsAWholeWalkFindsThem() throws {
        let repo = try makeRepository()
        let folio = try PromptRepository(discovering: repo.path)
        var generator = SplitMix(seed: 11)
        let names = ["triage", "billing", "summary", "refunds"]
        func someContent() -> String { Fixtures.prompt("p", system: "text \(generator.next() % 6) {{ticket_type}}") }
        for round in 1...24 {
            let name = names[Int(generator.next() % UInt64(names.count))]
            switch generator.next() % 6 {
            case 0 where FileManager.default.fileExists(atPath: repo.url.appendingPathComponent("prompts/\(name).yaml").path):
                try repo.remove("prompts/\(name).yaml")
                try repo.commit("delete \(name)")
            case 1:
                try repo.git("checkout", "-q", "-b", "side-\(round)")
                try repo.commit("side \(round)", files: ["prompts/\(name).yaml": someContent()])
                try repo.commit("side \(round) again", files: ["prompts/\(names[0]).yaml": someContent()])
                try repo.git("checkout", "-q", "main")
                try repo.commit("main \(round)", files: ["prompts/extra\(round).yaml": someContent()])
                try repo.git("merge", "-q", "--no-ff", "-m", "merge \(round)", "side-\(round)")
            case 2 where round > 12:
                try repo.git("reset", "-q", "--hard", "HEAD~2")  // main rewritten: the cached tip is gone from it
                try repo.commit("rewrite \(round)", files: ["prompts/\(name).yaml": someContent()])
            default:
                try repo.commit("change \(round)", files: ["prompts/\(name).yaml": someContent()])
            }
            let cached = try folio.allVersions()
            let walked = try folio.allVersions(cached: nil, useCache: false)
            #expect(cached == walked, "round \(round)")
        }
        // What is taken from the cache is not walked again: a subject changed in the cache
        // file shows through after main grows by a commit.
        let file = repo.url.appendingPathComponent(".git/folio/prompt-versions")
        let text = try String(contentsOf: file, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "\tv1\n", with: "\tv1 (cached)\n").utf8).write(to: file)
        try repo.commit("one more", files: ["README.md": "y\n"])
        #expect(try folio.allVersions()["triage"]?.first?.subject == "v1 (cached)")
    }

    @Test func versionsAreCountedOnTheConfiguredMainBranch() throws {
        let repo = try TestRepository(branch: "trunk")
        try repo.commit("config", files: ["folio.yaml": Fixtures.config + "main_branch: trunk\n"])
        try repo.commit("v1", files: ["prompts/triage.yaml": Fixtures.prompt("triage")])
        let folio = try PromptRepository(discovering: repo.path)
        #expect(try folio.versions(of: "triage").count == 1)

        let other = try TestRepository(branch: "trunk")
        try other.commit("config", files: ["folio.yaml": Fixtures.config])
        let error = #expect(throws: FolioError.self) { try PromptRepository(discovering: other.path).versions(of: "triage") }
        #expect(error?.kind == .configuration)
        #expect(error?.message == "the main branch 'main' does not exist in \(try PromptRepository(discovering: other.path).root.path), so no prompt has a version yet")
    }

    @Test func referencesResolveToVersionsDraftsAndCommits() throws {
        let repo = try makeRepository()
        let folio = try PromptRepository(discovering: repo.path)
        #expect(try folio.resolve(PromptReference(parsing: "triage@2")).label == "v2")
        #expect(try folio.resolve(PromptReference(parsing: "triage@v1")).label == "v1")
        #expect(try folio.resolve(PromptReference(parsing: "triage@HEAD~1")).label == "v2")
        #expect(try folio.resolve(PromptReference(parsing: "triage")).label == "v3")
        try repo.write("prompts/triage.yaml", Fixtures.prompt("triage", system: "edited {{ticket_type}}"))
        let draft = try folio.resolve(PromptReference(parsing: "triage@draft"))
        #expect(draft.label == "draft")
        let messages = try draft.compiled().render(["ticket_text": .string("hi")])
        #expect(messages[0].content == "edited email")

        let missing = #expect(throws: FolioError.self) { try folio.resolve(PromptReference(parsing: "triage@9")) }
        #expect(missing?.message == "prompt 'triage' has no version 9: it has versions 1–3")
        let unknown = #expect(throws: FolioError.self) { try folio.resolve(PromptReference(parsing: "triag")) }
        #expect(unknown?.message.contains("unknown prompt 'triag'") == true)
        #expect(unknown?.message.contains("did you mean 'triage'?") == true)
        let badRevision = #expect(throws: GitError.self) { try folio.resolve(PromptReference(parsing: "triage@nope")) }
        #expect(badRevision?.kind == .revisionNotFound)
        #expect(throws: FolioError.self) { try PromptReference(parsing: "Triage@1") }
    }

    @Test func aRepositoryWithoutFolioYamlSaysToRunInit() throws {
        let repo = try TestRepository()
        let error = #expect(throws: FolioError.self) { try PromptRepository(discovering: repo.path) }
        #expect(error?.kind == .configuration)
        #expect(error?.hint == "run `folio init` to create one")
    }

    @Test func partialsComeFromTheSameTreeAsThePrompt() throws {
        let repo = try TestRepository()
        let prompt = Fixtures.prompt("triage", system: "{{> tone}}")
        try repo.commit(
            "v1",
            files: [
                "folio.yaml": Fixtures.config, "prompts/triage.yaml": prompt,
                "prompts/partials/tone.yaml": "schema: folio/partial@1\nname: tone\ncontent: \"Be calm, {{ticket_type}}.\"\n",
            ])
        try repo.write("prompts/partials/tone.yaml", "schema: folio/partial@1\nname: tone\ncontent: \"Be quick, {{ticket_type}}.\"\n")
        let folio = try PromptRepository(discovering: repo.path)
        let committed = try folio.resolve(PromptReference(parsing: "triage@1")).compiled()
        #expect(try committed.render(["ticket_text": .string("x")])[0].content == "Be calm, email.")
        let draft = try folio.resolve(PromptReference(parsing: "triage@draft")).compiled()
        #expect(try draft.render(["ticket_text": .string("x")])[0].content == "Be quick, email.")
    }
}

struct WorkedExampleTests {
    @Test func theRepositoryFilesAreTheWorkedExample() throws {
        let root = Fixtures.packageRoot
        #expect(try String(contentsOf: root.appendingPathComponent(WorkedExample.promptPath), encoding: .utf8) == WorkedExample.promptV2)
        #expect(try String(contentsOf: root.appendingPathComponent(WorkedExample.goldenSetPath), encoding: .utf8) == WorkedExample.goldenSet)
    }

    @Test func theWorkedExampleAndTheScaffoldLintClean() throws {
        var files = Workspace.Files()
        files.config = Scaffold.config
        files.prompts = [WorkedExample.promptPath: WorkedExample.promptV2, "prompts/example.yaml": Scaffold.examplePrompt]
        files.goldenSets = [WorkedExample.goldenSetPath: WorkedExample.goldenSet, "goldensets/example/basic.yaml": Scaffold.exampleGoldenSet]
        let workspace = Workspace(files: files)
        #expect(workspace.diagnostics == [])
        #expect(workspace.goldenSets.first { $0.path == WorkedExample.goldenSetPath }?.goldenSet?.cases.map(\.expected) == ["billing", "technical", "billing", "account", "technical"])
        files.prompts = [WorkedExample.promptPath: WorkedExample.promptV1]
        files.goldenSets = [:]
        #expect(Workspace(files: files).diagnostics == [])
    }

    @Test func version2CarriesTheBillingAPIRule() throws {
        let loaded = PromptLoader.load(path: WorkedExample.promptPath, text: WorkedExample.promptV2, expectedName: WorkedExample.promptName)
        let compiled = try CompiledPrompt(try #require(loaded.prompt), version: "v2")
        let messages = try compiled.render(["ticket_text": .string("The billing API returns wrong amounts")])
        #expect(messages[0].content.contains("a ticket about the billing API or the payments endpoint"))
        #expect(messages[0].content.contains("Ticket type: email\nCustomer tier: standard"))
        #expect(messages[1] == RenderedMessage(role: "user", content: "The billing API returns wrong amounts"))
        #expect(loaded.prompt?.output?.labels == ["billing", "technical", "account", "general"])
    }
}

struct TextDiffTests {
    /// The expected text is what GNU `diff -u` prints for the same two files.
    @Test func printsUnifiedHunks() {
        let old = (1...10).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let new = old.replacingOccurrences(of: "line 2\n", with: "line two\n").replacingOccurrences(of: "line 10\n", with: "line 10\nline 11\n")
        #expect(
            TextDiff.unified(old, new, oldName: "a", newName: "b") == """
                --- a
                +++ b
                @@ -1,5 +1,5 @@
                 line 1
                -line 2
                +line two
                 line 3
                 line 4
                 line 5
                @@ -8,3 +8,4 @@
                 line 8
                 line 9
                 line 10
                +line 11

                """)
        #expect(TextDiff.unified(old, old, oldName: "a", newName: "b") == "")
    }
}
