import Foundation

/// The last-known-good manifest on disk, with its signature and the ETag it came with.
///
/// The cache is trusted storage: a folder another user owns, or one that others can write,
/// is refused (and not used), and files are opened without following links, so another
/// local user cannot plant an older signed manifest for an outage. The highest version seen
/// across restarts is the version of the signed copy kept here, never an unsigned number.
struct DiskCache: Sendable {
    let folder: URL
    let maximumBytes: Int

    struct Stored {
        let bytes: Data
        let signature: Data
        let etag: String?
    }

    private struct State: Codable {
        var etag: String?
    }

    init(root: URL, manifestURL: URL, maximumBytes: Int = ManifestFetcher.defaultMaximumBytes) {
        let key = (manifestURL.host ?? "local") + (manifestURL.port.map { "_\($0)" } ?? "") + manifestURL.path
        let safe = key.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" }
        folder = root.appendingPathComponent(String(safe))
        self.maximumBytes = maximumBytes
    }

    /// Why the folder cannot be trusted, or nil (a folder not made yet is fine).
    func problem() -> String? {
        var info = stat()
        guard lstat(folder.path, &info) == 0 else { return errno == ENOENT ? nil : String(cString: strerror(errno)) }
        guard info.st_mode & S_IFMT == S_IFDIR else { return "it is not a folder (a link or a file)" }
        guard info.st_uid == geteuid() else { return "it is owned by user \(info.st_uid), not by this process's user \(geteuid())" }
        guard info.st_mode & 0o022 == 0 else { return "others can write to it (mode \(String(info.st_mode & 0o7777, radix: 8)))" }
        return nil
    }

    func load() -> Stored? {
        guard problem() == nil, let bytes = read("manifest.json"), let signature = read("manifest.json.sig") else { return nil }
        let etag = read("state.json").flatMap { try? JSONDecoder().decode(State.self, from: $0) }?.etag
        return Stored(bytes: bytes, signature: signature, etag: etag)
    }

    /// A regular file of ours that only we can write, opened without following a link.
    private func read(_ name: String) -> Data? {
        let descriptor = open(folder.appendingPathComponent(name).path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid(), info.st_mode & 0o022 == 0,
            info.st_size <= maximumBytes
        else { return nil }
        var data = Data(count: Int(info.st_size))
        var offset = 0
        let complete = data.withUnsafeMutableBytes { raw -> Bool in
            while offset < raw.count {
                let count = Foundation.read(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        return complete ? data : nil
    }

    /// Writes each file to a temporary name and renames it, so a crash never leaves half a
    /// file; nothing is written into a folder `problem` refuses.
    func store(bytes: Data, signature: Data, etag: String?) {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            guard problem() == nil else { return }
            try write(signature, "manifest.json.sig")
            try write(bytes, "manifest.json")
            try write(try JSONEncoder().encode(State(etag: etag)), "state.json")
        } catch {
            // A cache that cannot be written only loses the cold-start copy.
        }
    }

    private func write(_ data: Data, _ name: String) throws {
        let target = folder.appendingPathComponent(name)
        let temporary = folder.appendingPathComponent(".\(name).\(UUID().uuidString)")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown) }
        let written = data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let count = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        close(descriptor)
        guard written, rename(temporary.path, target.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown)
        }
    }
}
