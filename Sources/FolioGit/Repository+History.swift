import CLibGit2

extension Repository {
    /// Walks the first-parent history from `revision` and reports, oldest first, each
    /// commit where the blob at `path` differs from its first parent's (added, changed
    /// or deleted).
    public func firstParentChanges(of path: String, from revision: String) throws -> [PathChange] {
        let tip = try resolveCommit(revision)
        var odb: OpaquePointer?
        try Libgit2.check(git_repository_odb(&odb, pointer), "opening the object database")
        defer { git_odb_free(odb) }
        var lookup = TreePathLookup(odb: odb!, path: path)
        // Walk raw commit headers (tree and first parent only); build full commit values
        // only where the path changed.
        var changed: [(commit: git_oid, blob: git_oid?)] = []
        var current: git_oid? = tip.oid
        var currentLinks = try lookup.commitLinks(tip.oid)
        var currentBlob = try lookup.blob(inRoot: currentLinks.tree)
        while let commit = current {
            let parent = currentLinks.firstParent
            var parentLinks: (tree: git_oid, firstParent: git_oid?)?
            var parentBlob: git_oid?
            if let parent {
                parentLinks = try lookup.commitLinks(parent)
                parentBlob = try lookup.blob(inRoot: parentLinks!.tree)
            }
            if !Repository.sameBlob(currentBlob, parentBlob) {
                changed.append((commit, currentBlob))
            }
            current = parent
            if let parentLinks { currentLinks = parentLinks }
            currentBlob = parentBlob
        }
        return try changed.reversed().map { entry in
            PathChange(commit: try commit(ObjectID(entry.commit)), blob: entry.blob.map(ObjectID.init))
        }
    }

    private static func sameBlob(_ a: git_oid?, _ b: git_oid?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case var (.some(x), .some(y)): return git_oid_equal(&x, &y) == 1
        default: return false
        }
    }
}
