import CLibGit2
import Foundation

/// A reference and the object it points at directly (a tag object for an annotated tag).
package struct ReferenceEntry: Sendable, Equatable {
    package let name: String
    package let target: ObjectID
}

/// An annotated tag object, parsed from its raw bytes.
package struct RawTag: Sendable, Equatable {
    package let id: ObjectID
    /// The exact bytes of the tag object (what a signature covers, plus the signature).
    package let raw: Data
    package let object: ObjectID
    package let objectType: String
    /// The `tag` header: the name the tag was created with.
    package let name: String
    package let tagger: Signature?
    /// Everything after the header, signature included.
    package let message: String
}

extension Repository {
    /// The references whose full names start with `prefix` (`refs/tags/folio/`), sorted by name.
    /// (libgit2's globs let `*` cross `/`, so the prefix is matched here.)
    package func references(withPrefix prefix: String) throws -> [ReferenceEntry] {
        var iterator: OpaquePointer?
        try Libgit2.check(git_reference_iterator_new(&iterator, pointer), "listing references")
        defer { git_reference_iterator_free(iterator) }
        var entries: [ReferenceEntry] = []
        var reference: OpaquePointer?
        // The iterator hands over each reference with its target (a lookup by name would
        // stat a loose file per reference first).
        while git_reference_next(&reference, iterator) == 0, let current = reference {
            defer { git_reference_free(current) }
            let text = String(cString: git_reference_name(current))
            guard text.hasPrefix(prefix) else { continue }
            var oid = git_oid()
            if let target = git_reference_target(current) {
                oid = target.pointee
            } else {
                // A symbolic reference: resolve it as a lookup by name would.
                guard git_reference_name_to_id(&oid, pointer, text) == 0 else { continue }
            }
            entries.append(ReferenceEntry(name: text, target: ObjectID(oid)))
        }
        return entries.sorted { $0.name < $1.name }
    }

    /// The object a reference points at, without peeling, or nil if there is no such reference.
    package func referenceTarget(_ name: String) -> ObjectID? {
        var oid = git_oid()
        guard git_reference_name_to_id(&oid, pointer, name) == 0 else { return nil }
        return ObjectID(oid)
    }

    /// Reads the object as an annotated tag, or nil when it is another kind of object
    /// (a lightweight tag points straight at a commit). One read of the object.
    package func annotatedTag(_ id: ObjectID) throws -> RawTag? {
        try withRawObject(id) { type, data in
            type == "tag" ? try RawTag.parse(id: id, raw: data) : nil
        }
    }

    func withRawObject<T>(_ id: ObjectID, _ body: (String, Data) throws -> T) throws -> T {
        var odb: OpaquePointer?
        try Libgit2.check(git_repository_odb(&odb, pointer), "opening the object database")
        defer { git_odb_free(odb) }
        var object: OpaquePointer?
        var oid = id.oid
        guard git_odb_read(&object, odb, &oid) == 0, let object else {
            throw GitError(.pathNotFound, "object \(id.short) is not in \(displayPath)")
        }
        defer { git_odb_object_free(object) }
        let type = String(cString: git_object_type2string(git_odb_object_type(object)))
        let data = Data(bytes: git_odb_object_data(object), count: git_odb_object_size(object))
        return try body(type, data)
    }

    /// Writes an annotated tag object and creates `refs/tags/<name>` pointing at it,
    /// refusing to overwrite: if the reference exists (or another process holds its lock),
    /// throws `.referenceExists` and changes nothing visible (the unreferenced object is harmless).
    @discardableResult
    package func createTag(named name: String, raw: Data) throws -> ObjectID {
        var odb: OpaquePointer?
        try Libgit2.check(git_repository_odb(&odb, pointer), "opening the object database")
        defer { git_odb_free(odb) }
        var oid = git_oid()
        let written = raw.withUnsafeBytes { git_odb_write(&oid, odb, $0.baseAddress, $0.count, GIT_OBJECT_TAG) }
        try Libgit2.check(written, "writing tag \(name)")
        // libgit2 1.5 checks `force: 0` before taking the ref's lock, so two writers can
        // both pass it; an all-zero expected id makes it check again under the lock.
        var reference: OpaquePointer?
        var mustNotExist = git_oid()
        let code = git_reference_create_matching(&reference, pointer, "refs/tags/\(name)", &oid, 0, &mustNotExist, "folio: create \(name)")
        if code == GIT_EEXISTS.rawValue || code == GIT_EMODIFIED.rawValue || code == GIT_ELOCKED.rawValue {
            throw GitError(.referenceExists, "the tag \(name) already exists or is being created", hint: "another promotion took this number; re-read and use the next one")
        }
        try Libgit2.check(code, "creating tag \(name)")
        git_reference_free(reference)
        return ObjectID(oid)
    }

    /// Deletes a tag reference (used only to undo a tag this process created and could not push).
    package func deleteTagReference(_ name: String) throws {
        try Libgit2.check(git_tag_delete(pointer, name), "deleting tag \(name)")
    }

    /// True when `commit` is `tip` or one of its ancestors.
    package func isAncestor(_ commit: ObjectID, of tip: ObjectID) -> Bool {
        if commit == tip { return true }
        var descendant = tip.oid
        var ancestor = commit.oid
        return git_graph_descendant_of(pointer, &descendant, &ancestor) == 1
    }
}

extension RawTag {
    static func parse(id: ObjectID, raw: Data) throws -> RawTag {
        let text = String(decoding: raw, as: UTF8.self)
        guard let split = text.range(of: "\n\n") ?? (text.hasSuffix("\n") ? text.range(of: "\n", options: .backwards) : nil) else {
            throw GitError(.other, "tag \(id.short) has no message")
        }
        var headers: [String: String] = [:]
        for line in text[..<split.lowerBound].split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            headers[String(line[..<space])] = String(line[line.index(after: space)...])
        }
        guard let object = headers["object"].flatMap(ObjectID.init(hex:)), let type = headers["type"], let name = headers["tag"] else {
            throw GitError(.other, "tag \(id.short) is malformed: it lacks object, type or tag")
        }
        return RawTag(
            id: id, raw: raw, object: object, objectType: type, name: name,
            tagger: headers["tagger"].flatMap(Self.parseSignature), message: String(text[split.upperBound...]))
    }

    /// Parses `Name <email> 1700000000 +0100`.
    static func parseSignature(_ text: String) -> Signature? {
        guard let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close else { return nil }
        let name = text[..<open].trimmingCharacters(in: .whitespaces)
        let email = String(text[text.index(after: open)..<close])
        let rest = text[text.index(after: close)...].split(separator: " ")
        guard rest.count == 2, let seconds = Int64(rest[0]), let zone = Int(rest[1].dropFirst()), rest[1].count == 5 else { return nil }
        let sign = rest[1].hasPrefix("-") ? -1 : 1
        let minutes = sign * ((zone / 100) * 60 + zone % 100)
        return Signature(name: name, email: email, date: Date(timeIntervalSince1970: TimeInterval(seconds)), timeZoneOffsetMinutes: minutes)
    }
}

extension Signature {
    /// The `Name <email> <seconds> <±hhmm>` form of git headers.
    package var gitHeader: String {
        let sign = timeZoneOffsetMinutes < 0 ? "-" : "+"
        let offset = abs(timeZoneOffsetMinutes)
        return "\(name) <\(email)> \(Int64(date.timeIntervalSince1970)) \(sign)\(String(format: "%02d%02d", offset / 60, offset % 60))"
    }
}
