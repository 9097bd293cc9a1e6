import Foundation
import FolioTestSupport
import Testing

/// The promotion-tags cache skips reading a tag object and its Ed25519 check, never the
/// question of who may sign: that is decided anew.
struct PromotionCacheTests {
    @Test func aVerifiedTagIsRememberedButTheSignersAreCheckedEveryTime() throws {
        let fixture = try PromotionFixture()
        let promoted = try CLI.run(["promote", "triage@1", "--env", "production", "--note", "r", "--signing-key", fixture.key("alice")], in: fixture.repo.url)
        #expect(promoted.status == 0, "\(promoted.stderr)")
        #expect(try CLI.run("versions", "triage", in: fixture.repo.url).stdout.contains("published"))
        let cache = fixture.repo.url.appendingPathComponent(".git/folio/promotion-tags")
        let tagID = try fixture.repo.git("rev-parse", "folio/production/1").trimmingCharacters(in: .whitespacesAndNewlines)
        let remembered = try String(contentsOf: cache, encoding: .utf8)
        #expect(remembered.hasPrefix("folio promotion-tags cache 1\n\(tagID)\tssh-ed25519 "), "\(remembered)")

        // Alice leaves allowed_signers: her promotion stops counting, shortcut or not.
        try fixture.repo.commit("Remove alice", files: [".folio/allowed_signers": "bob@example.com \(try fixture.publicKey("bob"))\n"])
        let versions = try CLI.run("versions", "triage", in: fixture.repo.url)
        #expect(!versions.stdout.contains("published"), "\(versions.stdout)")
        let verify = try CLI.run("verify", in: fixture.repo.url)
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("signer not allowed"))
    }
}
