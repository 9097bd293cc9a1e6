import Foundation
import FolioTestSupport
import Testing
@testable import FolioSigning

/// Interoperability with OpenSSH's own `ssh-keygen`, both ways.
struct SSHSignatureTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-keys-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func sshKeygen(_ arguments: [String], input: String? = nil) throws -> CommandResult {
        try Command.run("/usr/bin/ssh-keygen", arguments, in: folder, input: input)
    }

    func makeKey(_ name: String, passphrase: String = "", type: String = "ed25519") throws -> URL {
        let result = try sshKeygen(["-q", "-t", type, "-N", passphrase, "-C", "\(name)@example.com", "-f", name])
        #expect(result.status == 0, "\(result.stderr)")
        return folder.appendingPathComponent(name)
    }

    @Test func readsKeysThatSSHKeygenWrites() throws {
        let path = try makeKey("alice")
        let key = try SSHPrivateKey(pem: String(contentsOf: path, encoding: .utf8))
        let publicLine = try String(contentsOf: path.appendingPathExtension("pub"), encoding: .utf8)
        #expect(key.publicKey == (try SSHPublicKey(line: publicLine)))
        #expect(key.publicKey.comment == "alice@example.com")
        let fingerprint = try sshKeygen(["-l", "-f", "alice.pub"]).stdout
        #expect(fingerprint.contains(key.publicKey.fingerprint))
    }

    @Test func keysFolioWritesAreReadBySSHKeygen() throws {
        let key = SSHPrivateKey(comment: "demo@example.com")
        let path = folder.appendingPathComponent("generated")
        try Data(key.pem.utf8).write(to: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path.path)
        let derived = try sshKeygen(["-y", "-f", "generated"])
        #expect(derived.status == 0, "\(derived.stderr)")
        #expect(try SSHPublicKey(line: derived.stdout) == key.publicKey)
    }

    @Test func aSignatureFolioMakesVerifiesWithSSHKeygen() throws {
        let path = try makeKey("alice")
        let key = try SSHPrivateKey(pem: String(contentsOf: path, encoding: .utf8))
        let message = "manifest bytes\n"
        let signature = try SSHSignature.sign(Data(message.utf8), namespace: "folio-manifest", with: key)
        try signature.armored.write(to: folder.appendingPathComponent("msg.sig"), atomically: true, encoding: .utf8)
        try "alice@example.com \(key.publicKey.line)\n".write(to: folder.appendingPathComponent("allowed"), atomically: true, encoding: .utf8)
        let verified = try sshKeygen(["-Y", "verify", "-f", "allowed", "-I", "alice@example.com", "-n", "folio-manifest", "-s", "msg.sig"], input: message)
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stdout.contains("Good \"folio-manifest\" signature for alice@example.com"))
        #expect(signature.armored.split(separator: "\n").dropFirst().dropLast().allSatisfy { $0.count <= 70 })
        let tampered = try sshKeygen(["-Y", "verify", "-f", "allowed", "-I", "alice@example.com", "-n", "folio-manifest", "-s", "msg.sig"], input: message + "x")
        #expect(tampered.status != 0)
    }

    @Test func aSignatureSSHKeygenMakesVerifiesInFolio() throws {
        _ = try makeKey("bob")
        let message = "object 1234\ntype commit\n"
        try message.write(to: folder.appendingPathComponent("payload"), atomically: true, encoding: .utf8)
        let signed = try sshKeygen(["-Y", "sign", "-n", "git", "-f", "bob", "payload"])
        #expect(signed.status == 0, "\(signed.stderr)")
        let armored = try String(contentsOf: folder.appendingPathComponent("payload.sig"), encoding: .utf8)
        let signature = try SSHSignature(armored: armored)
        #expect(signature.namespace == "git")
        #expect(signature.armored == armored)
        try signature.verify(Data(message.utf8), namespace: "git")
        let bad = #expect(throws: SigningError.self) { try signature.verify(Data((message + "!").utf8), namespace: "git") }
        #expect(bad?.kind == .badSignature)
        let namespace = #expect(throws: SigningError.self) { try signature.verify(Data(message.utf8), namespace: "file") }
        #expect(namespace?.kind == .wrongNamespace)
    }

    @Test func anEncryptedKeyIsRecognisedNotMisread() throws {
        let path = try makeKey("carol", passphrase: "secret phrase")
        let error = #expect(throws: SigningError.self) { try SSHPrivateKey(pem: String(contentsOf: path, encoding: .utf8)) }
        #expect(error?.kind == .encryptedKey)
        #expect(error?.message.contains("secret phrase") == false)
    }

    /// The armored block is found by its lines, whatever surrounds it: CRLF line ends,
    /// indentation, text before and after; without an END line there is no block.
    @Test func theArmoredBlockIsFoundAmongOtherLines() throws {
        let key = SSHPrivateKey()
        let payload = Data("payload".utf8)
        let armored = try SSHSignature.sign(payload, namespace: "git", with: key).armored
        let lines = armored.split(separator: "\n").map(String.init)
        let variants = [
            lines.joined(separator: "\r\n") + "\r\n",
            "preamble\n\n" + lines.map { "  \($0)\t" }.joined(separator: "\n") + "\ntrailing text\n",
            lines[0] + "\n\n" + lines.dropFirst().joined(separator: "\n\n"),
        ]
        for text in variants {
            try SSHSignature(armored: text).verify(payload, namespace: "git")
        }
        let unterminated = lines.dropLast().joined(separator: "\n")
        let error = #expect(throws: SigningError.self) { try SSHSignature(armored: unterminated) }
        #expect(error?.kind == .malformed)
        #expect(throws: SigningError.self) { try SSHSignature(armored: lines.dropFirst().joined(separator: "\n")) }
        #expect(throws: SigningError.self) { try SSHSignature(armored: lines[0] + "\n!!!!\n" + lines.last!) }
    }

    @Test func damagedSignaturesNeverCrash() throws {
        let key = SSHPrivateKey()
        let payload = Data("payload".utf8)
        let armored = try SSHSignature.sign(payload, namespace: "git", with: key).armored
        let body = armored.split(separator: "\n").dropFirst().dropLast().joined()
        var raw = Array(try #require(Data(base64Encoded: body)))
        var generator = SystemRandomNumberGenerator()
        for round in 0..<2000 {
            var mutated = raw
            switch round % 3 {
            case 0: mutated[Int.random(in: 0..<mutated.count, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator)
            case 1: mutated = Array(mutated.prefix(Int.random(in: 0..<mutated.count, using: &generator)))
            default: mutated.replaceSubrange(10..<14, with: [0xff, 0xff, 0xff, UInt8.random(in: 0...255, using: &generator)])
            }
            let text = "\(SSHSignature.begin)\n\(Data(mutated).base64EncodedString())\n\(SSHSignature.end)\n"
            if let signature = try? SSHSignature(armored: text) {
                _ = try? signature.verify(payload, namespace: "git")
            }
        }
        raw[raw.count - 1] ^= 1
        let flipped = "\(SSHSignature.begin)\n\(Data(raw).base64EncodedString())\n\(SSHSignature.end)\n"
        #expect(throws: SigningError.self) { try SSHSignature(armored: flipped).verify(payload, namespace: "git") }
    }
}

struct AllowedSignersTests {
    let alice = SSHPrivateKey(comment: "alice")
    let bob = SSHPrivateKey(comment: "bob")

    /// Found by `SignatureFuzzTests`: an empty option (two commas, or a leading one) crashed the parser.
    @Test func anEmptyOptionIsAProblemNotACrash() {
        for options in ["namespaces=\"git\",,valid-after=\"20260101\"", ",namespaces=\"git\"", "=x"] {
            let signers = AllowedSigners(text: "alice@example.com \(options) \(alice.publicKey.line)\n")
            #expect(signers.entries.isEmpty)
            #expect(signers.problems.count == 1, "\(options): \(signers.problems)")
        }
    }

    @Test func parsesPrincipalsOptionsAndComments() throws {
        let text = """
            # who may promote

            alice@example.com,*@ops.example.com namespaces="git,folio-manifest",valid-after="20260101",valid-before="20270101Z" \(alice.publicKey.line)
            "bob@example.com" \(bob.publicKey.line)
            """
        let signers = AllowedSigners(text: text)
        #expect(signers.problems == [])
        #expect(signers.entries.count == 2)
        let entry = signers.entries[0]
        #expect(entry.principals == ["alice@example.com", "*@ops.example.com"])
        #expect(entry.allows(namespace: "git"))
        #expect(!entry.allows(namespace: "file"))
        #expect(AllowedSigners.principal("eve@ops.example.com", matches: entry))
        #expect(!AllowedSigners.principal("eve@example.com", matches: entry))
        #expect(entry.validityProblem(at: Date(timeIntervalSince1970: 1_790_000_000)) == nil)
        #expect(entry.validityProblem(at: Date(timeIntervalSince1970: 1_700_000_000))?.contains("is not valid before") == true)
        #expect(entry.validityProblem(at: Date(timeIntervalSince1970: 1_830_000_000))?.contains("expired on 2027-01-01T00:00:00Z") == true)
        #expect(signers.entries(for: bob.publicKey, namespace: "anything").map(\.line) == [4])
    }

    @Test func unsupportedLinesAreDiagnosticsNotCrashes() throws {
        let text = """
            ca@example.com cert-authority \(alice.publicKey.line)
            rsa@example.com ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7
            bad@example.com ssh-ed25519 !!!notbase64
            odd@example.com
            opt@example.com color="blue" \(bob.publicKey.line)
            time@example.com valid-after="2026" \(bob.publicKey.line)
            ok@example.com \(bob.publicKey.line)
            """
        let signers = AllowedSigners(text: text, path: ".folio/allowed_signers")
        #expect(
            signers.problems.map(\.description) == [
                ".folio/allowed_signers:1: error: cert-authority is not supported: list each signer's own key",
                ".folio/allowed_signers:2: error: ssh-rsa keys are not supported: Folio verifies ssh-ed25519 keys",
                ".folio/allowed_signers:3: error: the ssh-ed25519 key is not valid base64",
                ".folio/allowed_signers:4: error: expected `<principals> [options] <key type> <base64 key>`",
                ".folio/allowed_signers:5: error: unknown option 'color': use namespaces=, valid-after= or valid-before=",
                ".folio/allowed_signers:6: error: valid-after=\"2026\" is not a time: use YYYYMMDD[HHMM[SS]][Z]",
            ])
        #expect(signers.entries.map(\.principalText) == ["ok@example.com"])
    }

    @Test func negatedPrincipalsExclude() {
        let signers = AllowedSigners(text: "*@example.com,!mallory@example.com \(alice.publicKey.line)\n")
        let entry = signers.entries[0]
        #expect(AllowedSigners.principal("alice@example.com", matches: entry))
        #expect(!AllowedSigners.principal("mallory@example.com", matches: entry))
    }
}
