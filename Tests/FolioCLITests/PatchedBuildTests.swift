import Foundation
import FolioTestSupport
import Testing

/// A rebuild checks only the promotion tags added since the last build and patches its
/// manifest (`BuildSnapshot`). Its files must be, byte for byte, those a build with no
/// cache at all writes; whatever the snapshot cannot vouch for sends it back to the whole.
@Suite(.serialized)
struct PatchedBuildTests {
    let fixture: PromotionFixture

    init() throws {
        fixture = try PromotionFixture(prompts: ["triage", "summary", "billing"], versions: 3)
    }

    var folder: URL { fixture.repo.url }

    func promote(_ references: [String], to environment: String, note: String = "release") async throws {
        let result = await CLI.run(["promote"] + references + ["--env", environment, "--note", note, "--signing-key", fixture.key("alice")], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// `folio build` of both environments into `out`.
    func build(_ out: String = "dist") async throws -> CommandResult {
        await CLI.run(["build", "--env", "staging", "--env", "production", "--out", out, "--signing-key", fixture.key("alice")], in: folder)
    }

    /// The files a build with no cache writes for the repository as it is now (the caches
    /// are set aside meanwhile and put back after).
    func wholeBuild(_ out: String) async throws -> [String: Data] {
        let caches = folder.appendingPathComponent(".git/folio")
        let aside = folder.appendingPathComponent(".git/folio-aside")
        try FileManager.default.moveItem(at: caches, to: aside)
        defer {
            try? FileManager.default.removeItem(at: caches)
            try? FileManager.default.moveItem(at: aside, to: caches)
        }
        let result = try await build(out)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("checked all"), "\(result.stdout)")
        return try files(in: folder.appendingPathComponent(out))
    }

    func files(in folder: URL) throws -> [String: Data] { try Fixtures.files(in: folder) }

    func expectPatched(_ result: CommandResult, checking count: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 0, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stdout.contains("checked \(count) promotion tag(s) added since the last build"), "\(result.stdout)", sourceLocation: sourceLocation)
    }

    @Test func patchedRebuildsWriteTheBytesOfAWholeBuild() async throws {
        try await promote(["triage@1", "summary@1"], to: "production")
        try await promote(["billing@2"], to: "staging")
        let first = try await build()
        #expect(first.stdout.contains("checked all 2 promotion tag(s)"), "\(first.stdout)")

        var step = 0
        func expectSameAsWhole(sourceLocation: SourceLocation = #_sourceLocation) async throws {
            step += 1
            let whole = try await wholeBuild("whole-\(step)")
            // Signatures of earlier manifests stay beside the current one (clients that read
            // those manifests still find them); a whole build into a new folder has only the
            // current ones, which the patched build must have too.
            let patched = try files(in: folder.appendingPathComponent("dist"))
                .filter { !$0.key.contains("/signatures/") || whole[$0.key] != nil }
            #expect(patched.keys.sorted() == whole.keys.sorted(), sourceLocation: sourceLocation)
            for (path, bytes) in whole where patched[path] != bytes {
                Issue.record("step \(step): \(path) differs from a whole build's", sourceLocation: sourceLocation)
            }
        }

        // A new version of one prompt: its entry changes, the others are copied.
        try await promote(["triage@2"], to: "production")
        await expectPatched(try build(), checking: 1)
        try await expectSameAsWhole()

        // Three tags at once, one replaced by the next (triage 3 is named in version_files
        // although 2 is current again), and a new prompt in production.
        try await promote(["triage@3", "summary@2"], to: "production")
        try await promote(["triage@2"], to: "production", note: "roll back")
        try await promote(["billing@1"], to: "production")
        await expectPatched(try build(), checking: 3)
        try await expectSameAsWhole()

        // Nothing new: the same files.
        let before = try files(in: folder.appendingPathComponent("dist"))
        await expectPatched(try build(), checking: 0)
        #expect(try files(in: folder.appendingPathComponent("dist")) == before)

        // A version promoted again is in the version-files cache already: no line is added.
        let cacheFile = folder.appendingPathComponent(".git/folio/version-files")
        func cacheLines() throws -> Int { try String(contentsOf: cacheFile, encoding: .utf8).split(separator: "\n").count }
        let lines = try cacheLines()
        try await promote(["triage@1"], to: "production", note: "back to 1")
        await expectPatched(try build(), checking: 1)
        #expect(try cacheLines() == lines)
        try await expectSameAsWhole()

        // Both environments at once, one version file shared by them.
        try await promote(["billing@3"], to: "staging")
        try await promote(["billing@3", "summary@3"], to: "production")
        await expectPatched(try build(), checking: 2)
        try await expectSameAsWhole()

        // A new version committed on main, then promoted: main grew along its first
        // parents, so the tags checked before still count.
        try fixture.repo.commit("triage v4", files: ["prompts/triage.yaml": Fixtures.prompt("triage", system: "triage v4 {{ticket_type}}")])
        try await promote(["triage@4"], to: "production")
        await expectPatched(try build(), checking: 1)
        try await expectSameAsWhole()
        #expect(await CLI.run("verify", in: folder).status == 0)

        // --expires: the same manifest with an `expires` line, patched as well.
        let manifest = folder.appendingPathComponent("dist/production/manifest.json")
        let plain = try String(contentsOf: manifest, encoding: .utf8)
        let expiring = await CLI.run(
            [
                "build", "--env", "staging", "--env", "production", "--out", "dist", "--expires", "7d",
                "--signing-key", fixture.key("alice"),
            ], in: folder)
        expectPatched(expiring, checking: 0)
        let header = try String(contentsOf: manifest, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(header[2].hasPrefix("  \"expires\" : \""), "\(header.prefix(4))")
        #expect((header[..<2] + header[3...]).joined(separator: "\n") == plain)
    }

    @Test func whatTheSnapshotCannotVouchForIsCheckedWhole() async throws {
        try await promote(["triage@1"], to: "production")
        try await promote(["summary@1"], to: "staging")
        #expect(try await build().status == 0)
        try await promote(["triage@2"], to: "production")
        await expectPatched(try build(), checking: 1)

        // A tag of the checkpoint re-pointed: signed by an allowed key, but another tag.
        _ = try fixture.repo.git("tag", "-d", "folio/production/1")
        let blob = try fixture.blob("triage", at: "main~1")
        _ = try fixture.repo.git(
            ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(fixture.key("alice"))", "tag", "-s", "folio/production/1", "-F", "-", "main"],
            input: "promote triage v2 to production\n\nre-made\n\nFolio-Prompt: triage@2 blob=\(blob)\n")
        var result = try await build()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("checked all 3 promotion tag(s)"), "\(result.stdout)")
        #expect(try await files(in: folder.appendingPathComponent("dist"))["production/manifest.json"] == (try wholeBuild("whole-1"))["production/manifest.json"])

        // The newest tag removed: the manifest goes back to the one before.
        _ = try fixture.repo.git("tag", "-d", "folio/production/2")
        result = try await build()
        #expect(result.stdout.contains("checked all 2 promotion tag(s)"), "\(result.stdout)")
        let manifest = try #require(try JSONSerialization.jsonObject(with: try Data(contentsOf: folder.appendingPathComponent("dist/production/manifest.json"))) as? [String: Any])
        #expect(manifest["version"] as? Int == 1)

        // A new tag by a key allowed_signers does not list stops the build, naming it, as
        // a whole build would; nothing is written.
        let written = try files(in: folder.appendingPathComponent("dist"))
        _ = try fixture.repo.git(
            ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(fixture.key("mallory"))", "tag", "-s", "folio/production/2", "-F", "-", "main"],
            input: "promote triage v3 to production\n\nmallory\n\nFolio-Prompt: triage@3 blob=\(try fixture.blob("triage", at: "main"))\n")
        result = try await build()
        #expect(result.status == 1)
        #expect(result.stderr.contains("folio/production/2: signer not allowed"), "\(result.stderr)")
        #expect(try files(in: folder.appendingPathComponent("dist")) == written)
        _ = try fixture.repo.git("tag", "-d", "folio/production/2")
        await expectPatched(try build(), checking: 0)

        // The manifest in dist/ changed by hand: made whole again, and so repaired.
        let path = folder.appendingPathComponent("dist/production/manifest.json")
        try Data("{}\n".utf8).write(to: path)
        result = try await build()
        #expect(result.stdout.contains("checked all"), "\(result.stdout)")
        #expect(try Data(contentsOf: path) == written["production/manifest.json"])

        // Main rewritten (its last commit replaced): every tag is checked again.
        try fixture.repo.commit("notes", files: ["NOTES.md": "one\n"])
        await expectPatched(try build(), checking: 0)
        _ = try fixture.repo.git("reset", "-q", "--hard", "HEAD~1")
        try fixture.repo.commit("notes, again", files: ["NOTES.md": "two\n"])
        result = try await build()
        #expect(result.stdout.contains("checked all"), "\(result.stdout)")
        await expectPatched(try build(), checking: 0)

        // allowed_signers changes (bob may sign now): every tag is checked against it.
        _ = try fixture.repo.commit(
            "Allow bob",
            files: [
                ".folio/allowed_signers": try String(contentsOf: folder.appendingPathComponent(".folio/allowed_signers"), encoding: .utf8)
                    + "bob@example.com \(try fixture.publicKey("bob"))\n"
            ])
        result = try await build()
        #expect(result.stdout.contains("checked all"), "\(result.stdout)")
        await expectPatched(try build(), checking: 0)
    }

    /// A CI job that builds into a new folder every run must not leave two records in
    /// `.git/folio` each time: the records of a folder that is gone are removed by the
    /// next build, and those of a folder still there are kept.
    @Test func recordsOfOutputFoldersThatAreGoneArePruned() async throws {
        try await promote(["triage@1"], to: "production")
        try await promote(["billing@2"], to: "staging")
        let caches = folder.appendingPathComponent(".git/folio")
        func records() throws -> Set<String> {
            Set(try FileManager.default.contentsOfDirectory(atPath: caches.path).filter { $0.hasPrefix("build-") || $0.hasPrefix("written-") })
        }
        #expect(try await build("kept").status == 0)
        let kept = try records()
        #expect(kept.count == 3, "\(kept)")  // two environments and the written-files record
        for run in 1...3 {
            #expect(try await build("run-\(run)").status == 0)
            try FileManager.default.removeItem(at: folder.appendingPathComponent("run-\(run)"))
        }
        #expect(try await build("kept").status == 0)
        #expect(try records() == kept)
        let index = try String(contentsOf: caches.appendingPathComponent("outputs"), encoding: .utf8)
        #expect(!index.contains("run-"), "\(index)")
        // What is kept still patches.
        await expectPatched(try build("kept"), checking: 0)
    }
}
