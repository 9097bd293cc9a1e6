import CLibGit2

extension Repository {
    /// The paths whose blobs differ between the commits `old` and `new` name
    /// (a tree-to-tree diff, with rename detection), sorted by new path.
    package func changedPaths(from old: String, to new: String) throws -> [ChangedPath] {
        let oldCommit = try resolveCommit(old)
        let newCommit = try resolveCommit(new)
        let oldTree = try commit(oldCommit).tree
        let newTree = try commit(newCommit).tree
        return try withTree(oldTree) { oldPointer in
            try withTree(newTree) { newPointer in
                var options = git_diff_options()
                git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION))
                var diff: OpaquePointer?
                try Libgit2.check(
                    git_diff_tree_to_tree(&diff, pointer, oldPointer, newPointer, &options),
                    "diffing \(old) and \(new)"
                )
                defer { git_diff_free(diff) }
                var find = git_diff_find_options()
                git_diff_find_options_init(&find, UInt32(GIT_DIFF_FIND_OPTIONS_VERSION))
                find.flags = GIT_DIFF_FIND_RENAMES.rawValue
                try Libgit2.check(git_diff_find_similar(diff, &find), "finding renames between \(old) and \(new)")
                return (0..<git_diff_num_deltas(diff)).compactMap { index in
                    guard let delta = git_diff_get_delta(diff, index)?.pointee else { return nil }
                    return ChangedPath(
                        status: Repository.status(delta.status),
                        oldPath: String(cString: delta.old_file.path),
                        newPath: String(cString: delta.new_file.path)
                    )
                }.sorted { $0.newPath < $1.newPath }
            }
        }
    }

    private static func status(_ delta: git_delta_t) -> ChangedPath.Status {
        switch delta {
        case GIT_DELTA_ADDED: return .added
        case GIT_DELTA_DELETED: return .deleted
        case GIT_DELTA_RENAMED: return .renamed
        case GIT_DELTA_COPIED: return .copied
        case GIT_DELTA_TYPECHANGE: return .typeChanged
        default: return .modified
        }
    }
}

extension Repository {
    /// The best common ancestor of two commits (what a pull request is compared with, as
    /// in `git diff base...head`); nil when they share no history.
    package func mergeBase(_ one: String, _ two: String) throws -> ObjectID? {
        var first = try resolveCommit(one).oid
        var second = try resolveCommit(two).oid
        var result = git_oid()
        let status = git_merge_base(&result, pointer, &first, &second)
        if status == GIT_ENOTFOUND.rawValue { return nil }
        try Libgit2.check(status, "finding the merge base of \(one) and \(two)")
        return ObjectID(result)
    }
}
