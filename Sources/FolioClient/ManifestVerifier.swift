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

    /// The manifest, if `signature` is a valid `folio-manifest` signature of `bytes` by one
    /// of the keys; the bytes are not decoded before the signature is checked.
    func verify(_ bytes: Data, signature: Data) throws -> Manifest {
        let parsed = try SSHSignature(armored: String(decoding: signature, as: UTF8.self))
        guard keys.contains(parsed.publicKey) else {
            throw SigningError(.badSignature, "the manifest is signed by \(parsed.publicKey.fingerprint), which is not one of the pinned keys")
        }
        try parsed.verify(bytes, namespace: Manifest.signatureNamespace)
        let manifest = try JSONDecoder.folio.decode(Manifest.self, from: bytes)
        guard manifest.schema == Manifest.schema else {
            throw SigningError(.unsupported, "manifest schema '\(manifest.schema)' is not \(Manifest.schema): upgrade the Folio SDK")
        }
        return manifest
    }
}
