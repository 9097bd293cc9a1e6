import Foundation

/// Which output folder each `build-…` and `written-…` record in `<git dir>/folio` belongs
/// to (their names are hashes of the folder's path), so that the records of a folder that
/// no longer exists are removed instead of piling up: a CI job that builds into a new
/// temporary folder every run would otherwise leave two files behind each time.
///
/// Kept in `<git dir>/folio/outputs`: one line per record file, its name and the folder's
/// absolute path. Only files listed here are ever removed.
package enum OutputFolders {
    /// A record file in `.git/folio` and the output folder it belongs to.
    struct Owner: Codable {
        var file: String
        var folder: String
    }

    /// Notes that `records` belong to `folder`, then removes every listed record whose
    /// folder is gone. Best effort, like every cache: a failure costs only disk space.
    package static func note(_ records: [CacheFile], folder: URL, gitDirectory: String) {
        let index = CacheFile(gitDirectory: gitDirectory, name: "outputs", format: 2)
        var folders: [String: String] = [:]
        for owner in index.load(Owner.self) { folders[owner.file] = owner.folder }
        let path = folder.standardizedFileURL.path
        for record in records { folders[record.url.lastPathComponent] = path }
        let directory = index.url.deletingLastPathComponent()
        for (name, owner) in folders where !FileManager.default.fileExists(atPath: owner) {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
            folders[name] = nil
        }
        index.save(folders.sorted { $0.key < $1.key }.map { Owner(file: $0.key, folder: $0.value) })
    }
}
