import Foundation
import FolioTestSupport
import Testing

/// The verified-tags shortcut skips only the Ed25519 check: who may sign is decided anew.
struct VerifiedTagsTests {
    @Test func aVerifiedTagIsRememberedButTheSignersAreCheckedEveryTime() throws {
        let fixture = try PromotionFixture()
        let promoted = try CLI.run(["promote", "triage@1", "--env", "production", "--note", "r", "--signing-key", fixture.key("alice")], in: fixture.repo.url)
        #expect(promoted.status == 0, "\(promoted.stderr)")
        #expect(try CLI.run("versions", "triage", in: fixture.repo.url).stdout.contains("published"))
        let cache = fixture.repo.url.appendingPathComponent(".git/folio/verified-tags")
        let tagID = try fixture.repo.git("rev-parse", "folio/production/1").trimmingCharacters(in: .whitespacesAndNewlines)
        let remembered = try String(contentsOf: cache, encoding: .utf8)
        #expect(remembered.hasPrefix("\(tagID) ssh-ed25519 "))

        // Alice leaves allowed_signers: her promotion stops counting, shortcut or not.
        try fixture.repo.commit("Remove alice", files: [".folio/allowed_signers": "bob@example.com \(try fixture.publicKey("bob"))\n"])
        let versions = try CLI.run("versions", "triage", in: fixture.repo.url)
        #expect(!versions.stdout.contains("published"), "\(versions.stdout)")
        let verify = try CLI.run("verify", in: fixture.repo.url)
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("signer not allowed"))
    }
}
