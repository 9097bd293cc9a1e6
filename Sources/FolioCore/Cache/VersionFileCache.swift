import Foundation
import FolioGit
import FolioSigning
import Synchronization

/// The version files built before, in `<git dir>/folio/version-files`, keyed by what fixes
/// their bytes: the prompt's blob id, the commit whose partials it uses, its name and
/// version. A rebuild then reads no prompt YAML. Each entry keeps its sha256, and an entry
/// whose bytes no longer match it is built again.
package final class VersionFileCache: Sendable {
    /// One version file and what fixes its bytes.
    struct Record: Codable {
        var key: Key
        var sha256: String
        /// The file's bytes (JSON, so UTF-8 text).
        var text: String

        init(key: Key, sha256: String, bytes: Data) {
            self.key = key
            self.sha256 = sha256
            text = String(decoding: bytes, as: UTF8.self)
        }
    }

    struct Key: Hashable, Comparable, Codable {
        var blob: String
        var commit: String
        var name: String
        var version: String

        init(blob: String, commit: String, name: String, version: String) {
            (self.blob, self.commit, self.name, self.version) = (blob, commit, name, version)
        }

        init(blob: ObjectID, commit: ObjectID, name: String, version: Int) {
            self.init(blob: blob.hex, commit: commit.hex, name: name, version: String(version))
        }

        static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.blob, lhs.commit, lhs.name, lhs.version) < (rhs.blob, rhs.commit, rhs.name, rhs.version)
        }
    }

    private struct State {
        var entries: [Key: (bytes: Data, sha256: String)] = [:]
        /// Entries added since loading, to go at the end of the file.
        var added: [Key] = []
    }

    private let file: CacheFile
    private let state: Mutex<State>
    private let appendable: Bool

    /// - Parameter loading: false for a cache that only adds what is built (a patched
    ///   rebuild makes a few version files and does not read the others).
    package init(gitDirectory: String, loading: Bool = true) {
        file = CacheFile(gitDirectory: gitDirectory, name: "version-files", format: 3)
        guard loading else {
            appendable = file.hasHeader
            state = Mutex(State())
            return
        }
        let loaded = file.load(Record.self)
        appendable = !loaded.isEmpty
        // Checked here, on the prefetch thread: an entry whose bytes do not match is dropped
        // (and a later entry for the same key, appended once it was built again, wins).
        var entries: [Key: (bytes: Data, sha256: String)] = [:]
        for record in loaded {
            let bytes = Data(record.text.utf8)
            if ContentHash.sha256Hex(bytes) == record.sha256 { entries[record.key] = (bytes, record.sha256) }
        }
        state = Mutex(State(entries: entries))
    }

    package func file(blob: ObjectID, commit: ObjectID, name: String, version: Int) -> (bytes: Data, sha256: String)? {
        let key = Key(blob: blob, commit: commit, name: name, version: version)
        return state.withLock { $0.entries[key] }
    }

    package func remember(_ entry: (bytes: Data, sha256: String), blob: ObjectID, commit: ObjectID, name: String, version: Int) {
        let key = Key(blob: blob, commit: commit, name: name, version: version)
        state.withLock { state in
            state.entries[key] = entry
            state.added.append(key)
        }
    }

    package func save() {
        let records: [Record]? = state.withLock { state in
            guard !state.added.isEmpty else { return nil }
            let entries = state.entries
            func record(_ key: Key) -> Record {
                let entry = entries[key]!
                return Record(key: key, sha256: entry.sha256, bytes: entry.bytes)
            }
            defer { state.added = [] }
            return appendable ? state.added.map(record) : entries.keys.sorted().map(record)
        }
        guard let records else { return }
        if appendable { file.append(records) } else { file.save(records) }
    }
}
