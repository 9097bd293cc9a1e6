/// A failure to read a key, or to make or check a signature. Messages never contain
/// key material.
public struct SigningError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case malformed
        case unsupported
        case encryptedKey
        case badSignature
        case wrongNamespace
        /// A valid signature by a key that is not trusted.
        case unknownKey
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
