import CLibGit2
import Foundation

extension Repository {
    /// The contents of the file at `path` in the commit that `revision` names.
    package func readFile(_ path: String, at revision: String) throws -> Data {
        let commit = try resolveCommit(revision)
        guard let blob = try blobID(of: path, inCommit: commit) else {
            throw GitError(
                .pathNotFound,
                "'\(path)' does not exist at \(revision) (\(commit.short))",
                hint: "check the path with `git ls-tree -r --name-only \(revision)`"
            )
        }
        return try readBlob(blob)
    }

    /// The contents of a blob.
    package func readBlob(_ id: ObjectID) throws -> Data {
        var oid = id.oid
        return try withObject(
            { git_blob_lookup(&$0, pointer, &oid) },
            free: git_blob_free,
            onError: { _ in GitError(.pathNotFound, "blob \(id.short) is not in \(self.displayPath)") }
        ) { blob in
            let size = Int(git_blob_rawsize(blob))
            guard size > 0, let raw = git_blob_rawcontent(blob) else { return Data() }
            return Data(bytes: raw, count: size)
        }
    }

    /// The blob id of the file at `path` in a commit, or nil if there is no file there.
    package func blobID(of path: String, inCommit commit: ObjectID) throws -> ObjectID? {
        try withCommit(commit) { commitPointer in
            var tree: OpaquePointer?
            try Libgit2.check(git_commit_tree(&tree, commitPointer), "reading the tree of \(commit.short)")
            defer { git_tree_free(tree) }
            return Repository.blobEntry(in: tree!, path: path)
        }
    }

    /// The blob id at `path` below `tree`, or nil when missing or not a file.
    static func blobEntry(in tree: OpaquePointer, path: String) -> ObjectID? {
        var entry: OpaquePointer?
        guard git_tree_entry_bypath(&entry, tree, path) >= 0, let entry else { return nil }
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return nil }
        return ObjectID(git_tree_entry_id(entry))
    }

    /// The entries of the folder at `path` ("" for the root) in the commit `revision` names,
    /// sorted by name.
    package func listFolder(_ path: String, at revision: String) throws -> [TreeEntry] {
        let commit = try resolveCommit(revision)
        let folder = path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        return try withCommit(commit) { commitPointer in
            var root: OpaquePointer?
            try Libgit2.check(git_commit_tree(&root, commitPointer), "reading the tree of \(commit.short)")
            defer { git_tree_free(root) }
            if folder.isEmpty || folder == "." {
                return Repository.entries(of: root!)
            }
            var entry: OpaquePointer?
            guard git_tree_entry_bypath(&entry, root, folder) >= 0, let entry else {
                throw GitError(.pathNotFound, "the folder '\(folder)' does not exist at \(revision) (\(commit.short))")
            }
            defer { git_tree_entry_free(entry) }
            guard git_tree_entry_type(entry) == GIT_OBJECT_TREE else {
                throw GitError(.notAFolder, "'\(folder)' is a file, not a folder, at \(revision)")
            }
            return try withTree(ObjectID(git_tree_entry_id(entry))) { Repository.entries(of: $0) }
        }
    }

    static func entries(of tree: OpaquePointer) -> [TreeEntry] {
        (0..<git_tree_entrycount(tree)).compactMap { index in
            guard let entry = git_tree_entry_byindex(tree, index) else { return nil }
            let kind: TreeEntry.Kind
            switch git_tree_entry_filemode(entry) {
            case GIT_FILEMODE_TREE: kind = .folder
            case GIT_FILEMODE_BLOB_EXECUTABLE: kind = .executable
            case GIT_FILEMODE_LINK: kind = .symlink
            case GIT_FILEMODE_COMMIT: kind = .submodule
            default: kind = .file
            }
            return TreeEntry(
                name: String(cString: git_tree_entry_name(entry)),
                kind: kind,
                id: ObjectID(git_tree_entry_id(entry))
            )
        }
    }

    /// Reads a file from the working tree (a draft), by its path relative to the repository root.
    package func readWorkingFile(_ path: String) throws -> Data {
        guard let workingDirectory else {
            throw GitError(.pathNotFound, "\(displayPath) is a bare repository: it has no working tree to read '\(path)' from")
        }
        let url = URL(fileURLWithPath: workingDirectory).appendingPathComponent(path)
        var info = stat()
        if lstat(url.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK {
            throw GitError(.pathNotFound, "'\(path)' is a symbolic link: Folio never follows links in a prompt repository; commit the file itself")
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw GitError(.pathNotFound, "'\(path)' does not exist in the working tree \(workingDirectory)")
        }
        return data
    }

    /// The blob id git would give the working-tree file at `path`, or nil if it does not exist.
    package func workingFileBlobID(_ path: String) throws -> ObjectID? {
        guard let workingDirectory else { return nil }
        var info = stat()
        guard lstat(URL(fileURLWithPath: workingDirectory).appendingPathComponent(path).path, &info) == 0 else { return nil }
        let data = try readWorkingFile(path)
        var oid = git_oid()
        let code = data.withUnsafeBytes { raw in
            git_odb_hash(&oid, raw.baseAddress, raw.count, GIT_OBJECT_BLOB)
        }
        try Libgit2.check(code, "hashing '\(path)'")
        return ObjectID(oid)
    }
}
