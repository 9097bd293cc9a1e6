import Foundation

/// Writes files so that a reader never sees half of one: a temporary file in the same
/// folder, then a rename over the target.
package enum AtomicFile {
    package static func write(_ data: Data, to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try data.write(to: temporary)
            if rename(temporary.path, url.path) != 0 {
                throw FolioError(.io, "cannot write \(url.path): \(String(cString: strerror(errno)))")
            }
        } catch let error as FolioError {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw FolioError(.io, "cannot write \(url.path): \(error.localizedDescription)", hint: "check that the folder exists, is writable and the disk has room")
        }
    }
}
