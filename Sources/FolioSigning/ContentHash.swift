import FolioModel
import Crypto
import Foundation

/// The content hash manifests record for version files, and clients check.
package enum ContentHash {
    /// SHA-256 as 64 lowercase hex digits.
    package static func sha256Hex(_ data: Data) -> String {
        SHA256.hash(data: data).withUnsafeBytes { Hex.encode($0) }
    }
}
