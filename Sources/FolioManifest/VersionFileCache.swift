import Foundation
import FolioCore
import FolioGit
import FolioSigning
import Synchronization

/// The version files built before, in `<git dir>/folio/version-files`, keyed by what fixes
/// their bytes: the prompt's blob id, the commit whose partials it uses, its name and
/// version. A rebuild then reads no prompt YAML. Each entry keeps its sha256, and an entry
/// whose bytes no longer match it is built again.
final class VersionFileCache: Sendable {
    private struct State {
        var entries: [String: (bytes: Data, sha256: String)] = [:]
        /// Entries added since loading, to go at the end of the file.
        var added: [String] = []
    }

    private let file: CacheFile
    private let state: Mutex<State>
    private let appendable: Bool

    /// - Parameter loading: false for a cache that only adds what is built (a patched
    ///   rebuild makes a few version files and does not read the others).
    init(gitDirectory: String, loading: Bool = true) {
        file = CacheFile(gitDirectory: gitDirectory, name: "version-files", format: 2)  // 2: only versions that pass lint
        guard loading else {
            appendable = FileManager.default.fileExists(atPath: file.url.path)
            state = Mutex(State())
            return
        }
        let loaded = file.load()
        appendable = !loaded.isEmpty
        // Checked here, on the prefetch thread: an entry whose bytes do not match is dropped
        // (and a later entry for the same key, appended once it was built again, wins).
        var entries: [String: (bytes: Data, sha256: String)] = [:]
        for record in loaded where record.count == 6 {
            let bytes = Data(record[5].utf8)
            guard ContentHash.sha256Hex(bytes) == record[4] else { continue }
            entries[Self.key(record[0], record[1], record[2], record[3])] = (bytes, record[4])
        }
        state = Mutex(State(entries: entries))
    }

    func file(blob: ObjectID, commit: ObjectID, name: String, version: Int) -> (bytes: Data, sha256: String)? {
        let key = Self.key(blob.hex, commit.hex, name, String(version))
        return state.withLock { $0.entries[key] }
    }

    func remember(_ entry: (bytes: Data, sha256: String), blob: ObjectID, commit: ObjectID, name: String, version: Int) {
        let key = Self.key(blob.hex, commit.hex, name, String(version))
        state.withLock { state in
            state.entries[key] = entry
            state.added.append(key)
        }
    }

    func save() {
        let records: [[String]]? = state.withLock { state in
            guard !state.added.isEmpty else { return nil }
            let entries = state.entries
            func record(_ key: String) -> [String] {
                let entry = entries[key]!
                return key.split(separator: " ").map(String.init) + [entry.sha256, String(decoding: entry.bytes, as: UTF8.self)]
            }
            defer { state.added = [] }
            return appendable ? state.added.map(record) : entries.keys.sorted().map(record)
        }
        guard let records else { return }
        if appendable { file.append(records) } else { file.save(records) }
    }

    private static func key(_ blob: String, _ commit: String, _ name: String, _ version: String) -> String {
        "\(blob) \(commit) \(name) \(version)"
    }
}
