import CLibGit2

extension Repository {
    /// Walks the first-parent history from `revision` and reports, oldest first, each
    /// commit where the blob at `path` differs from its first parent's (added, changed
    /// or deleted).
    public func firstParentChanges(of path: String, from revision: String) throws -> [PathChange] {
        let tip = try resolveCommit(revision)
        var changes: [PathChange] = []
        var current: OpaquePointer?
        var tipOid = tip.oid
        try Libgit2.check(git_commit_lookup(&current, pointer, &tipOid), "reading commit \(tip.short)")
        // The blob at `path` in `current`, carried down so each tree is read once.
        var currentBlob = try blob(at: path, in: current!)
        var currentTree = git_commit_tree_id(current!)!.pointee
        while let commit = current {
            var parent: OpaquePointer?
            let hasParent = git_commit_parentcount(commit) > 0
            if hasParent {
                try Libgit2.check(git_commit_parent(&parent, commit, 0), "reading the parent of \(ObjectID(git_commit_id(commit)).short)")
            }
            var parentBlob: git_oid?
            var parentTree = git_oid()
            if let parent {
                parentTree = git_commit_tree_id(parent)!.pointee
                if git_oid_equal(&parentTree, &currentTree) == 1 {
                    parentBlob = currentBlob
                } else {
                    parentBlob = try blob(at: path, in: parent)
                }
            }
            if !Repository.sameBlob(currentBlob, parentBlob) {
                changes.append(PathChange(commit: Repository.makeCommit(commit), blob: currentBlob.map(ObjectID.init)))
            }
            git_commit_free(commit)
            current = parent
            currentBlob = parentBlob
            currentTree = parentTree
        }
        return changes.reversed()
    }

    private static func sameBlob(_ a: git_oid?, _ b: git_oid?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case var (.some(x), .some(y)): return git_oid_equal(&x, &y) == 1
        default: return false
        }
    }

    private func blob(at path: String, in commit: OpaquePointer) throws -> git_oid? {
        var tree: OpaquePointer?
        try Libgit2.check(git_commit_tree(&tree, commit), "reading a commit's tree")
        defer { git_tree_free(tree) }
        var entry: OpaquePointer?
        guard git_tree_entry_bypath(&entry, tree, path) >= 0, let entry else { return nil }
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return nil }
        return git_tree_entry_id(entry).pointee
    }
}
