/// A failure to read a key, or to make or check a signature. Messages never contain
/// key material.
package struct SigningError: Error, CustomStringConvertible, Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        case malformed
        case unsupported
        case encryptedKey
        case badSignature
        case wrongNamespace
        /// A valid signature by a key that is not trusted.
        case unknownKey
    }

    package let kind: Kind
    package let message: String

    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    package var description: String { message }
}
