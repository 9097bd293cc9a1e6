import Foundation
import FolioGit
import FolioSigning

/// Remembers which tag objects carry a signature that verified, and by which key, in
/// `<git dir>/folio/verified-tags`. A tag object's id is the hash of its bytes, signature
/// included, so a tag that verified once verifies forever: only the Ed25519 check is
/// skipped. Whether the key may sign (allowed_signers on main, validity dates) is decided
/// again every time. `folio verify` does not use it.
final class VerifiedTags: @unchecked Sendable {
    private let url: URL
    private let lock = NSLock()
    /// Tag id → the OpenSSH public key line (`ssh-ed25519 AAAA…`) that verified it.
    private var keys: [String: String] = [:]
    private var added = false

    init(gitDirectory: String) {
        url = URL(fileURLWithPath: gitDirectory).appendingPathComponent("folio/verified-tags")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return }
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 1)
            guard fields.count == 2, fields[0].count == 40 else { continue }
            keys[String(fields[0])] = String(fields[1])
        }
    }

    /// The key that verified this tag object before, if any.
    func key(for tag: ObjectID) -> SSHPublicKey? {
        guard let line = lock.withLock({ keys[tag.hex] }) else { return nil }
        return try? SSHPublicKey(line: line)
    }

    func remember(_ tag: ObjectID, _ key: SSHPublicKey) {
        lock.withLock {
            guard keys[tag.hex] == nil else { return }
            keys[tag.hex] = key.line
            added = true
        }
    }

    /// Writes the file when something was added (a temp file renamed into place; a failure
    /// to write only costs the next run its shortcut).
    func save() {
        let text: String? = lock.withLock {
            guard added else { return nil }
            added = false
            return keys.keys.sorted().map { "\($0) \(keys[$0]!)\n" }.joined()
        }
        guard let text else { return }
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? AtomicFile.write(Data(text.utf8), to: url)
    }
}
