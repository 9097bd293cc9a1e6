import FolioModel
/// An error from the git layer: what happened, and what to do about it.
///
/// The `description` never contains C pointers or raw libgit2 codes alone: it says
/// which repository, revision or path was involved and how to fix the problem.
package struct GitError: UserFacingError, Equatable {
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

    /// Every libgit2 failure a command meets is about its arguments or the repository.
    package var exitCode: Int32 { 2 }
}
