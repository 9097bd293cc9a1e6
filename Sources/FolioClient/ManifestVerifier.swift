import Foundation
import FolioModel
import FolioSigning

/// Checks a manifest's signature against the pinned keys and decodes it.
struct ManifestVerifier: Sendable {
    let keys: [SSHPublicKey]

    init(publicKeys: [String]) throws {
        guard !publicKeys.isEmpty else {
            throw FolioClientError(kind: .invalidConfiguration, message: "FolioClient needs at least one public key to verify manifests")
        }
        keys = try publicKeys.map { line in
            do {
                return try SSHPublicKey(line: line)
            } catch {
                throw FolioClientError(kind: .invalidConfiguration, message: "a public key given to FolioClient is not an OpenSSH public key line: \(error)")
            }
        }
    }

    /// Why a manifest is refused, in the conformance suite's words (`conformance/trust.json`).
    enum Refusal: String, Error, Sendable {
        case signature, key, namespace, rollback, expired, malformed, schema, sha256
    }

    /// Every check a manifest must pass before it is used: the signature (`verify`), then
    /// rollback (a version lower than `highestSeen`) and `expires` (skipped when `now` is
    /// nil). Throws a `ManifestRefusal` naming the check.
    func check(_ bytes: Data, signature: Data, highestSeen: Int, now: Date?, source: String) throws -> Manifest {
        let manifest: Manifest
        do {
            manifest = try verify(bytes, signature: signature)
        } catch {
            throw ManifestRefusal(kind: Self.refusal(error), message: "refused the manifest from \(source): \(error)", underlying: error)
        }
        guard manifest.version >= highestSeen else {
            throw ManifestRefusal(kind: .rollback, message: "refused manifest version \(manifest.version) from \(source): version \(highestSeen) was already seen (rollback protection)")
        }
        if let now, let expires = manifest.expires, expires < now {
            throw ManifestRefusal(kind: .expired, message: "the manifest from \(source) expired at \(expires)")
        }
        return manifest
    }

    /// The conformance suite's kind for an error `verify` threw.
    static func refusal(_ error: any Error) -> Refusal {
        if let refusal = error as? ManifestRefusal { return refusal.kind }
        if let signing = error as? SigningError {
            switch signing.kind {
            case .badSignature: return .signature
            case .unknownKey: return .key
            case .wrongNamespace: return .namespace
            case .unsupported where signing.message.hasPrefix("manifest schema"): return .schema
            default: return .malformed
            }
        }
        return .malformed
    }

    /// The manifest, if `signature` is a valid `folio-manifest` signature of `bytes` by one
    /// of the keys; the bytes are not decoded before the signature is checked.
    func verify(_ bytes: Data, signature: Data) throws -> Manifest {
        let parsed = try SSHSignature(armored: String(decoding: signature, as: UTF8.self))
        guard keys.contains(parsed.publicKey) else {
            throw SigningError(.unknownKey, "the manifest is signed by \(parsed.publicKey.fingerprint), which is not one of the pinned keys")
        }
        try parsed.verify(bytes, namespace: Manifest.signatureNamespace)
        let manifest = try JSONDecoder.folio.decode(Manifest.self, from: bytes)
        guard manifest.schema == Manifest.schema else {
            throw SigningError(.unsupported, "manifest schema '\(manifest.schema)' is not \(Manifest.schema): upgrade the Folio SDK")
        }
        return manifest
    }
}

/// A manifest or version file that failed a check: what `FolioClientError.Kind.trust`
/// carries underneath, with the check's name.
struct ManifestRefusal: Error, Sendable, CustomStringConvertible {
    let kind: ManifestVerifier.Refusal
    let message: String
    var underlying: (any Error)?

    var description: String { message }
}
