import CLibGit2
import Foundation

/// Finds the blob at a path by scanning raw tree objects from the object database,
/// without building libgit2 tree objects, and remembers each level's tree id so a
/// walk over many commits reads only the trees that changed.
struct TreePathLookup {
    private let odb: OpaquePointer
    private let components: [[UInt8]]
    /// For each level: the tree id last looked up there, and what it led to.
    private var cache: [(tree: git_oid, result: git_oid?)?]

    private let lastIsTree: Bool

    /// - Parameter lastIsTree: look up a folder rather than a file at `path`.
    init(odb: OpaquePointer, path: String, lastIsTree: Bool = false) {
        self.odb = odb
        self.components = path.split(separator: "/").map { Array($0.utf8) }
        self.cache = Array(repeating: nil, count: components.count)
        self.lastIsTree = lastIsTree
    }

    /// The blob id at the path inside the root tree `root`, or nil.
    mutating func blob(inRoot root: git_oid) throws -> git_oid? {
        var tree = root
        for level in components.indices {
            let wantTree = level < components.count - 1 || lastIsTree
            let found: git_oid?
            if let cached = cache[level], TreePathLookup.equal(cached.tree, tree) {
                found = cached.result
            } else {
                found = try entry(named: components[level], wantTree: wantTree, in: tree)
                cache[level] = (tree, found)
            }
            guard let next = found else { return nil }
            if level == components.count - 1 { return next }
            tree = next
        }
        return nil
    }

    private func entry(named name: [UInt8], wantTree: Bool, in tree: git_oid) throws -> git_oid? {
        var result: git_oid?
        try forEachEntry(of: tree) { entryName, isTree, id in
            // Entries are sorted as if folder names ended in "/": stop once past the name.
            let order = TreePathLookup.compare(entryName, isTree, name, wantTree)
            if order == 0 { result = id }
            return order < 0
        }
        return result
    }

    /// The files (not folders) of a raw tree, in the tree's order.
    func fileEntries(of tree: git_oid) throws -> [(name: [UInt8], blob: git_oid)] {
        var entries: [(name: [UInt8], blob: git_oid)] = []
        try forEachEntry(of: tree) { name, isTree, id in
            if !isTree { entries.append((Array(name), id)) }
            return true
        }
        return entries
    }

    /// Calls `body` with each entry of a raw tree object (`<octal mode> <name>\0<20-byte id>`)
    /// until it returns false; a truncated entry ends the scan.
    private func forEachEntry(of tree: git_oid, _ body: (UnsafeBufferPointer<UInt8>, Bool, git_oid) -> Bool) throws {
        var object: OpaquePointer?
        var oid = tree
        try Libgit2.check(git_odb_read(&object, odb, &oid), "reading tree \(ObjectID(tree).short)")
        defer { git_odb_object_free(object) }
        let size = git_odb_object_size(object)
        guard let data = git_odb_object_data(object) else { return }
        let bytes = UnsafeRawBufferPointer(start: data, count: size).bindMemory(to: UInt8.self)
        var index = 0
        while index < size {
            let modeStart = index
            while index < size, bytes[index] != 0x20 { index += 1 }
            let isTree = index - modeStart == 5 && bytes[modeStart] == UInt8(ascii: "4")
            index += 1
            let nameStart = index
            while index < size, bytes[index] != 0 { index += 1 }
            let nameEnd = index
            index += 1
            guard index + 20 <= size else { return }
            var id = git_oid()
            withUnsafeMutableBytes(of: &id.id) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[index..<(index + 20)])) }
            guard body(UnsafeBufferPointer(rebasing: bytes[nameStart..<nameEnd]), isTree, id) else { return }
            index += 20
        }
    }

    /// The files whose blob differs between two sorted entry lists: (name, blob in `new`,
    /// nil when `new` lacks the file).
    static func differences(_ new: [(name: [UInt8], blob: git_oid)], _ old: [(name: [UInt8], blob: git_oid)]) -> [(String, git_oid?)] {
        var result: [(String, git_oid?)] = []
        var i = 0, j = 0
        while i < new.count || j < old.count {
            if j == old.count || (i < new.count && new[i].name.lexicographicallyPrecedes(old[j].name)) {
                result.append((String(decoding: new[i].name, as: UTF8.self), new[i].blob)); i += 1
            } else if i == new.count || old[j].name.lexicographicallyPrecedes(new[i].name) {
                result.append((String(decoding: old[j].name, as: UTF8.self), nil)); j += 1
            } else {
                if !equal(new[i].blob, old[j].blob) { result.append((String(decoding: new[i].name, as: UTF8.self), new[i].blob)) }
                i += 1; j += 1
            }
        }
        return result
    }

    /// Compares two entry names in git's tree order (a folder's name sorts as if it
    /// ended in "/"); 0 only when name and kind both match.
    static func compare(_ a: UnsafeBufferPointer<UInt8>, _ aIsTree: Bool, _ b: [UInt8], _ bIsTree: Bool) -> Int {
        let common = min(a.count, b.count)
        let prefix = b.withUnsafeBufferPointer { memcmp(a.baseAddress!, $0.baseAddress!, common) }
        if prefix != 0 { return Int(prefix) }
        let aNext: UInt8 = a.count > common ? a[common] : (aIsTree ? UInt8(ascii: "/") : 0)
        let bNext: UInt8 = b.count > common ? b[common] : (bIsTree ? UInt8(ascii: "/") : 0)
        if aNext != bNext { return Int(aNext) - Int(bNext) }
        if a.count == b.count { return aIsTree == bIsTree ? 0 : (aIsTree ? 1 : -1) }
        return a.count < b.count ? -1 : 1
    }

    /// The tree and first parent of a commit, read from its raw header.
    func commitLinks(_ commit: git_oid) throws -> (tree: git_oid, firstParent: git_oid?) {
        var object: OpaquePointer?
        var oid = commit
        try Libgit2.check(git_odb_read(&object, odb, &oid), "reading commit \(ObjectID(commit).short)")
        defer { git_odb_object_free(object) }
        let size = git_odb_object_size(object)
        guard git_odb_object_type(object) == GIT_OBJECT_COMMIT, let data = git_odb_object_data(object) else {
            throw GitError(.other, "\(ObjectID(commit).short) is not a commit")
        }
        let bytes = UnsafeRawBufferPointer(start: data, count: size)
        // "tree <40 hex>\n" then optional "parent <40 hex>\n" lines.
        guard size >= 46, bytes.starts(with: "tree ".utf8) else {
            throw GitError(.other, "commit \(ObjectID(commit).short) has no tree header")
        }
        var tree = git_oid()
        try Libgit2.check(git_oid_fromstrn(&tree, data.assumingMemoryBound(to: CChar.self) + 5, 40), "parsing commit \(ObjectID(commit).short)")
        var parent: git_oid?
        if size >= 46 + 48, bytes[46..<53].elementsEqual("parent ".utf8) {
            var value = git_oid()
            try Libgit2.check(git_oid_fromstrn(&value, data.assumingMemoryBound(to: CChar.self) + 53, 40), "parsing commit \(ObjectID(commit).short)")
            parent = value
        }
        return (tree, parent)
    }

    static func equal(_ a: git_oid, _ b: git_oid) -> Bool {
        var a = a, b = b
        return git_oid_equal(&a, &b) == 1
    }
}
