import Foundation
import FolioCore
import FolioSigning

/// What `ManifestBuilder.write` left in a `dist/` folder, as git's index keeps for a work
/// tree: per file, the sha256 of the bytes written and the file's `lstat` right after
/// (size, inode, mtime and ctime to the nanosecond). A rebuild that would write the same
/// bytes to a file whose `lstat` is unchanged leaves it without reading it; anything else
/// (no record, another stat, other bytes) falls back to reading and comparing. Kept in
/// `<git dir>/folio/written-<hash of the folder's path>`, never inside `dist/`. Loading
/// it `lstat`s every recorded file, so it can run on the prefetch thread during a build.
final class WrittenFiles: @unchecked Sendable {
    struct Stamp: Equatable {
        let size: Int64
        let inode: UInt64
        let modified: (Int, Int)
        let changed: (Int, Int)

        static func == (lhs: Stamp, rhs: Stamp) -> Bool {
            lhs.size == rhs.size && lhs.inode == rhs.inode && lhs.modified == rhs.modified && lhs.changed == rhs.changed
        }

        init?(path: String) {
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
            size = Int64(info.st_size)
            inode = UInt64(info.st_ino)
            modified = (info.st_mtim.tv_sec, info.st_mtim.tv_nsec)
            changed = (info.st_ctim.tv_sec, info.st_ctim.tv_nsec)
        }

        init?(_ fields: ArraySlice<String>) {
            let numbers = fields.compactMap { Int64($0) }
            guard numbers.count == 6 else { return nil }
            size = numbers[0]
            inode = UInt64(bitPattern: numbers[1])
            modified = (Int(numbers[2]), Int(numbers[3]))
            changed = (Int(numbers[4]), Int(numbers[5]))
        }

        var fields: [String] {
            [String(size), String(Int64(bitPattern: inode)), String(modified.0), String(modified.1), String(changed.0), String(changed.1)]
        }
    }

    private let file: CacheFile
    private let folder: String
    /// Path relative to the folder → (sha256 of what was written, its stamp then).
    private var records: [String: (digest: String, stamp: Stamp)] = [:]
    /// The recorded files whose stamp has not changed since, with their digest.
    private var intact: [String: String] = [:]
    private var changed = false

    init(gitDirectory: String, folder: URL) {
        self.folder = folder.standardizedFileURL.path
        let name = "written-" + ContentHash.sha256Hex(Data(self.folder.utf8)).prefix(16)
        file = CacheFile(gitDirectory: gitDirectory, name: name, format: 1)
        for record in file.load() where record.count == 8 {
            guard let stamp = Stamp(record[2...]) else { continue }
            records[record[0]] = (record[1], stamp)
            if Stamp(path: self.folder + "/" + record[0]) == stamp { intact[record[0]] = record[1] }
        }
    }

    /// Whether the file at `path` still holds what was written with this digest (as of
    /// loading: a build reads its files from git, never from `dist/`).
    func unchanged(_ path: String, digest: String) -> Bool {
        intact[path] == digest
    }

    /// Records what was just written (or found in place) at `path`.
    func record(_ path: String, digest: String) {
        guard let stamp = Stamp(path: folder + "/" + path) else {
            if records.removeValue(forKey: path) != nil { changed = true }
            return
        }
        if let known = records[path], known.digest == digest, known.stamp == stamp { return }
        records[path] = (digest, stamp)
        changed = true
    }

    func save() {
        guard changed else { return }
        file.save(records.keys.sorted().map { path in
            let record = records[path]!
            return [path, record.digest] + record.stamp.fields
        })
    }
}
