import Foundation
import FolioCore
import FolioSigning
import FolioTestSupport
import Testing

@Suite(.serialized)
struct BuildTests {
    func promotedFixture() async throws -> PromotionFixture {
        let fixture = try PromotionFixture(prompts: ["triage", "summary"])
        try fixture.repo.commit(
            "partial",
            files: [
                "prompts/partials/tone.yaml": "schema: folio/partial@1\nname: tone\ncontent: \"Be brief.\"\n",
                "prompts/triage.yaml": Fixtures.prompt("triage", system: "{{> tone}} triage v3 {{ticket_type}}"),
            ])
        for arguments in [["triage@1", "summary@2"], ["triage@3"]] {
            let result = await CLI.run(["promote"] + arguments + ["--env", "production", "--note", "release", "--signing-key", fixture.key("alice")], in: fixture.repo.url)
            #expect(result.status == 0, "\(result.stderr)")
        }
        return fixture
    }

    func build(_ fixture: PromotionFixture, out: String, _ extra: [String] = []) async throws -> CommandResult {
        await CLI.run(["build", "--env", "production", "--out", out, "--signing-key", fixture.key("alice")] + extra, in: fixture.repo.url)
    }

    func files(in folder: URL) throws -> [String: Data] { try Fixtures.files(in: folder) }

    @Test func buildSaysWhichKeySignedAndHowToVerifyIt() async throws {
        // Without folio-manifest among the key's namespaces: a note that ssh-keygen refuses it.
        let gitOnly = try PromotionFixture(signerOptions: "namespaces=\"git\"")
        #expect(await CLI.run(["promote", "triage@1", "--env", "production", "--note", "x", "--signing-key", gitOnly.key("alice")], in: gitOnly.repo.url).status == 0)
        let noted = try await build(gitOnly, out: "dist")
        #expect(noted.status == 0, "\(noted.stderr)")
        #expect(
            noted.stdout.contains(
                "the manifest key (apps pin it: FolioClient's publicKeys, folio_client's public_keys): \(try gitOnly.publicKey("alice").split(separator: " ").prefix(2).joined(separator: " "))"))
        #expect(noted.stderr.contains("no line of .folio/allowed_signers on main allows this key in the folio-manifest namespace"))

        // With it (as `folio init`'s example line has it), the printed command verifies as printed.
        let fixture = try PromotionFixture(signerOptions: "namespaces=\"git,folio-manifest\"")
        #expect(await CLI.run(["promote", "triage@1", "--env", "production", "--note", "x", "--signing-key", fixture.key("alice")], in: fixture.repo.url).status == 0)
        let built = try await build(fixture, out: "dist")
        #expect(built.status == 0, "\(built.stderr)")
        let command = try #require(built.stdout.split(separator: "\n").first { $0.hasPrefix("verify: ") }).dropFirst("verify: ".count)
        #expect(command.contains("-n folio-manifest -f .folio/allowed_signers -I alice@example.com"))
        let verified = try Command.run("/bin/sh", ["-c", String(command)], in: fixture.repo.url)
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stdout.contains("Good \"folio-manifest\" signature for alice@example.com"))
        #expect(Scaffold.allowedSigners.contains("alice@example.com namespaces=\"git,folio-manifest\" ssh-ed25519"))
    }

    @Test func aRebuildLeavesImmutableVersionFilesInPlace() async throws {
        let fixture = try await promotedFixture()
        #expect(try await build(fixture, out: "dist").status == 0)
        let dist = fixture.repo.url.appendingPathComponent("dist")
        func inode(_ path: String) throws -> UInt64 {
            try (FileManager.default.attributesOfItem(atPath: dist.appendingPathComponent(path).path)[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
        }
        let before = try (inode("prompts/triage/3.json"), inode("production/manifest.json"))
        let second = try await build(fixture, out: "dist")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try inode("prompts/triage/3.json") == before.0)
        #expect(try inode("production/manifest.json") == before.1)  // the same bytes stay too
        // A new promotion changes the manifest: it is replaced, the version files stay.
        #expect(await CLI.run(["promote", "summary@1", "--env", "production", "--note", "back", "--signing-key", fixture.key("alice")], in: fixture.repo.url).status == 0)
        #expect(try await build(fixture, out: "dist").status == 0)
        #expect(try inode("prompts/triage/3.json") == before.0)
        #expect(try inode("production/manifest.json") != before.1)
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: dist.path)).contains { $0.hasPrefix(".folio-build-") })
    }

    /// A rebuild skips what its caches (in .git/folio) and the record of what it wrote say
    /// is unchanged; the bytes must be those of a build with no cache at all.
    @Test func cachedRebuildsGiveTheBytesOfAColdBuild() async throws {
        let fixture = try await promotedFixture()
        let caches = fixture.repo.url.appendingPathComponent(".git/folio")
        #expect(try await build(fixture, out: "warm").status == 0)
        #expect(try await build(fixture, out: "warm").status == 0)
        for name in ["promotion-tags", "prompt-versions", "version-files"] {
            #expect(FileManager.default.fileExists(atPath: caches.appendingPathComponent(name).path), "\(name)")
        }
        try FileManager.default.removeItem(at: caches)
        #expect(try await build(fixture, out: "cold").status == 0)
        let cold = try files(in: fixture.repo.url.appendingPathComponent("cold"))
        #expect(try files(in: fixture.repo.url.appendingPathComponent("warm")) == cold)

        // A cache entry whose bytes were damaged is not used.
        let versionFiles = caches.appendingPathComponent("version-files")
        let damaged = try String(contentsOf: versionFiles, encoding: .utf8).replacingOccurrences(of: "triage v3", with: "triage v9")
        try Data(damaged.utf8).write(to: versionFiles)
        #expect(try await build(fixture, out: "again").status == 0)
        #expect(try files(in: fixture.repo.url.appendingPathComponent("again")) == cold)
    }

    /// Files changed, removed or replaced in dist/ after a build are written again by the
    /// next one, even though nothing changed in the repository.
    @Test func aRebuildRepairsWhatChangedInDist() async throws {
        let fixture = try await promotedFixture()
        #expect(try await build(fixture, out: "dist").status == 0)
        // A second build after a promotion: the record of what was written grows by lines.
        #expect(await CLI.run(["promote", "summary@1", "--env", "production", "--note", "back", "--signing-key", fixture.key("alice")], in: fixture.repo.url).status == 0)
        #expect(try await build(fixture, out: "dist").status == 0)
        let dist = fixture.repo.url.appendingPathComponent("dist")
        let built = try files(in: dist)
        try Data("{}".utf8).write(to: dist.appendingPathComponent("prompts/triage/3.json"))
        try FileManager.default.removeItem(at: dist.appendingPathComponent("prompts/summary/2.json.gz"))
        try built["prompts/triage/1.json.gz"]!.write(to: dist.appendingPathComponent("prompts/triage/3.json.gz"))
        var manifest = built["production/manifest.json"]!
        manifest[manifest.count - 2] = UInt8(ascii: "]")  // same size, other bytes
        try manifest.write(to: dist.appendingPathComponent("production/manifest.json"))
        let result = try await build(fixture, out: "dist")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try files(in: dist) == built)
    }

    @Test func writesTheManifestVersionFilesAndGzipCopies() async throws {
        let fixture = try await promotedFixture()
        let result = try await build(fixture, out: "dist")
        #expect(result.status == 0, "\(result.stderr)")
        let dist = fixture.repo.url.appendingPathComponent("dist")
        let written = try files(in: dist)
        let manifestSHA256 = ContentHash.sha256Hex(try #require(written["production/manifest.json"]))
        #expect(written["production/signatures/\(manifestSHA256).sig"] == written["production/manifest.json.sig"])
        #expect(
            Set(written.keys) == [
                "production/manifest.json", "production/manifest.json.gz", "production/manifest.json.sig",
                "production/signatures/\(manifestSHA256).sig",
                "prompts/triage/1.json", "prompts/triage/1.json.gz", "prompts/triage/3.json", "prompts/triage/3.json.gz",
                "prompts/summary/2.json", "prompts/summary/2.json.gz",
            ])
        let manifest = try #require(try JSONSerialization.jsonObject(with: written["production/manifest.json"]!) as? [String: Any])
        #expect(manifest["schema"] as? String == "folio/manifest@1")
        #expect(manifest["version"] as? Int == 2)
        #expect(manifest["expires"] == nil)
        #expect((manifest["source"] as? [String: Any])?["tag"] as? String == "folio/production/2")
        let prompts = try #require(manifest["prompts"] as? [String: [String: Any]])
        #expect(prompts["triage"]?["version"] as? Int == 3)
        #expect(prompts["summary"]?["version"] as? Int == 2)
        #expect((prompts["triage"]?["partials"] as? [String: String]) == ["tone": "Be brief."])
        #expect((prompts["triage"]?["promotion"] as? [String: Any])?["replaces"] as? Int == 1)
        let sha = try Command.run("/usr/bin/sha256sum", [dist.appendingPathComponent("prompts/triage/3.json").path]).stdout.prefix(64)
        #expect(prompts["triage"]?["sha256"] as? String == String(sha))
        let unzipped = try Command.run("/bin/sh", ["-c", "gzip -dc '\(dist.path)/production/manifest.json.gz'"]).stdout
        #expect(Data(unzipped.utf8) == written["production/manifest.json"])
        #expect(!FileManager.default.fileExists(atPath: dist.appendingPathComponent("prompts/triage/2.json").path))  // never promoted
    }

    @Test func theSignatureVerifiesWithSSHKeygen() async throws {
        let fixture = try await promotedFixture()
        #expect(try await build(fixture, out: "dist").status == 0)
        let dist = fixture.repo.url.appendingPathComponent("dist/production")
        let manifest = try String(contentsOf: dist.appendingPathComponent("manifest.json"), encoding: .utf8)
        let verify = try Command.run(
            "/usr/bin/ssh-keygen",
            [
                "-Y", "verify", "-n", "folio-manifest", "-f", try fixture.allowedSignersFile(),
                "-I", "alice@example.com", "-s", dist.appendingPathComponent("manifest.json.sig").path,
            ], input: manifest)
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("Good \"folio-manifest\" signature for alice@example.com"))
        let forged = try Command.run(
            "/usr/bin/ssh-keygen",
            [
                "-Y", "verify", "-n", "folio-manifest", "-f", try fixture.allowedSignersFile(),
                "-I", "alice@example.com", "-s", dist.appendingPathComponent("manifest.json.sig").path,
            ], input: manifest.replacingOccurrences(of: "triage", with: "triagE"))
        #expect(forged.status != 0)
    }

    @Test func theSameStateGivesTheSameBytes() async throws {
        let fixture = try await promotedFixture()
        #expect(try await build(fixture, out: "one").status == 0)
        #expect(try await build(fixture, out: "two").status == 0)
        let one = try files(in: fixture.repo.url.appendingPathComponent("one"))
        let two = try files(in: fixture.repo.url.appendingPathComponent("two"))
        #expect(one == two)
        #expect(try await build(fixture, out: "three", ["--expires", "7d"]).status == 0)
        let three = try files(in: fixture.repo.url.appendingPathComponent("three"))
        let manifest = try #require(try JSONSerialization.jsonObject(with: three["production/manifest.json"]!) as? [String: Any])
        #expect(manifest["expires"] is String)
        #expect(three["prompts/triage/3.json"] == one["prompts/triage/3.json"])
    }

    @Test func aBadTagStopsTheBuildNamingIt() async throws {
        let fixture = try await promotedFixture()
        let blob = try fixture.blob("triage", at: "HEAD")
        try fixture.repo.git(
            ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(fixture.key("mallory"))", "tag", "-s", "folio/production/3", "-F", "-", "main"],
            input: "promote triage v3\n\nmallory\n\nFolio-Prompt: triage@3 blob=\(blob) replaces=3\n")
        let result = try await build(fixture, out: "dist")
        #expect(result.status == 1)
        #expect(result.stderr.contains("the build stops: production has promotions that do not verify:\nfolio/production/3: signer not allowed"))
        #expect(!FileManager.default.fileExists(atPath: fixture.repo.url.appendingPathComponent("dist/production/manifest.json").path))
        let nothing = await CLI.run(["build", "--env", "staging", "--out", "dist", "--signing-key", fixture.key("alice")], in: fixture.repo.url)
        #expect(nothing.status == 2)
        #expect(nothing.stderr.contains("nothing has been promoted to staging yet"))
    }
}
