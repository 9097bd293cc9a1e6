import Crypto
import Foundation

/// An OpenSSH signature (PROTOCOL.sshsig), as `ssh-keygen -Y sign` and `git tag -s` with
/// `gpg.format=ssh` write it: an armored `SSH SIGNATURE` block over a blob that names the
/// public key, the namespace and the hash.
package struct SSHSignature: Sendable, Equatable {
    package static let begin = "-----BEGIN SSH SIGNATURE-----"
    package static let end = "-----END SSH SIGNATURE-----"
    static let magic = Array("SSHSIG".utf8)

    package let publicKey: SSHPublicKey
    package let namespace: String
    package let hashAlgorithm: String
    /// The signature's own type (`ssh-ed25519`) and bytes.
    let signatureType: String
    let signature: [UInt8]

    /// Signs `payload` with an Ed25519 key in `namespace` (`git` for tags).
    package static func sign(_ payload: Data, namespace: String, with key: SSHPrivateKey) throws -> SSHSignature {
        let data = signedData(payload, namespace: namespace, hashAlgorithm: "sha512")
        let signature = try key.key.signature(for: data)
        return SSHSignature(
            publicKey: key.publicKey, namespace: namespace, hashAlgorithm: "sha512",
            signatureType: SSHPublicKey.ed25519Type, signature: Array(signature))
    }

    /// Parses an armored signature. Nothing in it is trusted until `verify` succeeds.
    package init(armored text: String) throws {
        guard let body = Self.armoredBody(text) else {
            throw SigningError(.malformed, "no \(Self.begin) block")
        }
        guard let data = Data(base64Encoded: Data(body)) else {
            throw SigningError(.malformed, "the signature block is not valid base64")
        }
        var reader = SSHReader(Array(data))
        guard try reader.readBytes(6, "the signature preamble") == Self.magic else {
            throw SigningError(.malformed, "the signature does not start with SSHSIG")
        }
        let version = try reader.readUInt32("the signature version")
        guard version == 1 else {
            throw SigningError(.unsupported, "signature version \(version) is not supported (only 1)")
        }
        publicKey = try SSHPublicKey(blob: try reader.readString("the public key"))
        namespace = try reader.readText("the namespace")
        _ = try reader.readString("the reserved field")
        hashAlgorithm = try reader.readText("the hash algorithm")
        var inner = SSHReader(try reader.readString("the signature"))
        signatureType = try inner.readText("the signature type")
        signature = try inner.readString("the signature bytes")
        guard inner.isAtEnd, reader.isAtEnd else {
            throw SigningError(.malformed, "the signature has trailing bytes")
        }
    }

    /// The base64 lines between the BEGIN and END lines (each trimmed of spaces and tabs),
    /// joined; nil without such a block. Bytes, not Characters: a first build parses
    /// 10,000 of these.
    static func armoredBody(_ text: String) -> [UInt8]? {
        let begin = Array(Self.begin.utf8), end = Array(Self.end.utf8)
        var text = text
        return text.withUTF8 { bytes -> [UInt8]? in
            var body: [UInt8] = []
            var inside = false
            var index = 0
            while index < bytes.count {
                var lineEnd = index
                while lineEnd < bytes.count, !(0x0A...0x0D).contains(bytes[lineEnd]) { lineEnd += 1 }
                var low = index, high = lineEnd
                while low < high, bytes[low] == 0x20 || bytes[low] == 0x09 { low += 1 }
                while high > low, bytes[high - 1] == 0x20 || bytes[high - 1] == 0x09 { high -= 1 }
                let line = UnsafeBufferPointer(rebasing: bytes[low..<high])
                if !inside {
                    inside = line.elementsEqual(begin)
                } else if line.elementsEqual(end) {
                    return body
                } else {
                    body.append(contentsOf: line)
                }
                index = lineEnd + 1
            }
            return nil
        }
    }

    private init(publicKey: SSHPublicKey, namespace: String, hashAlgorithm: String, signatureType: String, signature: [UInt8]) {
        self.publicKey = publicKey
        self.namespace = namespace
        self.hashAlgorithm = hashAlgorithm
        self.signatureType = signatureType
        self.signature = signature
    }

    /// Checks the signature over `payload` in `namespace`; throws `.badSignature`,
    /// `.wrongNamespace` or `.unsupported`.
    package func verify(_ payload: Data, namespace expected: String) throws {
        guard namespace == expected else {
            throw SigningError(.wrongNamespace, "the signature is for namespace '\(namespace)', not '\(expected)'")
        }
        guard hashAlgorithm == "sha512" || hashAlgorithm == "sha256" else {
            throw SigningError(.unsupported, "hash algorithm '\(hashAlgorithm)' is not supported")
        }
        guard signatureType == SSHPublicKey.ed25519Type, publicKey.type == SSHPublicKey.ed25519Type else {
            throw SigningError(.unsupported, "\(publicKey.type) signatures are not supported: Folio verifies ssh-ed25519")
        }
        let key = try publicKey.ed25519Key()
        let data = Self.signedData(payload, namespace: namespace, hashAlgorithm: hashAlgorithm)
        guard signature.count == 64, key.isValidSignature(signature, for: data) else {
            throw SigningError(.badSignature, "the signature does not match the signed content")
        }
    }

    /// `SSHSIG ‖ string(namespace) ‖ string("") ‖ string(hash) ‖ string(H(payload))`.
    static func signedData(_ payload: Data, namespace: String, hashAlgorithm: String) -> Data {
        var writer = SSHWriter()
        writer.write(magic)
        writer.writeString(namespace)
        writer.writeString([UInt8]())
        writer.writeString(hashAlgorithm)
        let digest = hashAlgorithm == "sha256" ? Array(SHA256.hash(data: payload)) : Array(SHA512.hash(data: payload))
        writer.writeString(digest)
        return Data(writer.bytes)
    }

    /// The armored form, base64 wrapped at 70 columns as ssh-keygen writes it, ending in a newline.
    package var armored: String {
        var inner = SSHWriter()
        inner.writeString(signatureType)
        inner.writeString(signature)
        var writer = SSHWriter()
        writer.write(Self.magic)
        writer.writeUInt32(1)
        writer.writeString(publicKey.blob)
        writer.writeString(namespace)
        writer.writeString([UInt8]())
        writer.writeString(hashAlgorithm)
        writer.writeString(inner.bytes)
        let base64 = Data(writer.bytes).base64EncodedString()
        var lines: [String] = []
        var index = base64.startIndex
        while index < base64.endIndex {
            let next = base64.index(index, offsetBy: 70, limitedBy: base64.endIndex) ?? base64.endIndex
            lines.append(String(base64[index..<next]))
            index = next
        }
        return ([Self.begin] + lines + [Self.end]).joined(separator: "\n") + "\n"
    }
}
