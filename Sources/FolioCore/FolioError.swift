import FolioModel

/// A failure of a Folio operation that the user must act on: what went wrong, what to do.
///
/// `kind` decides the exit code: 1 for content that does not pass lint, 2 for usage and
/// configuration, 4 for a file that could not be written.
package struct FolioError: UserFacingError {
    package enum Kind: Sendable, Equatable {
        /// Bad arguments or references (unknown prompt, version, revision).
        case usage
        /// The repository or its settings are not usable (no folio.yaml, bad config).
        case configuration
        /// Files that do not pass lint, listed as diagnostics.
        case invalidContent
        /// A file or folder could not be written (disk full, permissions, a file in the way).
        case io
    }

    package let kind: Kind
    package let message: String
    package let hint: String?

    package init(_ kind: Kind, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
    }

    package var exitCode: Int32 {
        switch kind {
        case .invalidContent: return 1
        case .usage, .configuration: return 2
        case .io: return 4
        }
    }
}
