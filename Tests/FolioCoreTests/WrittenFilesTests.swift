import Foundation
@testable import FolioCore
import Testing

/// `WrittenFiles` trusts a file whose `lstat` is the one recorded, as git's index does, and
/// as git does it distrusts a file modified in the clock tick the record was saved in:
/// a change in that tick can leave the stamp as it was.
struct WrittenFilesTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("folio-written-\(UUID())")
    var gitDirectory: String { root.appendingPathComponent("git").path }
    var folder: URL { root.appendingPathComponent("dist") }

    /// Sets a file's modification time (and so, by the change, its ctime to now).
    func setModified(_ path: String, to time: timespec) {
        var times = [time, time]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
    }

    func modified(_ path: String) -> timespec {
        var info = stat()
        _ = stat(path, &info)
        return info.st_mtim
    }

    @Test func aFileModifiedInTheTickItsRecordWasSavedInIsReadAgain() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let file = folder.appendingPathComponent("a.json").path
        try Data("one".utf8).write(to: URL(fileURLWithPath: file))
        setModified(file, to: timespec(tv_sec: 1_000_000, tv_nsec: 0))
        let first = WrittenFiles(gitDirectory: gitDirectory, folder: folder)
        first.record("a.json", digest: "d1")
        first.save()
        let later = timespec(tv_sec: time(nil) + 10, tv_nsec: 0)

        // The record saved ticks after the file last changed: trusted.
        setModified(first.url.path, to: later)
        #expect(WrittenFiles(gitDirectory: gitDirectory, folder: folder).unchanged("a.json", digest: "d1"))

        // The record saved in the tick of the file's last change: not trusted, though the
        // stamp is the one recorded.
        setModified(first.url.path, to: modified(file))
        let racy = WrittenFiles(gitDirectory: gitDirectory, folder: folder)
        #expect(!racy.unchanged("a.json", digest: "d1"))  // the same bytes: read and compared
        #expect(!racy.differs("a.json", digest: "d1"))
        #expect(racy.differs("a.json", digest: "d2"))  // other bytes: written without reading

        // Once checked, it is recorded again, so the record is saved anew (and, from a later
        // tick, trusted again).
        racy.record("a.json", digest: "d1")
        racy.save()
        #expect(modified(first.url.path).tv_sec > 1_000_000)
        setModified(first.url.path, to: later)
        #expect(WrittenFiles(gitDirectory: gitDirectory, folder: folder).unchanged("a.json", digest: "d1"))
    }

    /// A racily clean record that nobody checked must not pass for clean just because the
    /// record was saved again, later, for another file.
    @Test func aRacyRecordNotCheckedStaysUntrustedAfterALaterSave() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let old = timespec(tv_sec: 1_000_000, tv_nsec: 0)
        for name in ["a.json", "b.json", "c.json"] {
            try Data(name.utf8).write(to: folder.appendingPathComponent(name))
            setModified(folder.appendingPathComponent(name).path, to: old)
        }
        let first = WrittenFiles(gitDirectory: gitDirectory, folder: folder)
        for name in ["a.json", "b.json"] { first.record(name, digest: name) }
        first.save()
        setModified(first.url.path, to: old)  // a and b: saved in their tick
        let second = WrittenFiles(gitDirectory: gitDirectory, folder: folder)
        second.record("a.json", digest: "a.json")  // checked by this build
        second.record("c.json", digest: "c.json")
        second.save()
        setModified(first.url.path, to: timespec(tv_sec: time(nil) + 10, tv_nsec: 0))
        let third = WrittenFiles(gitDirectory: gitDirectory, folder: folder)
        #expect(third.unchanged("a.json", digest: "a.json"))
        #expect(third.unchanged("c.json", digest: "c.json"))
        #expect(!third.unchanged("b.json", digest: "b.json"))  // never checked: read and compared next time
    }
}
