import Crypto
import FolioModel
import Foundation
import Synchronization
import NIOCore

/// The files of a `dist/` folder, read on demand and kept in memory with their strong
/// ETags until they change on disk. Paths that escape the folder are refused.
///
/// Every time a file is opened (the first request, and whenever `stat` says it changed)
/// the opened file's real path is checked to lie inside the root, so a file replaced by a
/// symlink pointing out is refused from then on: no verdict about a path is remembered,
/// only content that was read through a checked open. Symlinks that stay inside the
/// root are followed (a versioned folder switched by a symlink is a common layout).
final class StaticFiles: Sendable {
    struct File: Sendable {
        let body: ByteBuffer
        let etag: String
        let device: UInt64
        let inode: UInt64
        let modified: timespec
        let size: Int
        /// When the file was last found unchanged (monotonic nanoseconds).
        var checked: UInt64 = 0

        func isSame(as info: stat) -> Bool {
            UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode && Int(info.st_size) == size
                && info.st_mtim.tv_sec == modified.tv_sec && info.st_mtim.tv_nsec == modified.tv_nsec
        }
    }

    /// How long a file is served from memory before `stat` is asked again whether it
    /// changed: a rebuilt `dist/` shows within this time, and a busy server does not
    /// `stat` on every request.
    static let revalidateAfterNanoseconds: UInt64 = 20_000_000
    /// Files larger than this are not served (a `dist/` holds JSON of a few megabytes).
    static let maximumFileBytes = 256 << 20

    let root: String
    /// Read files by their relative path.
    private let cache = Mutex<[String: File]>([:])

    init(root: URL) {
        let path = root.standardizedFileURL.path
        self.root =
            (realpath(path, nil).map { pointer in
                defer { free(pointer) }
                return String(cString: pointer)
            }) ?? path
    }

    /// The file for a request path, or nil (missing, a folder, too large, or outside the root).
    func file(atRequestPath rawPath: String) -> File? {
        guard let relative = Self.safeRelativePath(rawPath) else { return nil }
        let now = Self.monotonicNanoseconds()
        let known = cache.withLock { $0[relative] }
        if let known, now &- known.checked < Self.revalidateAfterNanoseconds { return known }
        let path = root + "/" + relative
        if let known {
            // Unchanged on disk: the content read through a checked open still stands.
            var info = stat()
            if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, known.isSame(as: info) {
                var renewed = known
                renewed.checked = now
                cache.withLock { $0[relative] = renewed }
                return renewed
            }
        }
        guard let file = Self.read(path, inside: root, at: now) else {
            cache.withLock { $0[relative] = nil }
            return nil
        }
        cache.withLock { files in
            if files.count >= 100_000 { files.removeAll() }
            files[relative] = file
        }
        return file
    }

    /// Opens `path`, checks that the opened file is a regular file inside `root`, and reads it.
    static func read(_ path: String, inside root: String, at now: UInt64) -> File? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) <= maximumFileBytes,
            let opened = openedPath(descriptor), opened.hasPrefix(root + "/")
        else { return nil }
        let size = Int(info.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + filled, size - filled, off_t(filled)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return nil }  // shrank while read: the next request reads it again
            filled += count
        }
        let digest = Hex.encode(SHA256.hash(data: bytes).prefix(16))
        return File(
            body: ByteBuffer(bytes: bytes), etag: "\"\(digest)\"", device: UInt64(info.st_dev), inode: UInt64(info.st_ino),
            modified: info.st_mtim, size: size, checked: now)
    }

    /// The path the kernel has for an open file (symlinks resolved).
    static func openedPath(_ descriptor: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/fd/\(descriptor)", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// The request path, percent-decoded, as a relative path of plain segments; nil when
    /// any segment is empty, `.`, `..`, hidden, or holds a slash, backslash or NUL once decoded.
    static func safeRelativePath(_ rawPath: String) -> String? {
        var utf8 = Substring(rawPath).utf8
        if let question = utf8.firstIndex(of: UInt8(ascii: "?")) { utf8 = utf8[..<question] }
        var segments: [String] = []
        for raw in utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            let text: String
            if raw.contains(UInt8(ascii: "%")) {
                guard let decoded = String(Substring(raw)).removingPercentEncoding else { return nil }
                text = decoded
            } else {
                text = String(Substring(raw))
            }
            let bytes = text.utf8
            guard let first = bytes.first, first != UInt8(ascii: "."),
                !bytes.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") || $0 == 0 })
            else { return nil }
            segments.append(text)
        }
        return segments.isEmpty ? nil : segments.joined(separator: "/")
    }
}
