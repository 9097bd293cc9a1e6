import Foundation
import FolioTestSupport
import Testing

/// The promotion-tags cache skips reading a tag object and its Ed25519 check, never the
/// question of who may sign: that is decided anew.
struct PromotionCacheTests {
    @Test func aVerifiedTagIsRememberedButTheSignersAreCheckedEveryTime() async throws {
        let fixture = try PromotionFixture()
        let promoted = await CLI.run(["promote", "triage@1", "--env", "production", "--note", "r", "--signing-key", fixture.key("alice")], in: fixture.repo.url)
        #expect(promoted.status == 0, "\(promoted.stderr)")
        #expect(await CLI.run("versions", "triage", in: fixture.repo.url).stdout.contains("published"))
        let cache = fixture.repo.url.appendingPathComponent(".git/folio/promotion-tags")
        let tagID = try fixture.repo.git("rev-parse", "folio/production/1").trimmingCharacters(in: .whitespacesAndNewlines)
        let remembered = try String(contentsOf: cache, encoding: .utf8)
        #expect(remembered.hasPrefix("folio-cache/2 promotion-tags/3\n\(tagID)\tssh-ed25519 "), "\(remembered)")

        // Alice leaves allowed_signers: her promotion stops counting, shortcut or not.
        try fixture.repo.commit("Remove alice", files: [".folio/allowed_signers": "bob@example.com \(try fixture.publicKey("bob"))\n"])
        let versions = await CLI.run("versions", "triage", in: fixture.repo.url)
        #expect(!versions.stdout.contains("published"), "\(versions.stdout)")
        let verify = await CLI.run("verify", in: fixture.repo.url)
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("signer not allowed"))
    }

    /// A tag object that verified under one name and is copied to another name is caught
    /// with the cache as without it: what depends on the name is never taken from the cache.
    @Test func aCopiedTagIsCaughtEvenWhenItsObjectIsRemembered() async throws {
        let fixture = try PromotionFixture()
        let promoted = await CLI.run(["promote", "triage@1", "--env", "production", "--note", "r", "--signing-key", fixture.key("alice")], in: fixture.repo.url)
        #expect(promoted.status == 0, "\(promoted.stderr)")
        #expect(await CLI.run(["build", "--env", "production", "--out", "dist", "--signing-key", fixture.key("alice")], in: fixture.repo.url).status == 0)
        let tagID = try fixture.repo.git("rev-parse", "folio/production/1").trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try fixture.repo.git("update-ref", "refs/tags/folio/production/2", tagID)
        let build = await CLI.run(["build", "--env", "production", "--out", "dist", "--signing-key", fixture.key("alice")], in: fixture.repo.url)
        #expect(build.status == 1)
        #expect(build.stderr.contains("folio/production/2: the tag object is named 'folio/production/1', not 'folio/production/2': it was copied from another tag"), "\(build.stderr)")
    }
}
