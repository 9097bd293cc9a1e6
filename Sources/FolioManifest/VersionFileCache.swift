import Foundation
import FolioCore
import FolioGit
import FolioSigning

/// The version files built before, in `<git dir>/folio/version-files`, keyed by what fixes
/// their bytes: the prompt's blob id, the commit whose partials it uses, its name and
/// version. A rebuild then reads no prompt YAML. Each entry keeps its sha256, and an entry
/// whose bytes no longer match it is built again.
final class VersionFileCache: @unchecked Sendable {
    private let file: CacheFile
    private var entries: [String: (bytes: Data, sha256: String)] = [:]
    /// Entries added since loading, to go at the end of the file.
    private var added: [String] = []
    private var appendable = false

    /// - Parameter loading: false for a cache that only adds what is built (a patched
    ///   rebuild makes a few version files and does not read the others).
    init(gitDirectory: String, loading: Bool = true) {
        file = CacheFile(gitDirectory: gitDirectory, name: "version-files", format: 2) // 2: only versions that pass lint
        guard loading else {
            appendable = FileManager.default.fileExists(atPath: file.url.path)
            return
        }
        let loaded = file.load()
        appendable = !loaded.isEmpty
        // Checked here, on the prefetch thread: an entry whose bytes do not match is dropped
        // (and a later entry for the same key, appended once it was built again, wins).
        for record in loaded where record.count == 6 {
            let bytes = Data(record[5].utf8)
            guard ContentHash.sha256Hex(bytes) == record[4] else { continue }
            entries[Self.key(record[0], record[1], record[2], record[3])] = (bytes, record[4])
        }
    }

    func file(blob: ObjectID, commit: ObjectID, name: String, version: Int) -> (bytes: Data, sha256: String)? {
        entries[Self.key(blob.hex, commit.hex, name, String(version))]
    }

    func remember(_ entry: (bytes: Data, sha256: String), blob: ObjectID, commit: ObjectID, name: String, version: Int) {
        let key = Self.key(blob.hex, commit.hex, name, String(version))
        entries[key] = entry
        added.append(key)
    }

    func save() {
        guard !added.isEmpty else { return }
        func record(_ key: String) -> [String] {
            let entry = entries[key]!
            return key.split(separator: " ").map(String.init) + [entry.sha256, String(decoding: entry.bytes, as: UTF8.self)]
        }
        if appendable {
            file.append(added.map(record))
        } else {
            file.save(entries.keys.sorted().map(record))
        }
        added = []
    }

    private static func key(_ blob: String, _ commit: String, _ name: String, _ version: String) -> String {
        "\(blob) \(commit) \(name) \(version)"
    }
}
