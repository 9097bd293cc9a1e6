import Foundation
import FolioSigning
import Synchronization

/// What `ManifestBuilder.write` left in a `dist/` folder, as git's index keeps for a work
/// tree: per file, the sha256 of the bytes written and the file's `lstat` right after
/// (size, inode, mtime and ctime to the nanosecond). A rebuild that would write the same
/// bytes to a file whose `lstat` is unchanged leaves it without reading it; anything else
/// (no record, another stat, other bytes) falls back to reading and comparing, and so does
/// a file whose stamp falls in the tick the record was saved in (git's "racily clean"). Kept in
/// `<git dir>/folio/written-<hash of the folder's path>`, never inside `dist/`. Loading
/// it `lstat`s every recorded file, so it can run on the prefetch thread during a build.
package final class WrittenFiles: Sendable {
    struct Stamp: Equatable, Codable {
        /// A file time to the nanosecond.
        struct Time: Equatable, Comparable, Codable {
            var seconds: Int
            var nanoseconds: Int

            init(_ time: timespec) { (seconds, nanoseconds) = (time.tv_sec, time.tv_nsec) }

            static func < (lhs: Time, rhs: Time) -> Bool { (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds) }
        }

        var size: Int64
        var inode: UInt64
        var modified: Time
        var changed: Time

        init?(path: String) {
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
            size = Int64(info.st_size)
            inode = UInt64(info.st_ino)
            modified = Time(info.st_mtim)
            changed = Time(info.st_ctim)
        }

        private init(size: Int64) {
            self.size = size
            inode = 0
            modified = Time(timespec())
            changed = modified
        }

        /// A stamp no file has (a negative size).
        static let smudged = Stamp(size: -1)
    }

    /// One line of the record: a file, the sha256 of what was written, its stamp then.
    struct Line: Codable {
        var path: String
        var digest: String
        var stamp: Stamp
    }

    /// What is known of the folder, behind one lock (a build hands the loaded record from
    /// the prefetch thread to the main thread).
    private struct State {
        /// Path relative to the folder → (sha256 of what was written, its stamp then).
        var records: [String: (digest: String, stamp: Stamp)] = [:]
        /// Lines in the file (a path recorded again is appended; the last line wins).
        var lines = 0
        var appended: [String] = []
        /// The recorded files whose stamp has not changed since, with their digest.
        var intact: [String: String] = [:]
        var changed = false
        /// Recorded files whose stamp cannot be trusted (see `init`), with the digest
        /// recorded: recorded again once checked.
        var racy: [String: String] = [:]
    }

    private let file: CacheFile
    /// Where the record is kept.
    package var url: URL { file.url }
    private let folder: String
    private let state: Mutex<State>

    /// The record of `folder`.
    package static func file(gitDirectory: String, folder: URL) -> CacheFile {
        let name = "written-" + ContentHash.sha256Hex(Data(folder.standardizedFileURL.path.utf8)).prefix(16)
        return CacheFile(gitDirectory: gitDirectory, name: name, format: 2)
    }

    package init(gitDirectory: String, folder: URL) {
        self.folder = folder.standardizedFileURL.path
        file = Self.file(gitDirectory: gitDirectory, folder: folder)
        // Racily clean, as git says: a file modified in the same clock tick as the record
        // was saved may have been changed after it without its stamp showing it (file
        // times move in ticks of a few milliseconds), so it is read and compared.
        var saved = stat()
        let savedAt = stat(file.url.path, &saved) == 0 ? Stamp.Time(saved.st_mtim) : Stamp.Time(timespec(tv_sec: Int.max, tv_nsec: 0))
        let loaded = file.load(Line.self)
        var state = State()
        state.lines = loaded.count
        for line in loaded {
            let stamp = line.stamp
            state.records[line.path] = (line.digest, stamp)
            // The last line for a path decides (a path written again is appended).
            let racy = stamp.modified >= savedAt || stamp.changed >= savedAt
            state.racy[line.path] = racy ? line.digest : nil
            state.intact[line.path] = !racy && Stamp(path: self.folder + "/" + line.path) == stamp ? line.digest : nil
        }
        self.state = Mutex(state)
    }

    /// Whether the file at `path` still holds what was written with this digest (as of
    /// loading: a build reads its files from git, never from `dist/`).
    package func unchanged(_ path: String, digest: String) -> Bool {
        state.withLock { $0.intact[path] == digest }
    }

    /// Whether the file at `path` is known to hold other bytes than these (written with
    /// another digest and untouched since): no need to read it to know it must be replaced.
    package func differs(_ path: String, digest: String) -> Bool {
        // A racily clean file holds what was recorded or was changed since: either way, bytes
        // other than new ones (at worst the same bytes are written again).
        state.withLock { ($0.intact[path] ?? $0.racy[path]).map { $0 != digest } ?? false }
    }

    /// Records what was just written (or found in place) at `path`.
    package func record(_ path: String, digest: String) {
        let stamp = Stamp(path: folder + "/" + path)
        state.withLock { state in
            guard let stamp else {
                if state.records.removeValue(forKey: path) != nil { state.changed = true }
                return
            }
            if let known = state.records[path], known.digest == digest, known.stamp == stamp, state.racy[path] == nil { return }
            state.racy[path] = nil
            state.records[path] = (digest, stamp)
            state.appended.append(path)
            state.changed = true
        }
    }

    /// Appends what changed (a rebuild after one promotion changes a few files), or writes
    /// the file anew when there was none or appended lines outnumber the files.
    package func save() {
        enum Write { case none, append([Line]), replace([Line]) }
        let write: Write = state.withLock { state in
            guard state.changed else { return .none }
            // Racily clean records not checked since would pass for clean once the record is
            // saved in a later tick: they are saved with a stamp no file has (git smudges them
            // the same way), so the next build reads and compares those files.
            for path in state.racy.keys.sorted() {
                guard let known = state.records[path] else { continue }
                state.records[path] = (known.digest, Stamp.smudged)
                state.appended.append(path)
            }
            state.racy = [:]
            let records = state.records
            func line(_ path: String) -> Line {
                let record = records[path]!
                return Line(path: path, digest: record.digest, stamp: record.stamp)
            }
            defer {
                state.appended = []
                state.changed = false
            }
            if state.lines > 0, state.lines + state.appended.count < 2 * records.count + 64 {
                state.lines += state.appended.count
                return .append(state.appended.map(line))
            }
            state.lines = records.count
            return .replace(records.keys.sorted().map(line))
        }
        switch write {
        case .none: break
        case .append(let lines): file.append(lines)
        case .replace(let lines): file.save(lines)
        }
    }
}
