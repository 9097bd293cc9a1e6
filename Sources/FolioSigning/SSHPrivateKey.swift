import Crypto
import Foundation

/// An unencrypted OpenSSH Ed25519 private key (`-----BEGIN OPENSSH PRIVATE KEY-----`,
/// the `openssh-key-v1` format `ssh-keygen -t ed25519` writes).
package struct SSHPrivateKey: Sendable {
    let key: Curve25519.Signing.PrivateKey
    package let publicKey: SSHPublicKey

    private static let begin = "-----BEGIN OPENSSH PRIVATE KEY-----"
    private static let end = "-----END OPENSSH PRIVATE KEY-----"
    private static let magic = Array("openssh-key-v1\u{0}".utf8)

    /// A new random key (for tests and the demo).
    package init(comment: String? = nil) {
        key = Curve25519.Signing.PrivateKey()
        publicKey = SSHPublicKey(ed25519: Array(key.publicKey.rawRepresentation), comment: comment)
    }

    /// Parses the PEM text of a key file. An encrypted key throws `.encryptedKey`, so the
    /// caller can hand it to `ssh-keygen`, which can ask for the passphrase.
    package init(pem: String) throws {
        let lines = pem.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let start = lines.firstIndex(of: Self.begin), let stop = lines.firstIndex(of: Self.end), start < stop else {
            throw SigningError(.unsupported, "not an OpenSSH private key (expected \(Self.begin)); PEM and PuTTY keys are not supported")
        }
        guard let data = Data(base64Encoded: lines[(start + 1)..<stop].joined()) else {
            throw SigningError(.malformed, "the private key is not valid base64")
        }
        var reader = SSHReader(Array(data))
        guard try reader.readBytes(Self.magic.count, "the key header") == Self.magic else {
            throw SigningError(.malformed, "the private key does not start with openssh-key-v1")
        }
        let cipher = try reader.readText("the cipher name")
        let kdf = try reader.readText("the KDF name")
        _ = try reader.readString("the KDF options")
        guard cipher == "none", kdf == "none" else {
            throw SigningError(.encryptedKey, "the private key is encrypted (\(cipher)); it needs its passphrase")
        }
        guard try reader.readUInt32("the key count") == 1 else {
            throw SigningError(.unsupported, "key files with more than one key are not supported")
        }
        let publicBlob = try reader.readString("the public key")
        var secret = SSHReader(try reader.readString("the private section"))
        guard try secret.readUInt32("a check value") == secret.readUInt32("a check value") else {
            throw SigningError(.malformed, "the private key's check values differ: the file is damaged")
        }
        let type = try secret.readText("the key type")
        guard type == SSHPublicKey.ed25519Type else {
            throw SigningError(.unsupported, "\(type) private keys are not supported natively; Folio signs those with ssh-keygen")
        }
        let publicRaw = try secret.readString("the public key")
        let privateRaw = try secret.readString("the private key")
        let comment = try secret.readText("the comment")
        guard publicRaw.count == 32, privateRaw.count == 64, Array(privateRaw[32...]) == publicRaw else {
            throw SigningError(.malformed, "the ed25519 private key has the wrong size or does not match its public key")
        }
        key = try Curve25519.Signing.PrivateKey(rawRepresentation: privateRaw[0..<32])
        publicKey = try SSHPublicKey(blob: publicBlob, comment: comment.isEmpty ? nil : comment)
        guard Array(key.publicKey.rawRepresentation) == publicRaw else {
            throw SigningError(.malformed, "the private key does not match its public key")
        }
    }

    /// The key as an unencrypted OpenSSH key file.
    package var pem: String {
        var secret = SSHWriter()
        let check = UInt32.random(in: 0...UInt32.max)
        secret.writeUInt32(check)
        secret.writeUInt32(check)
        secret.writeString(SSHPublicKey.ed25519Type)
        let publicRaw = Array(key.publicKey.rawRepresentation)
        secret.writeString(publicRaw)
        secret.writeString(Array(key.rawRepresentation) + publicRaw)
        secret.writeString(publicKey.comment ?? "")
        var pad: UInt8 = 1
        while secret.bytes.count % 8 != 0 {
            secret.write([pad])
            pad += 1
        }
        var writer = SSHWriter()
        writer.write(Self.magic)
        writer.writeString("none")
        writer.writeString("none")
        writer.writeString([UInt8]())
        writer.writeUInt32(1)
        writer.writeString(publicKey.blob)
        writer.writeString(secret.bytes)
        let body = Data(writer.bytes).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "\(Self.begin)\n\(body)\n\(Self.end)\n"
    }
}
