import Foundation
import FolioTestSupport
import Testing
@testable import FolioSigning

/// Mutated signatures (their armor and the binary blob inside), public key lines and
/// allowed_signers files: a parsed value or an error, never a crash or a slow input; and
/// no mutated signature verifies.
struct SignatureFuzzTests {
    static func armor(_ blob: [UInt8]) -> String {
        let base64 = Data(blob).base64EncodedString()
        var lines: [String] = []
        var rest = Substring(base64)
        while !rest.isEmpty {
            lines.append(String(rest.prefix(70)))
            rest = rest.dropFirst(70)
        }
        return "-----BEGIN SSH SIGNATURE-----\n" + lines.joined(separator: "\n") + "\n-----END SSH SIGNATURE-----\n"
    }

    @Test func parsingRandomSignaturesAndKeysNeverCrashesHangsOrVerifies() throws {
        let key = SSHPrivateKey(comment: "fuzz@example.com")
        let payload = Data("manifest bytes\n".utf8)
        let signature = try SSHSignature.sign(payload, namespace: "folio-manifest", with: key)
        let armored = signature.armored
        let blob = try #require(SSHSignature.armoredBody(armored))
        let keyLine = key.publicKey.line
        var fuzzer = Fuzzer(seed: 0x5165, tokens: ["SSHSIG", "ssh-ed25519", "\u{0}\u{0}\u{0}\u{20}", "\u{FF}\u{FF}\u{FF}\u{FF}", "\u{0}\u{0}\u{0}\u{0}", "sha512", "=", "\n", "-----"])
        var verified = 0
        let outcome = fuzzer.run(15_000, seeds: [blob, Array(armored.utf8), Array(keyLine.utf8), Array("fuzz@example.com namespaces=\"git\",valid-after=\"20240101\" \(keyLine)\n".utf8)]) { bytes in
            // The bytes as armor text, as a blob inside valid armor, as a key and as a signers file.
            for text in [String(decoding: bytes, as: UTF8.self), Self.armor(bytes)] {
                // Another blob must never verify (the same blob in other whitespace may).
                if let parsed = try? SSHSignature(armored: text), (try? parsed.verify(payload, namespace: "folio-manifest")) != nil,
                    SSHSignature.armoredBody(text) != blob
                {
                    verified += 1
                }
            }
            _ = try? SSHPublicKey(line: String(decoding: bytes, as: UTF8.self))
            _ = AllowedSigners(text: String(decoding: bytes, as: UTF8.self)).entries
        }
        #expect(verified == 0)
        #expect(outcome.iterations >= 15_000)
        #expect(outcome.slowest < .seconds(1), "slowest input: \(outcome.slowestInput)")
    }
}
