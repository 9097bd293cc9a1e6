import Crypto
import Foundation

/// An OpenSSH public key. Ed25519 keys can verify signatures; other types are parsed
/// so they can be named in messages, then reported as not supported.
package struct SSHPublicKey: Sendable, Hashable, CustomStringConvertible {
    package static let ed25519Type = "ssh-ed25519"

    /// The key type, e.g. `ssh-ed25519`.
    package let type: String
    /// The wire-format key blob (`string type ‖ string key`).
    package let blob: [UInt8]
    package let comment: String?

    /// The key type names OpenSSH uses, to tell a key from an option in key files.
    package static let knownTypes: Set<String> = [
        "ssh-ed25519", "ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
        "ssh-ed25519-cert-v01@openssh.com", "ssh-rsa-cert-v01@openssh.com",
    ]

    package init(blob: [UInt8], comment: String? = nil) throws {
        var reader = SSHReader(blob)
        type = try reader.readText("the public key type")
        if type == Self.ed25519Type {
            let key = try reader.readString("the ed25519 public key")
            guard key.count == 32, reader.isAtEnd else {
                throw SigningError(.malformed, "the ed25519 public key must be 32 bytes")
            }
        }
        self.blob = blob
        self.comment = comment
    }

    init(ed25519 raw: [UInt8], comment: String? = nil) {
        var writer = SSHWriter()
        writer.writeString(Self.ed25519Type)
        writer.writeString(raw)
        type = Self.ed25519Type
        blob = writer.bytes
        self.comment = comment
    }

    /// Parses a line such as `ssh-ed25519 AAAAC3Nza… alice@example.com`.
    package init(line: String) throws {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count >= 2 else {
            throw SigningError(.malformed, "a public key line needs a key type and a base64 key, like `ssh-ed25519 AAAA… comment`")
        }
        guard let data = Data(base64Encoded: fields[1]) else {
            throw SigningError(.malformed, "the \(fields[0]) key is not valid base64")
        }
        try self.init(blob: Array(data), comment: fields.count > 2 ? fields[2...].joined(separator: " ") : nil)
        guard type == fields[0] else {
            throw SigningError(.malformed, "the key says it is \(type) but the line says \(fields[0])")
        }
    }

    /// The raw 32-byte Ed25519 key, or a "not supported" error for other types.
    func ed25519Key() throws -> Curve25519.Signing.PublicKey {
        guard type == Self.ed25519Type else {
            throw SigningError(.unsupported, "\(type) keys are not supported: Folio verifies ssh-ed25519 signatures")
        }
        var reader = SSHReader(blob)
        _ = try reader.readString("the key type")
        return try Curve25519.Signing.PublicKey(rawRepresentation: try reader.readString("the ed25519 public key"))
    }

    /// `SHA256:<base64>`, as `ssh-keygen -l` prints it.
    package var fingerprint: String {
        let digest = Data(SHA256.hash(data: blob)).base64EncodedString()
        return "SHA256:" + digest.replacingOccurrences(of: "=", with: "")
    }

    /// `<type> <base64>` (and the comment, if any): the authorized_keys form.
    package var line: String {
        let base = "\(type) \(Data(blob).base64EncodedString())"
        return comment.map { "\(base) \($0)" } ?? base
    }

    package var description: String { "\(type) \(fingerprint)" }

    package static func == (lhs: SSHPublicKey, rhs: SSHPublicKey) -> Bool { lhs.blob == rhs.blob }
    package func hash(into hasher: inout Hasher) { hasher.combine(blob) }
}
