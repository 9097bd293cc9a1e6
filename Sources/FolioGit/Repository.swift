import CLibGit2
import Foundation

/// A git repository opened through libgit2.
///
/// Every method returns Swift values; libgit2 objects are freed before it returns.
/// A `Repository` is not meant to be shared between tasks that run at once.
package final class Repository {
    let pointer: OpaquePointer
    /// The `.git` folder (or the bare repository's folder), with a trailing slash.
    package let gitDirectory: String
    /// The working tree, with a trailing slash; nil for a bare repository.
    package let workingDirectory: String?

    /// Opens the repository at `path` or at the nearest folder above it that is one.
    package init(discovering path: String) throws {
        Libgit2.ensureInitialized()
        var repo: OpaquePointer?
        let code = git_repository_open_ext(&repo, path, 0, nil)
        guard code >= 0, let repo else {
            throw Repository.openError(code: code, path: path)
        }
        pointer = repo
        gitDirectory = String(cString: git_repository_path(repo))
        workingDirectory = git_repository_workdir(repo).map { String(cString: $0) }
    }

    deinit {
        git_repository_free(pointer)
    }

    private static func openError(code: Int32, path: String) -> GitError {
        let detail = Libgit2.lastErrorMessage()
        // libgit2 1.5 reports a repository owned by someone else as a missing config value.
        if detail.contains("safe.directory") || detail.contains("not owned by current user") {
            return GitError(
                .unsafeOwnership,
                "the repository at '\(path)' is owned by another user, so git refuses to open it (safe.directory)",
                hint: "if you trust it, run: git config --global --add safe.directory '\(absolute(path))'"
            )
        }
        if code == GIT_ENOTFOUND.rawValue {
            var isFolder: ObjCBool = false
            if !FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
                return GitError(.notARepository, "'\(path)' does not exist", hint: "pass the path of a folder inside a git repository")
            }
            return GitError(
                .notARepository,
                "'\(path)' is not inside a git repository",
                hint: "run `folio init` in a git repository, or `git init` first"
            )
        }
        return GitError(.other, "cannot open the repository at '\(path)': \(detail)")
    }

    private static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// The repository's display name for messages: its working tree or git folder.
    package var displayPath: String {
        workingDirectory ?? gitDirectory
    }
}

// MARK: - Scoped libgit2 objects

extension Repository {
    /// Runs `body` with a libgit2 object that is freed when it returns.
    func withObject<T>(
        _ create: (inout OpaquePointer?) -> Int32,
        free: (OpaquePointer) -> Void,
        onError: (Int32) -> Error,
        _ body: (OpaquePointer) throws -> T
    ) throws -> T {
        var object: OpaquePointer?
        let code = create(&object)
        guard code >= 0, let object else { throw onError(code) }
        defer { free(object) }
        return try body(object)
    }

    func withCommit<T>(_ id: ObjectID, _ body: (OpaquePointer) throws -> T) throws -> T {
        var oid = id.oid
        return try withObject(
            { git_commit_lookup(&$0, pointer, &oid) },
            free: git_commit_free,
            onError: { _ in GitError(.revisionNotFound, "commit \(id.short) is not in \(self.displayPath): \(Libgit2.lastErrorMessage())") },
            body
        )
    }

    func withTree<T>(_ id: ObjectID, _ body: (OpaquePointer) throws -> T) throws -> T {
        var oid = id.oid
        return try withObject(
            { git_tree_lookup(&$0, pointer, &oid) },
            free: git_tree_free,
            onError: { _ in GitError(.other, "cannot read tree \(id.short): \(Libgit2.lastErrorMessage())") },
            body
        )
    }
}
