import Foundation
import FolioTestSupport
import Testing
@testable import FolioGit

struct TreeAndHistoryTests {
    @Test func readsFilesAndFoldersAtARevision() throws {
        let repo = try TestRepository()
        try repo.commit("one", files: ["prompts/a.yaml": "a1\n", "prompts/b.yaml": "b1\n", "prompts/partials/p.yaml": "p\n"])
        try repo.commit("two", files: ["prompts/a.yaml": "a2\n"])
        let git = try Repository(discovering: repo.path)
        #expect(String(decoding: try git.readFile("prompts/a.yaml", at: "HEAD~1"), as: UTF8.self) == "a1\n")
        #expect(String(decoding: try git.readFile("prompts/a.yaml", at: "HEAD"), as: UTF8.self) == "a2\n")
        let entries = try git.listFolder("prompts", at: "HEAD")
        #expect(entries.map(\.name) == ["a.yaml", "b.yaml", "partials"])
        #expect(entries.map(\.kind) == [.file, .file, .folder])
        #expect(try git.listFolder("", at: "HEAD").map(\.name) == ["prompts"])
        let missing = #expect(throws: GitError.self) { try git.readFile("prompts/zzz.yaml", at: "HEAD") }
        #expect(missing?.kind == .pathNotFound)
        #expect(missing?.message.contains("'prompts/zzz.yaml' does not exist at HEAD") == true)
        let notFolder = #expect(throws: GitError.self) { try git.listFolder("prompts/a.yaml", at: "HEAD") }
        #expect(notFolder?.kind == .notAFolder)
    }

    @Test func readsTheWorkingTreeAndHashesItLikeGit() throws {
        let repo = try TestRepository()
        try repo.commit("one", files: ["f.txt": "committed\n"])
        try repo.write("f.txt", "edited\n")
        let git = try Repository(discovering: repo.path)
        #expect(String(decoding: try git.readWorkingFile("f.txt"), as: UTF8.self) == "edited\n")
        #expect(try git.workingFileBlobID("f.txt")?.hex == (try repo.git("hash-object", "f.txt")))
        #expect(try git.workingFileBlobID("missing.txt") == nil)
    }

    @Test func firstParentHistoryReportsEachChangeOfThePath() throws {
        let repo = try TestRepository()
        let c1 = try repo.commit("add", files: ["prompts/a.yaml": "v1\n"])
        try repo.commit("unrelated", files: ["other.txt": "x\n"])
        let c3 = try repo.commit("edit", files: ["prompts/a.yaml": "v2\n"])
        // A side branch edits the file twice; main sees only the merge.
        try repo.git("checkout", "-q", "-b", "feature")
        try repo.commit("side 1", files: ["prompts/a.yaml": "side1\n"])
        try repo.commit("side 2", files: ["prompts/a.yaml": "v3\n"])
        try repo.git("checkout", "-q", "main")
        try repo.commit("main moves", files: ["other.txt": "y\n"])
        try repo.git("merge", "-q", "--no-ff", "feature", "-m", "merge feature")
        let merge = try repo.git("rev-parse", "HEAD")
        try repo.remove("prompts/a.yaml")
        let deleted = try repo.commit("delete")
        let readded = try repo.commit("re-add", files: ["prompts/a.yaml": "v4\n"])

        let git = try Repository(discovering: repo.path)
        let changes = try git.firstParentChanges(of: "prompts/a.yaml", from: "main")
        #expect(changes.map(\.commit.id.hex) == [c1, c3, merge, deleted, readded])
        #expect(changes.map(\.commit.subject) == ["add", "edit", "merge feature", "delete", "re-add"])
        #expect(changes[3].blob == nil)
        let expected = try repo.git("log", "--first-parent", "--format=%H", "--", "prompts/a.yaml").split(separator: "\n").map(String.init)
        #expect(changes.map(\.commit.id.hex) == expected.reversed())
        #expect(try git.firstParentChanges(of: "prompts/none.yaml", from: "main").isEmpty)
    }

    @Test func oneWalkOverAFolderAgreesWithAWalkPerFile() throws {
        let repo = try TestRepository()
        try repo.commit("add", files: ["prompts/a.yaml": "a1\n", "prompts/b.yaml": "b1\n", "prompts/partials/p.yaml": "p\n"])
        try repo.commit("edit a", files: ["prompts/a.yaml": "a2\n"])
        try repo.git("checkout", "-q", "-b", "side")
        try repo.commit("side b", files: ["prompts/b.yaml": "b-side\n", "prompts/c.yaml": "c1\n"])
        try repo.git("checkout", "-q", "main")
        try repo.git("merge", "-q", "--no-ff", "side", "-m", "merge")
        try repo.remove("prompts/a.yaml")
        try repo.commit("delete a")
        try repo.commit("re-add a", files: ["prompts/a.yaml": "a1\n", "prompts/a.yaml.bak": "x\n"])
        let git = try Repository(discovering: repo.path)
        let all = try git.firstParentChanges(inFolder: "prompts", from: "main")
        #expect(Set(all.keys) == ["a.yaml", "b.yaml", "c.yaml", "a.yaml.bak"])
        for (name, changes) in all {
            #expect(changes == (try git.firstParentChanges(of: "prompts/\(name)", from: "main")), "\(name)")
        }
        #expect(all["a.yaml"]?.map(\.commit.subject) == ["add", "edit a", "delete a", "re-add a"])
    }

    /// The folder walk skips what two trees share with memcmp; a walk per file reads each
    /// path on its own. Over a folder larger than the 4 KB steps of that skip, with files
    /// added, changed and removed anywhere (several per commit, next to subfolders whose
    /// names sort among them), the two must agree on every file.
    @Test func theFolderWalkAgreesOverManyScatteredChanges() throws {
        let repo = try TestRepository()
        var generator = SplitMix(seed: 7)
        var names = (0..<300).map { String(format: "p%03d.yaml", $0) } + ["p1", "p100.yaml.d/x", "p2.d/y", "q"]
        var files = Dictionary(uniqueKeysWithValues: names.map { ("prompts/\($0)", "v0 \($0)\n") })
        try repo.commit("start", files: files)
        for round in 1...30 {
            var change: [String: String] = [:]
            for _ in 0..<(1 + Int(generator.next() % 3)) {
                let name = names[Int(generator.next() % UInt64(names.count))]
                if name.contains("/") || generator.next() % 5 != 0 {
                    change["prompts/\(name)"] = "v\(round) \(name)\n"
                } else if files["prompts/\(name)"] != nil {
                    try repo.remove("prompts/\(name)")
                    files["prompts/\(name)"] = nil
                }
            }
            if round % 7 == 0 {
                let added = "p\(round)a.yaml"
                names.append(added)
                change["prompts/\(added)"] = "new\n"
            }
            files.merge(change) { $1 }
            try repo.commit("round \(round)", files: change)
        }
        let git = try Repository(discovering: repo.path)
        let all = try git.firstParentChanges(inFolder: "prompts", from: "main")
        let walked = names.filter { !$0.contains("/") }
        #expect(Set(all.keys) == Set(walked))
        for name in walked {
            #expect(all[name] ?? [] == (try git.firstParentChanges(of: "prompts/\(name)", from: "main")), "\(name)")
        }
    }

    @Test func findsThePathAmongNamesThatSortAroundIt() throws {
        // git sorts a folder as if its name ended in "/": "p-a/" < "p.yaml" < "p/" < "p0".
        let repo = try TestRepository()
        let neighbours = [
            "prompts.yaml": "f\n", "prompts-a/x.yaml": "f\n", "prompts0/x.yaml": "f\n",
            "prompts/a": "f\n", "prompts/a.yaml.d/x": "f\n", "prompts/a-yaml": "f\n", "prompts/b.yaml": "f\n",
        ]
        let first = try repo.commit("one", files: neighbours.merging(["prompts/a.yaml": "1\n"]) { $1 })
        try repo.commit("neighbours only", files: ["prompts/a": "g\n", "prompts.yaml": "g\n", "prompts/a.yaml.d/x": "g\n"])
        let second = try repo.commit("two", files: ["prompts/a.yaml": "2\n"])
        let git = try Repository(discovering: repo.path)
        #expect(try git.firstParentChanges(of: "prompts/a.yaml", from: "HEAD").map(\.commit.id.hex) == [first, second])
        #expect(try git.firstParentChanges(of: "prompts/a.yaml.d/x", from: "HEAD").count == 2)
        #expect(try git.firstParentChanges(of: "prompts", from: "HEAD").isEmpty)  // a folder is not a file
    }

    @Test func changedPathsBetweenTwoRevisionsDetectsRenames() throws {
        let repo = try TestRepository()
        let body = (1...20).map { "line \($0) of a prompt that is long enough to be recognised" }.joined(separator: "\n") + "\n"
        try repo.commit("base", files: ["prompts/a.yaml": body, "prompts/b.yaml": "b\n", "goldensets/a/x.yaml": "x\n"])
        try repo.git("checkout", "-q", "-b", "pr")
        try repo.git("mv", "prompts/a.yaml", "prompts/renamed.yaml")
        try repo.remove("prompts/b.yaml")
        try repo.commit("change", files: ["goldensets/a/x.yaml": "x2\n", "prompts/new.yaml": "n\n"])
        let git = try Repository(discovering: repo.path)
        let changes = try git.changedPaths(from: "main", to: "pr")
        #expect(
            changes == [
                ChangedPath(status: .modified, oldPath: "goldensets/a/x.yaml", newPath: "goldensets/a/x.yaml"),
                ChangedPath(status: .deleted, oldPath: "prompts/b.yaml", newPath: "prompts/b.yaml"),
                ChangedPath(status: .added, oldPath: "prompts/new.yaml", newPath: "prompts/new.yaml"),
                ChangedPath(status: .renamed, oldPath: "prompts/a.yaml", newPath: "prompts/renamed.yaml"),
            ])
        #expect(try git.changedPaths(from: "main", to: "main").isEmpty)
    }

    @Test func commitsComeOutAsValues() throws {
        let repo = try TestRepository()
        let first = try repo.commit("Subject line\n\nBody text.")
        let second = try repo.commit("second")
        let git = try Repository(discovering: repo.path)
        let commit = try git.commit(try git.resolveCommit(second))
        #expect(commit.parents.map(\.hex) == [first])
        #expect(commit.author.name == "Ada Tester")
        #expect(commit.author.email == "ada@example.com")
        #expect(try git.commit(try git.resolveCommit(first)).subject == "Subject line")
    }

    @Test func initializesARepository() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-init-\(UUID())/nested")
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let git = try Repository.initialize(at: folder.path, initialBranch: "trunk")
        #expect(git.workingDirectory != nil)
        let head = try String(contentsOf: folder.appendingPathComponent(".git/HEAD"), encoding: .utf8)
        #expect(head == "ref: refs/heads/trunk\n")
    }
}

struct TagCreationTests {
    /// Many writers creating the same tag at once: exactly one wins, none overwrites.
    @Test func creatingATagIsAtomicUnderContention() throws {
        let repo = try TestRepository()
        let commit = try repo.commit("one", files: ["f.txt": "1\n"])
        for round in 0..<20 {
            let name = "folio/race/\(round)"
            let outcomes = OutcomeBox()
            let group = DispatchGroup()
            for writer in 0..<8 {
                group.enter()
                Thread.detachNewThread {
                    defer { group.leave() }
                    do {
                        let git = try Repository(discovering: repo.path)
                        let raw = Data("object \(commit)\ntype commit\ntag \(name)\ntagger W <w@example.com> 1700000000 +0000\n\nwriter \(writer)\n".utf8)
                        let id = try git.createTag(named: name, raw: raw)
                        outcomes.append(.success(id))
                    } catch {
                        outcomes.append(.failure(error))
                    }
                }
            }
            group.wait()
            let winners = outcomes.values.compactMap { try? $0.get() }
            #expect(winners.count == 1, "round \(round): \(outcomes.values)")
            for case .failure(let error) in outcomes.values {
                #expect((error as? GitError)?.kind == .referenceExists)
            }
            let git = try Repository(discovering: repo.path)
            #expect(git.referenceTarget("refs/tags/\(name)") == winners.first)
        }
    }
}

final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Result<ObjectID, Error>] = []

    func append(_ value: Result<ObjectID, Error>) {
        lock.lock()
        values.append(value)
        lock.unlock()
    }
}
