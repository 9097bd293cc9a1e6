import CLibGit2
import Foundation

extension Repository {
    /// Resolves a revision (`HEAD`, a branch, a tag, `origin/main`, an abbreviated id,
    /// `HEAD~2`, …) to the commit it names.
    package func resolveCommit(_ revision: String) throws -> ObjectID {
        var object: OpaquePointer?
        let code = git_revparse_single(&object, pointer, revision)
        guard code >= 0, let object else {
            throw revisionError(code: code, revision: revision)
        }
        defer { git_object_free(object) }
        var peeled: OpaquePointer?
        guard git_object_peel(&peeled, object, GIT_OBJECT_COMMIT) >= 0, let peeled else {
            throw GitError(
                .revisionNotFound,
                "'\(revision)' does not name a commit in \(displayPath)",
                hint: "name a branch, tag or commit id"
            )
        }
        defer { git_object_free(peeled) }
        return ObjectID(git_object_id(peeled))
    }

    /// Resolves `revision` to a commit, or returns nil if it does not exist
    /// (other errors, such as an ambiguous id, still throw).
    package func resolveCommitIfPresent(_ revision: String) throws -> ObjectID? {
        do {
            return try resolveCommit(revision)
        } catch let error as GitError where error.kind == .revisionNotFound {
            return nil
        }
    }

    private func revisionError(code: Int32, revision: String) -> GitError {
        let detail = Libgit2.lastErrorMessage()
        switch code {
        case GIT_EAMBIGUOUS.rawValue:
            return GitError(
                .ambiguousRevision,
                "the abbreviated id '\(revision)' matches more than one object in \(displayPath)",
                hint: "give more hex digits of the commit id"
            )
        case GIT_ENOTFOUND.rawValue, GIT_EINVALIDSPEC.rawValue:
            if git_repository_head_unborn(pointer) == 1 && revision.hasPrefix("HEAD") {
                return GitError(
                    .revisionNotFound,
                    "'\(revision)' does not exist yet: \(displayPath) has no commits",
                    hint: "commit something first"
                )
            }
            return GitError(
                .revisionNotFound,
                "revision '\(revision)' not found in \(displayPath)",
                hint: "check the name with `git branch -a` or `git tag`; run `git fetch` if it is a remote branch"
            )
        default:
            return GitError(.other, "cannot resolve '\(revision)' in \(displayPath): \(detail)")
        }
    }

    /// Reads a commit as a value.
    package func commit(_ id: ObjectID) throws -> Commit {
        try withCommit(id) { Repository.makeCommit($0) }
    }

    static func makeCommit(_ commit: OpaquePointer) -> Commit {
        let count = git_commit_parentcount(commit)
        let parents = (0..<count).compactMap { git_commit_parent_id(commit, $0).map(ObjectID.init) }
        return Commit(
            id: ObjectID(git_commit_id(commit)),
            tree: ObjectID(git_commit_tree_id(commit)),
            parents: parents,
            author: makeSignature(git_commit_author(commit)),
            committer: makeSignature(git_commit_committer(commit)),
            message: git_commit_message(commit).map { String(cString: $0) } ?? ""
        )
    }

    static func makeSignature(_ signature: UnsafePointer<git_signature>?) -> Signature {
        guard let signature else {
            return Signature(name: "", email: "", date: Date(timeIntervalSince1970: 0), timeZoneOffsetMinutes: 0)
        }
        let value = signature.pointee
        return Signature(
            name: value.name.map { String(cString: $0) } ?? "",
            email: value.email.map { String(cString: $0) } ?? "",
            date: Date(timeIntervalSince1970: TimeInterval(value.when.time)),
            timeZoneOffsetMinutes: Int(value.when.offset)
        )
    }

    /// The full name of the branch HEAD points at (`refs/heads/main`), or nil when detached.
    package func currentBranch() -> String? {
        var ref: OpaquePointer?
        guard git_repository_head(&ref, pointer) >= 0, let ref else { return nil }
        defer { git_reference_free(ref) }
        guard git_reference_is_branch(ref) == 1 else { return nil }
        return String(cString: git_reference_name(ref))
    }
}
