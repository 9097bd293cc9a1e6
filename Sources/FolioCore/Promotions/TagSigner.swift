import FolioProcess
import Foundation
import FolioGit
import FolioSigning

/// Signs tag payloads as `git tag -s` would: natively for an unencrypted ed25519 key,
/// otherwise with the program git itself would run (`ssh-keygen -Y sign`, `gpg`).
package struct TagSigner: Sendable {
    enum Method: Sendable {
        case native(SSHPrivateKey)
        /// `ssh-keygen -Y sign -n git -f <key> [-U]`: an encrypted key, another key type,
        /// or a public key whose private half is in ssh-agent.
        case sshKeygen(program: String, keyPath: String, agent: Bool)
        case gpg(program: String, keyID: String)
    }

    let method: Method

    /// A human description that never includes key material.
    package var description: String {
        switch method {
        case .native(let key): return "ed25519 key \(key.publicKey.fingerprint)"
        case .sshKeygen(let program, let path, let agent): return "\(program) with \(agent ? "the ssh-agent key for " : "")\(path)"
        case .gpg(let program, let keyID): return "\(program) key \(keyID)"
        }
    }

    /// The key from `--signing-key`, `FOLIO_SIGNING_KEY`, or git config (`user.signingkey`,
    /// `gpg.format`, `gpg.ssh.program`, `gpg.program`), in that order. A relative key path
    /// is taken from `folder`.
    package static func resolve(
        explicitKey: String?, git: Repository, environment: [String: String] = ProcessInfo.processInfo.environment,
        in folder: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
    ) throws -> TagSigner {
        let override = explicitKey ?? environment["FOLIO_SIGNING_KEY"]
        let configured = git.configValue("user.signingkey")
        let format = override != nil ? "ssh" : (git.configValue("gpg.format") ?? "openpgp")
        guard let key = override ?? configured, !key.isEmpty else {
            throw FolioError(
                .usage, "no signing key: promotions are signed tags",
                hint: "pass --signing-key ~/.ssh/id_ed25519, set FOLIO_SIGNING_KEY, or run `git config user.signingkey ~/.ssh/id_ed25519 && git config gpg.format ssh`")
        }
        switch format {
        case "ssh":
            let program = git.configValue("gpg.ssh.program") ?? "ssh-keygen"
            if key.hasPrefix("key::") || key.hasPrefix("ssh-") {
                let literal = key.hasPrefix("key::") ? String(key.dropFirst(5)) : key
                // ssh-keygen needs the public key in a file; it holds no secret.
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("folio-agent-key-\(Self.fingerprintName(literal)).pub")
                try Data((literal + "\n").utf8).write(to: file)
                return TagSigner(method: .sshKeygen(program: program, keyPath: file.path, agent: true))
            }
            let expanded = NSString(string: key).expandingTildeInPath
            let path = expanded.hasPrefix("/") ? expanded : folder.appendingPathComponent(expanded).path
            guard let data = FileManager.default.contents(atPath: path) else {
                throw FolioError(.usage, "cannot read the signing key '\(path)'", hint: "check the path of --signing-key, FOLIO_SIGNING_KEY or user.signingkey")
            }
            let text = String(decoding: data, as: UTF8.self)
            if text.hasPrefix("ssh-") {
                return TagSigner(method: .sshKeygen(program: program, keyPath: path, agent: true))
            }
            do {
                return TagSigner(method: .native(try SSHPrivateKey(pem: text)))
            } catch let error as SigningError where error.kind == .encryptedKey || error.kind == .unsupported {
                return TagSigner(method: .sshKeygen(program: program, keyPath: path, agent: false))
            } catch {
                throw FolioError(.usage, "the signing key '\(path)' cannot be read: \(error)")
            }
        case "openpgp":
            return TagSigner(method: .gpg(program: git.configValue("gpg.program") ?? "gpg", keyID: key))
        default:
            throw FolioError(.configuration, "gpg.format '\(format)' is not supported: use ssh or openpgp")
        }
    }

    /// A stable file name for a literal public key, so repeated runs reuse one file.
    private static func fingerprintName(_ literal: String) -> String {
        (try? SSHPublicKey(line: literal).fingerprint.dropFirst(7).map { $0 == "/" ? "_" : $0 == "+" ? "-" : $0 }).map { String($0) } ?? UUID().uuidString
    }

    /// A signer for a key already in memory.
    package init(key: SSHPrivateKey) {
        method = .native(key)
    }

    init(method: Method) {
        self.method = method
    }

    /// The armored signature of `payload` in `namespace` (`git` for tags).
    package func sign(_ payload: Data, namespace: String = "git") throws -> String {
        switch method {
        case .native(let key):
            return try SSHSignature.sign(payload, namespace: namespace, with: key).armored
        case let .sshKeygen(program, keyPath, agent):
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-sign-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = folder.appendingPathComponent("payload")
            try payload.write(to: file)
            var arguments = ["-Y", "sign", "-n", namespace, "-f", keyPath]
            if agent { arguments.append("-U") }
            let status = try ExternalProgram(program, arguments + [file.path]).run(output: .interactive).status
            guard status == 0, let signature = FileManager.default.contents(atPath: file.path + ".sig") else {
                throw FolioError(
                    .usage, "\(program) could not sign with \(keyPath) (exit \(status))", hint: agent ? "is the key loaded in ssh-agent (`ssh-add -l`)?" : "check the key and its passphrase")
            }
            return String(decoding: signature, as: UTF8.self)
        case let .gpg(program, keyID):
            guard namespace == "git" else {
                throw FolioError(.usage, "an OpenPGP key cannot sign a \(namespace) signature: that needs an SSH key", hint: "pass --signing-key with an ed25519 key")
            }
            let result = try ExternalProgram(program, ["--status-fd=2", "-bsau", keyID]).run(input: payload)
            guard result.status == 0, !result.output.isEmpty else {
                throw FolioError(.usage, "\(program) could not sign with key \(keyID) (exit \(result.status))", hint: "check `\(program) --list-secret-keys`, or use an SSH key with gpg.format=ssh")
            }
            return String(decoding: result.output, as: UTF8.self)
        }
    }
}
