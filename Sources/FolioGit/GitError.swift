/// An error from the git layer: what happened, and what to do about it.
///
/// The `description` never contains C pointers or raw libgit2 codes alone: it says
/// which repository, revision or path was involved and how to fix the problem.
package struct GitError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kind of failure, stable for callers that branch on it.
    package enum Kind: Sendable, Equatable {
        case notARepository
        case unsafeOwnership
        case revisionNotFound
        case ambiguousRevision
        case pathNotFound
        case notAFolder
        case referenceExists
        case other
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
