import Foundation
import FolioTestSupport
import Testing

/// Promotions end to end, with keys from ssh-keygen and tags checked by git itself.
@Suite(.serialized)
struct PromotionTests {
    func promote(_ fixture: PromotionFixture, _ arguments: String..., key: String = "alice") async throws -> CommandResult {
        await CLI.run(["promote"] + arguments + ["--signing-key", fixture.key(key)], in: fixture.repo.url)
    }

    @Test func aTagFolioSignedVerifiesWithGitTagV() async throws {
        let fixture = try PromotionFixture()
        let result = try await promote(fixture, "triage@1", "--env", "production", "--note", "First release")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("created folio/production/1"))
        let signers = try fixture.allowedSignersFile()
        let verified = try fixture.repo.git(["-c", "gpg.ssh.allowedSignersFile=\(signers)", "tag", "-v", "folio/production/1"])
        #expect(verified.contains("Folio-Prompt: triage@1 blob=\(try fixture.blob("triage", at: "HEAD~1"))"))
        let raw = try Command.run("/usr/bin/env", ["git", "-c", "gpg.ssh.allowedSignersFile=\(signers)", "tag", "-v", "folio/production/1"], in: fixture.repo.url)
        #expect(raw.status == 0)
        #expect(raw.stderr.contains("Good \"git\" signature for alice@example.com with ED25519 key"))
    }

    @Test func aTagGitSignedIsAcceptedAndLogged() async throws {
        let fixture = try PromotionFixture()
        let blob = try fixture.blob("triage", at: "HEAD")
        let message = "promote triage v2 to production\n\nSigned by stock git.\n\nFolio-Prompt: triage@2 blob=\(blob)\n"
        try fixture.repo.git(["-c", "gpg.format=ssh", "-c", "user.signingkey=\(fixture.key("alice"))", "tag", "-s", "folio/production/1", "-F", "-", "main"], input: message)
        let verify = await CLI.run("verify", in: fixture.repo.url)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout == "ok   folio/production/1: good by alice@example.com\n")
        let log = await CLI.run("log", "--format", "json", in: fixture.repo.url)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]])
        #expect(entries.count == 1)
        #expect(entries[0]["note"] as? String == "Signed by stock git.")
        #expect(entries[0]["signature"] as? String == "good")
        #expect((entries[0]["prompts"] as? [[String: Any]])?.first?["version"] as? Int == 2)
    }

    @Test func aTagWhoseMessageWasAlteredAfterSigningIsRefused() async throws {
        let fixture = try PromotionFixture()
        #expect(try await promote(fixture, "triage@2", "--env", "production", "--note", "Honest note").status == 0)
        let raw = try fixture.repo.git("cat-file", "tag", "folio/production/1")
        let forged = try fixture.repo.git(["mktag"], input: raw.replacingOccurrences(of: "Honest note", with: "Forged note") + "\n")
        try fixture.repo.git("update-ref", "refs/tags/folio/production/1", forged)
        let verify = await CLI.run("verify", in: fixture.repo.url)
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("BAD  folio/production/1: bad signature: the tag was changed after it was signed"))
    }

    @Test func lightweightAndUnsignedTagsAreRefused() async throws {
        let fixture = try PromotionFixture()
        try fixture.repo.git("tag", "folio/production/1", "main")
        let blob = try fixture.blob("triage", at: "HEAD")
        try fixture.repo.git(["tag", "-a", "folio/staging/1", "-F", "-", "main"], input: "promote triage v2\n\nno signature\n\nFolio-Prompt: triage@2 blob=\(blob)\n")
        let verify = await CLI.run("verify", in: fixture.repo.url)
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("BAD  folio/production/1: a lightweight tag is not a promotion: promotions are signed annotated tags"))
        #expect(verify.stdout.contains("BAD  folio/staging/1: the tag is not signed"))
        #expect(verify.stderr.contains("2 of 2 promotion(s) failed verification"))
        let log = await CLI.run("log", "--env", "staging", in: fixture.repo.url)
        #expect(log.stdout.contains("signature: unsigned"))
    }

    @Test func aKeyNotInAllowedSignersIsRefused() async throws {
        let fixture = try PromotionFixture()
        // Refused before the tag exists: it would never verify.
        let refused = try await promote(fixture, "triage@2", "--env", "production", "--note", "sneaky", key: "mallory")
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("the signing key SHA256:"))
        #expect(refused.stderr.contains("is not in .folio/allowed_signers on main, so the tag would never verify: it was not created"))
        #expect(refused.stderr.contains("commit a line for the key to .folio/allowed_signers on main first (<you@example.com> namespaces=\"git,folio-manifest\" ssh-ed25519 "))
        #expect(try fixture.repo.git("tag", "-l") == "")
        let rollback = await CLI.run(["rollback", "triage", "--env", "production", "--note", "x", "--signing-key", fixture.key("mallory")], in: fixture.repo.url)
        #expect(rollback.status == 2)  // nothing promoted yet
        // --force creates it; it never counts.
        #expect(try await promote(fixture, "triage@2", "--env", "production", "--note", "sneaky", "--force", key: "mallory").status == 0)
        let verify = await CLI.run("verify", in: fixture.repo.url)
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("BAD  folio/production/1: signer not allowed: key SHA256:"))
        #expect(verify.stdout.contains("is not in .folio/allowed_signers on main"))
        let log = await CLI.run("log", in: fixture.repo.url)
        #expect(log.stdout.contains("signature: unknown key SHA256:"))
        // Only verified promotions count: v2 is not published.
        let versions = await CLI.run("versions", "triage", "--format", "json", in: fixture.repo.url)
        #expect(versions.stdout.contains("\"production\" : \"draft\""))
    }

    @Test func aKeyOutsideItsValidityWindowIsRefused() async throws {
        let expired = try PromotionFixture(signerOptions: "valid-before=\"20200101\"")
        let refused = try await promote(expired, "triage@2", "--env", "production", "--note", "late")
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("is not valid now in .folio/allowed_signers on main (the key of alice@example.com expired on 2020-01-01"), "\(refused.stderr)")
        #expect(refused.stderr.contains("): the tag was not created"))
        #expect(try await promote(expired, "triage@2", "--env", "production", "--note", "late", "--force").status == 0)
        let late = await CLI.run("verify", in: expired.repo.url)
        #expect(late.status == 1)
        #expect(late.stdout.contains("the key of alice@example.com expired on 2020-01-01"))

        let future = try PromotionFixture(signerOptions: "valid-after=\"29990101\"")
        #expect(try await promote(future, "triage@2", "--env", "production", "--note", "early").status == 2)
        #expect(try await promote(future, "triage@2", "--env", "production", "--note", "early", "--force").status == 0)
        let early = await CLI.run("verify", in: future.repo.url)
        #expect(early.status == 1)
        #expect(early.stdout.contains("the key of alice@example.com is not valid before 2999-01-01"))
    }

    @Test func aTrailerWhoseBlobIsNotTheVersionsIsRefused() async throws {
        let fixture = try PromotionFixture()
        let wrong = try fixture.blob("triage", at: "HEAD~1")
        let message = "promote triage v2 to production\n\nwrong blob\n\nFolio-Prompt: triage@2 blob=\(wrong)\n"
        try fixture.repo.git(["-c", "gpg.format=ssh", "-c", "user.signingkey=\(fixture.key("alice"))", "tag", "-s", "folio/production/1", "-F", "-", "main"], input: message)
        let malformed = "promote triage\n\nbad trailer\n\nFolio-Prompt: triage@two blob=xyz\n"
        try fixture.repo.git(["-c", "gpg.format=ssh", "-c", "user.signingkey=\(fixture.key("alice"))", "tag", "-s", "folio/staging/1", "-F", "-", "main"], input: malformed)
        let verify = await CLI.run("verify", in: fixture.repo.url)
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("BAD  folio/production/1: the trailer's blob id \(wrong.prefix(7)) is not triage v2's blob on main"))
        #expect(verify.stdout.contains("BAD  folio/staging/1: malformed trailer 'Folio-Prompt: triage@two blob=xyz'"))
    }

    @Test func aTagOutsideMainsHistoryIsRefused() async throws {
        let fixture = try PromotionFixture()
        try fixture.repo.git("checkout", "-q", "-b", "side")
        try fixture.repo.commit("side", files: ["other.txt": "x\n"])
        let blob = try fixture.blob("triage", at: "main")
        try fixture.repo.git(
            ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(fixture.key("alice"))", "tag", "-s", "folio/production/1", "-F", "-", "side"],
            input: "promote triage v2\n\nfrom a branch\n\nFolio-Prompt: triage@2 blob=\(blob)\n")
        let verify = await CLI.run("verify", in: fixture.repo.url)
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("which is not in main's history"))
    }

    @Test func promoteRefusesWhatItShould() async throws {
        let fixture = try PromotionFixture()
        let unknownEnv = try await promote(fixture, "triage@1", "--env", "prod", "--note", "x")
        #expect(unknownEnv.status == 2)
        #expect(unknownEnv.stderr.contains("unknown environment 'prod': folio.yaml lists staging, production"))
        try fixture.repo.write("prompts/triage.yaml", Fixtures.prompt("triage", system: "draft {{ticket_type}}"))
        let draft = try await promote(fixture, "triage@draft", "--env", "production", "--note", "x")
        #expect(draft.status == 2)
        #expect(draft.stderr.contains("triage@draft is a draft, not a version on main: a draft cannot be promoted"))
        let missing = try await promote(fixture, "triage@5", "--env", "production", "--note", "x")
        #expect(missing.stderr.contains("has no version 5 on main"))
        let noNote = try await promote(fixture, "triage@1", "--env", "production", "--note", " ")
        #expect(noNote.stderr.contains("a promotion needs a note"))
        #expect(try await promote(fixture, "triage@1", "--env", "production", "--note", "first").status == 0)
        let again = try await promote(fixture, "triage@1", "--env", "production", "--note", "again")
        #expect(again.status == 2)
        #expect(again.stderr.contains("triage v1 is already published in production: nothing to do"))
        let noKey = await CLI.run(["promote", "triage@2", "--env", "production", "--note", "x"], in: fixture.repo.url)
        #expect(noKey.status == 2)
        #expect(noKey.stderr.contains("no signing key"))
        #expect(try fixture.repo.git("tag", "-l").split(separator: "\n") == ["folio/production/1"])
    }

    @Test func aVersionThatFailsLintIsNotPromoted() async throws {
        let fixture = try PromotionFixture()
        try fixture.repo.commit("broken", files: ["prompts/triage.yaml": Fixtures.prompt("triage", system: "{{undeclared}}")])
        let result = try await promote(fixture, "triage@3", "--env", "staging", "--note", "x")
        #expect(result.status == 1)
        #expect(result.stderr.contains("triage v3 does not pass lint, so it cannot be promoted"))
        #expect(result.stderr.contains("uses undeclared variable 'undeclared'"))
    }

    @Test func severalPromptsSwitchTogetherAndRollbackAddsToTheLog() async throws {
        let fixture = try PromotionFixture(prompts: ["triage", "summary"])
        #expect(try await promote(fixture, "triage@1", "summary@1", "--env", "production", "--note", "both v1").status == 0)
        let both = try await promote(fixture, "triage@2", "summary", "--env", "production", "--note", "both v2", "--format", "json")
        let output = try #require(try JSONSerialization.jsonObject(with: Data(both.stdout.utf8)) as? [String: Any])
        #expect(output["tag"] as? String == "folio/production/2")
        #expect((output["prompts"] as? [[String: Any]])?.map { $0["replaces"] as? Int } == [1, 1])
        let raw = try fixture.repo.git("cat-file", "tag", "folio/production/2")
        #expect(raw.contains("promote 2 prompts to production: triage v2, summary v2"))

        let rollback = await CLI.run(["rollback", "triage", "--env", "production", "--note", "v2 misroutes", "--signing-key", fixture.key("alice")], in: fixture.repo.url)
        #expect(rollback.status == 0, "\(rollback.stderr)")
        #expect(rollback.stdout.contains("triage v1 (replaces v2)"))
        #expect(try fixture.repo.git("cat-file", "tag", "folio/production/3").contains("roll back triage to v1 in production"))
        let versions = await CLI.run("versions", "triage", in: fixture.repo.url)
        #expect(versions.stdout.contains("v2       draft    archived"))
        #expect(versions.stdout.contains("v1       draft    published"))
        let first = await CLI.run(["rollback", "summary", "--env", "staging", "--note", "x", "--signing-key", fixture.key("alice")], in: fixture.repo.url)
        #expect(first.stderr.contains("has never been promoted to staging"))
        #expect(await CLI.run("verify", in: fixture.repo.url).status == 0)
    }

    @Test func eightConcurrentPromotionsGetEightDistinctTags() async throws {
        let prompts = (1...8).map { "p\($0)" }
        let fixture = try PromotionFixture(prompts: prompts, versions: 1)
        let results = try concurrently(prompts) { prompt in
            try CLI.runProcess(["promote", "\(prompt)@1", "--env", "production", "--note", "race \(prompt)", "--signing-key", fixture.key("alice")], in: fixture.repo.url)
        }
        for result in results where result.status != 0 {
            #expect(result.stderr.contains("taken by another promotion"), "unexpected failure: \(result.stderr)")
        }
        let succeeded = results.filter { $0.status == 0 }.count
        let tags = try fixture.repo.git("tag", "-l", "folio/production/*").split(separator: "\n").map(String.init)
        #expect(tags.count == succeeded)
        #expect(Set(tags) == Set((1...succeeded).map { "folio/production/\($0)" }))
        var promoted = Set<String>()
        for tag in tags {
            let raw = try fixture.repo.git("cat-file", "tag", tag)
            let trailer = try #require(raw.split(separator: "\n").first { $0.hasPrefix("Folio-Prompt: ") })
            promoted.insert(String(trailer.dropFirst("Folio-Prompt: ".count).prefix { $0 != "@" }))
        }
        #expect(promoted.count == succeeded, "a promotion was lost or overwritten")
        #expect(succeeded == 8)
        #expect(await CLI.run("verify", in: fixture.repo.url).status == 0)
    }

    @Test func twoClonesPushingToOneRemoteGetDistinctSequences() async throws {
        let fixture = try PromotionFixture(prompts: ["a", "b"], versions: 1)
        let bare = FileManager.default.temporaryDirectory.appendingPathComponent("folio-remote-\(UUID()).git")
        try fixture.repo.git("clone", "-q", "--bare", fixture.repo.path, bare.path)
        let clones = try ["one", "two"].map { name -> TestRepository in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-clone-\(name)-\(UUID())")
            try fixture.repo.git("clone", "-q", bare.path, folder.path)
            return TestRepository(existing: folder)
        }
        defer { try? FileManager.default.removeItem(at: bare) }
        let results = try concurrently([("a", clones[0]), ("b", clones[1])]) { prompt, clone in
            try CLI.runProcess(["promote", "\(prompt)@1", "--env", "staging", "--note", "from \(prompt)", "--push", "--signing-key", fixture.key("alice")], in: clone.url)
        }
        #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
        let remoteTags = try Command.run("/usr/bin/env", ["git", "--git-dir", bare.path, "tag", "-l"]).stdout.split(separator: "\n").map(String.init)
        #expect(remoteTags == ["folio/staging/1", "folio/staging/2"])
        let third = await CLI.run(["promote", "a@1", "--env", "production", "--note", "push", "--push", "origin", "--signing-key", fixture.key("alice")], in: clones[1].url)
        #expect(third.status == 0, "\(third.stderr)")
        #expect(third.stdout.contains("pushed folio/production/1 to origin"))

        try clones[0].commit("unpushed", files: ["x.txt": "x\n"])
        let ahead = await CLI.run(["promote", "b@1", "--env", "production", "--note", "x", "--push", "--signing-key", fixture.key("alice")], in: clones[0].url)
        #expect(ahead.status == 2)
        #expect(ahead.stderr.contains("your main has commits that origin/main does not"))
    }

    /// Runs `body` for each item on its own thread, all started together.
    /// Runs `body` on a thread per item: concurrent promotions are separate processes, as
    /// they are for two people promoting at once.
    func concurrently<T: Sendable>(_ items: [T], _ body: @escaping @Sendable (T) throws -> CommandResult) throws -> [CommandResult] {
        let box = ResultBox()
        let group = DispatchGroup()
        for (index, item) in items.enumerated() {
            group.enter()
            Thread.detachNewThread {
                let result = Result { try body(item) }
                box.lock.lock()
                box.results[index] = result
                box.lock.unlock()
                group.leave()
            }
        }
        group.wait()
        return try items.indices.map { try box.results[$0]!.get() }
    }
}

/// Results collected from several threads.
final class ResultBox: @unchecked Sendable {
    var results: [Int: Result<CommandResult, Error>] = [:]
    let lock = NSLock()
}

/// Keys Folio cannot use natively are handed to the program git itself would use.
@Suite(.serialized)
struct SigningDelegationTests {
    @Test func gitConfigSigningKeyIsUsedNatively() async throws {
        let fixture = try PromotionFixture()
        try fixture.repo.git("config", "gpg.format", "ssh")
        try fixture.repo.git("config", "user.signingkey", fixture.key("alice"))
        let result = await CLI.run(["promote", "triage@2", "--env", "staging", "--note", "from git config"], in: fixture.repo.url)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("signed with ed25519 key SHA256:"))
        #expect(await CLI.run("verify", in: fixture.repo.url).status == 0)
    }

    @Test func anEncryptedKeyIsSignedBySSHKeygen() async throws {
        let fixture = try PromotionFixture()
        let encrypted = fixture.keys.appendingPathComponent("locked").path
        #expect(try Command.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "open sesame", "-C", "locked", "-f", encrypted]).status == 0)
        let publicKey = try String(contentsOf: URL(fileURLWithPath: encrypted + ".pub"), encoding: .utf8)
        try fixture.repo.commit("allow locked", files: [".folio/allowed_signers": "locked@example.com \(publicKey)"])
        let askpass = fixture.keys.appendingPathComponent("askpass.sh")
        try "#!/bin/sh\necho 'open sesame'\n".write(to: askpass, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: askpass.path)
        var environment = ProcessInfo.processInfo.environment
        environment["SSH_ASKPASS"] = askpass.path
        environment["SSH_ASKPASS_REQUIRE"] = "force"
        environment["DISPLAY"] = ":0"
        environment["FOLIO_SIGNING_KEY"] = encrypted
        let result = try Command.run(CLI.binary, ["promote", "triage@2", "--env", "production", "--note", "encrypted key"], in: fixture.repo.url, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("signed with ssh-keygen with \(encrypted)"))
        #expect(!result.stdout.contains("open sesame") && !result.stderr.contains("open sesame"))
        let verify = await CLI.run("verify", in: fixture.repo.url)
        #expect(verify.stdout.contains("ok   folio/production/1: good by locked@example.com"), "\(verify.stdout)")
    }

    @Test func anAgentKeyNamedByItsPublicHalfIsSignedThroughTheAgent() async throws {
        let fixture = try PromotionFixture()
        let socket = fixture.keys.appendingPathComponent("agent.sock").path
        // A foreground agent (-D) that the test owns and stops.
        let agent = Process()
        agent.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-agent")
        agent.arguments = ["-D", "-a", socket]
        agent.standardOutput = FileHandle.nullDevice
        agent.standardError = FileHandle.nullDevice
        try agent.run()
        defer {
            kill(agent.processIdentifier, SIGKILL)
            agent.waitUntilExit()
        }  // it inherits a blocked SIGTERM
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: socket) && Date() < deadline { usleep(10_000) }
        #expect(FileManager.default.fileExists(atPath: socket), "the agent did not start")
        var environment = ProcessInfo.processInfo.environment
        environment["SSH_AUTH_SOCK"] = socket
        #expect(try Command.run("/usr/bin/ssh-add", ["-q", fixture.key("bob")], environment: environment).status == 0)
        try fixture.repo.commit("allow bob", files: [".folio/allowed_signers": "bob@example.com \(try fixture.publicKey("bob"))\n"])
        try fixture.repo.git("config", "gpg.format", "ssh")
        try fixture.repo.git("config", "user.signingkey", "key::\(try fixture.publicKey("bob"))")
        try FileManager.default.removeItem(atPath: fixture.key("bob"))  // only the agent has it now
        let result = try Command.run(CLI.binary, ["promote", "triage@1", "--env", "staging", "--note", "agent"], in: fixture.repo.url, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(await CLI.run("verify", in: fixture.repo.url).stdout.contains("good by bob@example.com"))
    }
}
