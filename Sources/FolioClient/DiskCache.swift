import Foundation

/// The last-known-good manifest on disk, with its signature and the highest version seen.
struct DiskCache: Sendable {
    let folder: URL

    struct Stored {
        let bytes: Data
        let signature: Data
        let etag: String?
    }

    private struct State: Codable {
        var etag: String?
        var highestVersion: Int
    }

    init(root: URL, manifestURL: URL) {
        let key = (manifestURL.host ?? "local") + (manifestURL.port.map { "_\($0)" } ?? "") + manifestURL.path
        let safe = key.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" }
        folder = root.appendingPathComponent(String(safe))
    }

    func load() -> Stored? {
        guard let bytes = try? Data(contentsOf: folder.appendingPathComponent("manifest.json")),
            let signature = try? Data(contentsOf: folder.appendingPathComponent("manifest.json.sig"))
        else { return nil }
        return Stored(bytes: bytes, signature: signature, etag: state()?.etag)
    }

    func highestVersion() -> Int {
        state()?.highestVersion ?? 0
    }

    private func state() -> State? {
        (try? Data(contentsOf: folder.appendingPathComponent("state.json"))).flatMap { try? JSONDecoder().decode(State.self, from: $0) }
    }

    /// Writes each file to a temporary name and renames it, so a crash never leaves half a file.
    func store(bytes: Data, signature: Data, etag: String?, version: Int) {
        let state = State(etag: etag, highestVersion: max(version, highestVersion()))
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try write(signature, "manifest.json.sig")
            try write(bytes, "manifest.json")
            try write(try JSONEncoder().encode(state), "state.json")
        } catch {
            // A cache that cannot be written only loses the cold-start copy.
        }
    }

    private func write(_ data: Data, _ name: String) throws {
        let target = folder.appendingPathComponent(name)
        let temporary = folder.appendingPathComponent(".\(name).\(UUID().uuidString)")
        try data.write(to: temporary)
        guard rename(temporary.path, target.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown)
        }
    }
}
