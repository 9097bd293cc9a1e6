import Foundation
import FolioTestSupport
import Testing
@testable import FolioGit

struct RepositoryTests {
    @Test func opensFromAnyFolderInside() throws {
        let repo = try TestRepository()
        try repo.commit("first", files: ["a/b/c.txt": "hello\n"])
        let opened = try Repository(discovering: repo.url.appendingPathComponent("a/b").path)
        #expect(opened.workingDirectory.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path } == repo.url.resolvingSymlinksInPath().path)
    }

    @Test func aFolderOutsideAnyRepositoryIsNotARepository() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-plain-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = #expect(throws: GitError.self) { try Repository(discovering: folder.path) }
        #expect(error?.kind == .notARepository)
        #expect(error?.description.contains("is not inside a git repository") == true)
        #expect(error?.description.contains("git init") == true)
    }

    @Test func aMissingFolderSaysItDoesNotExist() {
        let error = #expect(throws: GitError.self) { try Repository(discovering: "/nonexistent/folio/\(UUID())") }
        #expect(error?.kind == .notARepository)
        #expect(error?.message.contains("does not exist") == true)
    }

    @Test(.enabled(if: getuid() == 0, "only root can hand a folder to another user"))
    func aRepositoryOwnedByAnotherUserExplainsSafeDirectory() throws {
        let repo = try TestRepository()
        try repo.commit("first", files: ["a.txt": "a\n"])
        _ = try Command.run("/bin/chown", ["-R", "65534:65534", repo.path])
        defer { _ = try? Command.run("/bin/chown", ["-R", "0:0", repo.path]) }
        let error = #expect(throws: GitError.self) { try Repository(discovering: repo.path) }
        #expect(error?.kind == .unsafeOwnership)
        #expect(error?.message.contains("owned by another user") == true)
        #expect(error?.hint?.contains("git config --global --add safe.directory") == true)
        #expect(error?.message.contains("not found") == false)
    }

    @Test func resolvesTheUsualRevisions() throws {
        let repo = try TestRepository()
        let first = try repo.commit("one", files: ["f.txt": "1\n"])
        let second = try repo.commit("two", files: ["f.txt": "2\n"])
        let third = try repo.commit("three", files: ["f.txt": "3\n"])
        try repo.git("tag", "-a", "release", "-m", "annotated")
        try repo.git("tag", "light", first)
        try repo.git("branch", "feature", second)
        let git = try Repository(discovering: repo.path)
        #expect(try git.resolveCommit("HEAD").hex == third)
        #expect(try git.resolveCommit("main").hex == third)
        #expect(try git.resolveCommit("feature").hex == second)
        #expect(try git.resolveCommit("release").hex == third)
        #expect(try git.resolveCommit("light").hex == first)
        #expect(try git.resolveCommit("HEAD~2").hex == first)
        #expect(try git.resolveCommit(String(second.prefix(8))).hex == second)
        #expect(git.currentBranch() == "refs/heads/main")
    }

    @Test func resolvesRemoteBranchesOfAClone() throws {
        let origin = try TestRepository()
        let tip = try origin.commit("one", files: ["f.txt": "1\n"])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-clone-\(UUID())")
        _ = try Command.run("/usr/bin/env", ["git", "clone", "-q", origin.path, folder.path])
        let clone = TestRepository(existing: folder)
        try clone.git("checkout", "-q", "-b", "work")
        try clone.git("branch", "-D", "main")
        let git = try Repository(discovering: clone.path)
        #expect(try git.resolveCommit("origin/main").hex == tip)
        #expect(try git.resolveCommitIfPresent("refs/heads/main") == nil)
    }

    @Test func anUnknownRevisionSaysWhatToDo() throws {
        let repo = try TestRepository()
        try repo.commit("one", files: ["f.txt": "1\n"])
        let git = try Repository(discovering: repo.path)
        let error = #expect(throws: GitError.self) { try git.resolveCommit("no-such-branch") }
        #expect(error?.kind == .revisionNotFound)
        #expect(error?.message.contains("'no-such-branch' not found") == true)
        #expect(error?.hint?.contains("git fetch") == true)
    }

    @Test func anEmptyRepositorySaysItHasNoCommits() throws {
        let repo = try TestRepository()
        let git = try Repository(discovering: repo.path)
        let error = #expect(throws: GitError.self) { try git.resolveCommit("HEAD") }
        #expect(error?.message.contains("has no commits") == true)
    }

    @Test func anAmbiguousAbbreviatedIdIsReportedAsSuch() throws {
        let repo = try TestRepository()
        try repo.commit("one", files: ["f.txt": "1\n"])
        // Write enough blobs that two share their first four hex digits.
        let folder = repo.url.appendingPathComponent("blobs")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var paths: [String] = []
        for index in 0..<1500 {
            let path = folder.appendingPathComponent("\(index)").path
            try Data("blob \(index)\n".utf8).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        let ids = try repo.git(["hash-object", "-w", "--stdin-paths"], input: paths.joined(separator: "\n") + "\n")
            .split(separator: "\n").map(String.init)
        var seen: [Substring: String] = [:]
        var prefix: String?
        for id in ids {
            if seen[id.prefix(4)] != nil {
                prefix = String(id.prefix(4))
                break
            }
            seen[id.prefix(4)] = id
        }
        let ambiguous = try #require(prefix)
        let git = try Repository(discovering: repo.path)
        let error = #expect(throws: GitError.self) { try git.resolveCommit(ambiguous) }
        #expect(error?.kind == .ambiguousRevision)
        #expect(error?.hint?.contains("more hex digits") == true)
    }
}
