import Foundation
import FolioCore
import FolioTestSupport
import Testing

@testable import folio

/// Commands run in-process through a `CommandEnvironment`: each run has its own output,
/// working folder and variables, and none of them is the process's.
struct InProcessTests {
    func triageRepository() throws -> TestRepository {
        let repo = try TestRepository()
        try repo.commit("Add triage v1", files: ["folio.yaml": Scaffold.config, WorkedExample.promptPath: WorkedExample.promptV1])
        return repo
    }

    @Test func commandsRunningAtOnceKeepTheirOwnOutput() async throws {
        let one = try triageRepository()
        let two = try triageRepository()
        try one.write("prompts/broken.yaml", "schema: folio/prompt@1\nname: broken\nmessages:\n  - role: user\n    content: \"{{who}}\"\n")
        let results = await withTaskGroup(of: (Bool, CommandResult).self) { group in
            for index in 0..<16 {
                let broken = index.isMultiple(of: 2)
                group.addTask { (broken, await CLI.run("lint", in: broken ? one.url : two.url)) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 16)
        for (broken, result) in results {
            if broken {
                #expect(result.status == 1)
                #expect(result.stdout == "prompts/broken.yaml:5:15: error: message 1 uses undeclared variable 'who': declare it under `variables:`\n")
                #expect(result.stderr == "1 error(s), 0 warning(s)\n")
            } else {
                #expect(result.status == 0)
                #expect(result.stdout == "")
                #expect(result.stderr.hasPrefix("ok: "))
            }
        }
    }

    @Test func relativePathsAreTakenFromTheCommandsFolder() async throws {
        let repo = try triageRepository()
        try repo.write("vars.yaml", "ticket_text: From the vars file\nticket_type: email\n")
        let inside = await CLI.run(["render", "support_ticket_triage@1", "--vars-file", "vars.yaml"], in: repo.url)
        #expect(inside.status == 0, "\(inside.stderr)")
        #expect(inside.stdout.contains("From the vars file"))
        let parent = repo.url.deletingLastPathComponent()
        let named = repo.url.lastPathComponent
        let fromParent = await CLI.run(["render", "support_ticket_triage@1", "--repo", named, "--vars-file", "\(named)/vars.yaml"], in: parent)
        #expect(fromParent.stdout == inside.stdout)
        // The process's own folder is not the command's: nothing is written there.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-inprocess-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let created = await CLI.run("init", "made-here", in: folder)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("made-here/folio.yaml").path))
        #expect(!FileManager.default.fileExists(atPath: FileManager.default.currentDirectoryPath + "/made-here"))
    }

    @Test func theCommandsVariablesAreItsOwn() async throws {
        let fixture = try PromotionFixture()
        let result = await CLI.run(
            ["promote", "triage@1", "--env", "production", "--note", "x", "--signing-key", fixture.key("alice")], in: fixture.repo.url,
            environment: ["GIT_COMMITTER_NAME": "Grace From The Environment", "GIT_COMMITTER_EMAIL": "grace@example.com"])
        #expect(result.status == 0, "\(result.stderr)")
        let tag = try fixture.repo.git("cat-file", "tag", "folio/production/1")
        #expect(tag.contains("tagger Grace From The Environment <grace@example.com>"))
        #expect(ProcessInfo.processInfo.environment["GIT_COMMITTER_NAME"] != "Grace From The Environment")
        // COLUMNS, as a shell exports it, sets the width tables are fitted to.
        let (wide, _) = CommandEnvironment.captured(in: fixture.repo.url, variables: ["COLUMNS": "200"])
        let (plain, _) = CommandEnvironment.captured(in: fixture.repo.url, variables: [:])
        #expect(wide.width == 200)
        #expect(plain.width == 120)
    }

    @Test func helpAndUsageErrorsGoWhereTheProcessWouldSendThem() async {
        let folder = FileManager.default.temporaryDirectory
        let help = await CLI.run("lint", "--help", in: folder)
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: folio lint"))
        #expect(help.stderr.isEmpty)
        let version = await CLI.run("--version", in: folder)
        #expect(version.stdout == "2.0.0\n")
        let usage = await CLI.run("lint", "--format", "xml", in: folder)
        #expect(usage.status == 2)
        #expect(usage.stdout.isEmpty)
        #expect(usage.stderr.contains("xml"))
    }
}
