import CLibGit2

extension Repository {
    /// Walks the first-parent history from `revision` and reports, oldest first, each
    /// commit where the blob at `path` differs from its first parent's (added, changed
    /// or deleted).
    package func firstParentChanges(of path: String, from revision: String) throws -> [PathChange] {
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

extension Repository {
    /// Like `firstParentChanges(of:from:)` for every file directly inside `folder`, in one
    /// walk: per commit, the folder's tree is compared with the parent's entry by entry
    /// (both are sorted), so the cost does not grow with the number of files asked about.
    /// Returns each file's changes, oldest first, keyed by file name.
    package func firstParentChanges(inFolder folder: String, from revision: String) throws -> [String: [PathChange]] {
        try firstParentChanges(inFolder: folder, from: revision, since: nil).changes
    }

    /// `firstParentChanges(inFolder:from:)` of the commits after `since` only, when it is on
    /// the first-parent chain (`reached`): what a walk from `since` found is then still
    /// true, and this is the rest. Otherwise (`reached` false) the changes of the whole chain.
    package func firstParentChanges(
        inFolder folder: String, from revision: String, since: ObjectID?
    ) throws
        -> (changes: [String: [PathChange]], reached: Bool)
    {
        let tip = try resolveCommit(revision)
        let stop = since?.oid
        var reached = false
        var odb: OpaquePointer?
        try Libgit2.check(git_repository_odb(&odb, pointer), "opening the object database")
        defer { git_odb_free(odb) }
        var lookup = TreePathLookup(odb: odb!, path: folder, lastIsTree: true)
        var found: [String: [(commit: git_oid, blob: git_oid?)]] = [:]
        var current: git_oid? = tip.oid
        var currentLinks = try lookup.commitLinks(tip.oid)
        var currentFolder = try lookup.blob(inRoot: currentLinks.tree)
        var currentTree = try currentFolder.map { try lookup.rawTree($0) }
        while let commit = current {
            if let stop, TreePathLookup.equal(commit, stop) {
                reached = true
                break
            }
            let parent = currentLinks.firstParent
            var parentLinks: (tree: git_oid, firstParent: git_oid?)?
            var parentFolder: git_oid?
            var parentTree: RawTree?
            if let parent {
                parentLinks = try lookup.commitLinks(parent)
                parentFolder = try lookup.blob(inRoot: parentLinks!.tree)
                if let parentFolder, let currentFolder, TreePathLookup.equal(parentFolder, currentFolder) {
                    parentTree = currentTree
                } else if let parentFolder {
                    parentTree = try lookup.rawTree(parentFolder)
                }
            }
            let empty = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
            if parentTree !== currentTree {
                for (name, blob) in TreePathLookup.differences(currentTree?.bytes ?? empty, parentTree?.bytes ?? empty) {
                    found[name, default: []].append((commit, blob))
                }
            }
            current = parent
            if let parentLinks { currentLinks = parentLinks }
            currentFolder = parentFolder
            currentTree = parentTree
        }
        var commits: [git_oid: Commit] = [:]
        var result: [String: [PathChange]] = [:]
        for (name, changes) in found {
            result[name] = try changes.reversed().map { change in
                let value: Commit
                if let cached = commits[change.commit] {
                    value = cached
                } else {
                    value = try commit(ObjectID(change.commit))
                    commits[change.commit] = value
                }
                return PathChange(commit: value, blob: change.blob.map(ObjectID.init))
            }
        }
        return (result, reached)
    }

    /// Whether `ancestor` is `tip` or on its first-parent chain (commit headers only).
    package func isFirstParentAncestor(_ ancestor: ObjectID, of tip: ObjectID) throws -> Bool {
        var odb: OpaquePointer?
        try Libgit2.check(git_repository_odb(&odb, pointer), "opening the object database")
        defer { git_odb_free(odb) }
        let lookup = TreePathLookup(odb: odb!, path: "")
        let target = ancestor.oid
        var current: git_oid? = tip.oid
        while let commit = current {
            if TreePathLookup.equal(commit, target) { return true }
            current = try lookup.commitLinks(commit).firstParent
        }
        return false
    }
}

extension git_oid: @retroactive Hashable, @retroactive Equatable {
    public static func == (lhs: git_oid, rhs: git_oid) -> Bool { TreePathLookup.equal(lhs, rhs) }

    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes(of: id) { hasher.combine(bytes: $0) }
    }
}
