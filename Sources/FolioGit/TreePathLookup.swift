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

    /// A tree object's raw bytes, kept to compare with the next commit's.
    func rawTree(_ tree: git_oid) throws -> RawTree {
        var object: OpaquePointer?
        var oid = tree
        try Libgit2.check(git_odb_read(&object, odb, &oid), "reading tree \(ObjectID(tree).short)")
        return RawTree(object: object!)
    }

    /// Calls `body` with each entry of a raw tree object (`<octal mode> <name>\0<20-byte id>`)
    /// until it returns false; a truncated entry ends the scan.
    private func forEachEntry(of tree: git_oid, _ body: (UnsafeBufferPointer<UInt8>, Bool, git_oid) -> Bool) throws {
        let raw = try rawTree(tree)
        var index = 0
        while let entry = Self.nextEntry(raw.bytes, &index), body(entry.name, entry.isTree, entry.id) {}
    }

    /// The files (not folders) whose blob differs between two raw trees: (name, blob in
    /// `new`, nil when `new` lacks the file). The bytes both trees start with are skipped
    /// with `memcmp`, and so is the rest once they agree again: a commit that changes one
    /// file of 2,000 costs two comparisons of memory, not 2,000 entries parsed.
    static func differences(_ new: UnsafeBufferPointer<UInt8>, _ old: UnsafeBufferPointer<UInt8>) -> [(String, git_oid?)] {
        var result: [(String, git_oid?)] = []
        var i = entryStart(new, containing: commonPrefix(new, old)), j = i
        var x = nextFile(new, &i), y = nextFile(old, &j)
        while x != nil || y != nil {
            if let a = x, y.map({ precedes(a.name, $0.name) }) ?? true {
                result.append((String(decoding: a.name, as: UTF8.self), a.id))
                x = nextFile(new, &i)
            } else if let b = y, x.map({ precedes(b.name, $0.name) }) ?? true {
                result.append((String(decoding: b.name, as: UTF8.self), nil))
                y = nextFile(old, &j)
            } else if let a = x, let b = y {
                let differ = !equal(a.id, b.id)
                if differ { result.append((String(decoding: a.name, as: UTF8.self), a.id)) }
                x = nextFile(new, &i)
                y = nextFile(old, &j)
                guard differ else { continue }
            }
            // After a difference: if what is left of both is the same, nothing else differs.
            if let a = x, let b = y, new.count - a.start == old.count - b.start,
                memcmp(new.baseAddress! + a.start, old.baseAddress! + b.start, new.count - a.start) == 0
            {
                break
            }
        }
        return result
    }

    /// How many bytes two buffers start with in common.
    static func commonPrefix(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let count = min(a.count, b.count)
        var same = 0
        while same + 4096 <= count, memcmp(a.baseAddress! + same, b.baseAddress! + same, 4096) == 0 { same += 4096 }
        while same < count, a[same] == b[same] { same += 1 }
        return same
    }

    /// The offset of the entry of a raw tree that holds byte `offset` (the tree's end when
    /// `offset` is past its last entry).
    static func entryStart(_ tree: UnsafeBufferPointer<UInt8>, containing offset: Int) -> Int {
        var index = 0
        while index < tree.count {
            var next = index
            guard nextEntry(tree, &next) != nil, next <= offset else { return index }
            index = next
        }
        return index
    }

    /// The entry at `index` (mode, name, id), moving `index` past it; nil at the end or
    /// for a truncated entry.
    static func nextEntry(_ tree: UnsafeBufferPointer<UInt8>, _ index: inout Int) -> (start: Int, isTree: Bool, name: UnsafeBufferPointer<UInt8>, id: git_oid)? {
        let start = index
        guard start < tree.count, let space = memchr(tree.baseAddress! + start, 0x20, tree.count - start) else { return nil }
        let nameStart = UnsafeRawPointer(space) - UnsafeRawPointer(tree.baseAddress!) + 1
        guard nameStart < tree.count, let nul = memchr(tree.baseAddress! + nameStart, 0, tree.count - nameStart) else { return nil }
        let nameEnd = UnsafeRawPointer(nul) - UnsafeRawPointer(tree.baseAddress!)
        guard nameEnd + 21 <= tree.count else { return nil }
        var id = git_oid()
        withUnsafeMutableBytes(of: &id.id) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(tree)[(nameEnd + 1)..<(nameEnd + 21)])) }
        index = nameEnd + 21
        let isTree = nameStart - 1 - start == 5 && tree[start] == UInt8(ascii: "4")
        return (start, isTree, UnsafeBufferPointer(rebasing: tree[nameStart..<nameEnd]), id)
    }

    /// The next entry that is a file, skipping folders.
    private static func nextFile(_ tree: UnsafeBufferPointer<UInt8>, _ index: inout Int) -> (start: Int, name: UnsafeBufferPointer<UInt8>, id: git_oid)? {
        while let entry = nextEntry(tree, &index) {
            if !entry.isTree { return (entry.start, entry.name, entry.id) }
        }
        return nil
    }

    /// Byte order of names, a prefix first.
    private static func precedes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let order = memcmp(a.baseAddress!, b.baseAddress!, min(a.count, b.count))
        return order != 0 ? order < 0 : a.count < b.count
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

/// A raw object read from the object database, freed with its last reference.
final class RawTree {
    private let object: OpaquePointer
    let bytes: UnsafeBufferPointer<UInt8>

    init(object: OpaquePointer) {
        self.object = object
        let size = git_odb_object_size(object)
        let data = git_odb_object_data(object)
        bytes = data.map { UnsafeBufferPointer(start: $0.assumingMemoryBound(to: UInt8.self), count: size) } ?? UnsafeBufferPointer(start: nil, count: 0)
    }

    deinit { git_odb_object_free(object) }
}
