import FolioModel
import Crypto
import Foundation
import NIOCore

/// The files of a `dist/` folder, read on demand and kept in memory with their strong
/// ETags until they change on disk. Paths that escape the folder are refused.
final class StaticFiles: @unchecked Sendable {
    struct File: Sendable {
        let body: ByteBuffer
        let etag: String
        let modified: Date
        let size: Int
        /// When `stat` last said the file is unchanged (monotonic nanoseconds).
        var checked: UInt64 = 0
    }

    /// How long a file is served from memory before `stat` is asked again whether it
    /// changed: a rebuilt `dist/` shows within this time, and a busy server does not
    /// `stat` on every request.
    static let revalidateAfterNanoseconds: UInt64 = 20_000_000

    let root: String
    private let lock = NSLock()
    private var cache: [String: File] = [:]
    /// Request paths already checked, and the file each resolved to.
    private var resolvedPaths: [String: String] = [:]

    init(root: URL) {
        self.root = root.resolvingSymlinksInPath().standardizedFileURL.path
    }

    /// The file for a request path, or nil (missing, a folder, or outside the root).
    /// The path is checked and resolved once; later requests `stat` it (at most every
    /// `revalidateAfterNanoseconds`) to see whether it changed.
    func file(atRequestPath rawPath: String) -> File? {
        let now = Self.monotonicNanoseconds()
        lock.lock()
        let known = resolvedPaths[rawPath]
        if let known, let cached = cache[known], now &- cached.checked < Self.revalidateAfterNanoseconds {
            lock.unlock()
            return cached
        }
        lock.unlock()
        let resolved: String
        if let known {
            resolved = known
        } else {
            guard let relative = Self.safeRelativePath(rawPath) else { return nil }
            // Symlinks pointing out of the root are refused: compare the resolved path.
            let candidate = URL(fileURLWithPath: root + "/" + relative).resolvingSymlinksInPath().path
            guard candidate.hasPrefix(root + "/") else { return nil }
            resolved = candidate
        }
        var info = stat()
        guard stat(resolved, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let modified = Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec) + TimeInterval(info.st_mtim.tv_nsec) / 1e9)
        let size = Int(info.st_size)
        lock.lock()
        if known == nil, resolvedPaths.count < 100_000 { resolvedPaths[rawPath] = resolved }
        if var cached = cache[resolved], cached.modified == modified, cached.size == size {
            cached.checked = now
            cache[resolved] = cached
            lock.unlock()
            return cached
        }
        lock.unlock()
        guard let data = FileManager.default.contents(atPath: resolved) else { return nil }
        let digest = Hex.encode(SHA256.hash(data: data).prefix(16))
        let file = File(body: ByteBuffer(bytes: data), etag: "\"\(digest)\"", modified: modified, size: size, checked: now)
        lock.lock()
        cache[resolved] = file
        lock.unlock()
        return file
    }

    static func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// The request path, percent-decoded, as a relative path of plain segments; nil when
    /// any segment is empty, `.`, `..`, hidden, or holds a slash or NUL once decoded.
    static func safeRelativePath(_ rawPath: String) -> String? {
        let withoutQuery = rawPath.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? rawPath
        let segments = withoutQuery.split(separator: "/", omittingEmptySubsequences: true)
        guard !segments.isEmpty else { return nil }
        var decoded: [String] = []
        for segment in segments {
            guard let text = String(segment).removingPercentEncoding,
                  !text.isEmpty, text != ".", text != "..", !text.hasPrefix("."),
                  !text.contains("/"), !text.contains("\\"), !text.contains("\0") else { return nil }
            decoded.append(text)
        }
        return decoded.joined(separator: "/")
    }
}
