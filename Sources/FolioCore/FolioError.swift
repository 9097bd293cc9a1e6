/// A failure of a Folio operation that the user must act on: what went wrong, what to do.
///
/// `kind` tells the command line which exit code to use (2 for usage and configuration).
package struct FolioError: Error, CustomStringConvertible, Sendable {
    package enum Kind: Sendable, Equatable {
        /// Bad arguments or references (unknown prompt, version, revision).
        case usage
        /// The repository or its settings are not usable (no folio.yaml, bad config).
        case configuration
        /// Files that do not pass lint, listed as diagnostics.
        case invalidContent
    }

    package let kind: Kind
    package let message: String
    package let hint: String?

    package init(_ kind: Kind, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
    }

    package var description: String {
        guard let hint else { return message }
        return "\(message)\nhint: \(hint)"
    }
}
