import Foundation
import FolioCore
import FolioGit
import FolioModel
import FolioSigning
import FolioTemplate

/// Turns the verified promotions of a repository into the files of `dist/`:
/// `<env>/manifest.json` (+ `.sig`), `prompts/<name>/<version>.json`, and `.gz` copies.
public struct ManifestBuilder {
    let repository: PromptRepository
    let signer: TagSigner
    /// How long a manifest may be served; nil writes no `expires` (and no wall-clock time).
    let lifetime: TimeInterval?
    let now: Date

    public init(repository: PromptRepository, signer: TagSigner, lifetime: TimeInterval? = nil, now: Date = Date()) {
        self.repository = repository
        self.signer = signer
        self.lifetime = lifetime
        self.now = now
    }

    /// The files for `environments`, by path relative to `dist/`. A bad promotion tag in one
    /// of them stops the build, naming the tag.
    public func files(for environments: [String]) throws -> [String: Data] {
        let log = try PromotionLog(repository: repository)
        var files: [String: Data] = [:]
        var versionFiles: [String: (prompt: ManifestPrompt, bytes: Data)] = [:]
        for environment in environments {
            try repository.requireEnvironment(environment)
            let promotions = log.promotions(in: environment)
            let bad = promotions.filter { !$0.isValid }
            guard bad.isEmpty else {
                throw FolioError(.invalidContent, "the build stops: \(environment) has promotions that do not verify:\n"
                    + bad.map { "\($0.promotion.tagName): \($0.problems.joined(separator: "; "))" }.joined(separator: "\n"),
                    hint: "see `folio verify --env \(environment)`; a tampered log must not publish")
            }
            guard let latest = promotions.last else {
                throw FolioError(.usage, "nothing has been promoted to \(environment) yet", hint: "run `folio promote <name>@<version> --env \(environment) --note …` first")
            }
            var prompts: [String: ManifestPrompt] = [:]
            var hashes: [String: String] = [:]
            let names = Set(promotions.flatMap { $0.promotion.trailers.map(\.prompt) })
            for name in names.sorted() {
                let history = log.history(of: name, in: environment)
                for trailer in history where versionFiles[ManifestPrompt.path(name: name, version: trailer.version)] == nil {
                    let file = try versionFile(trailer, versions: log.versions[name] ?? [])
                    versionFiles[ManifestPrompt.path(name: name, version: trailer.version)] = file
                }
                for trailer in history {
                    let path = ManifestPrompt.path(name: name, version: trailer.version)
                    if let file = versionFiles[path] { hashes[path] = Self.sha256(file.bytes) }
                }
                guard let current = log.published(name, in: environment),
                      let source = log.currentPromotion(of: name, in: environment)?.promotion,
                      let file = versionFiles[ManifestPrompt.path(name: name, version: current.version)] else { continue }
                var entry = file.prompt
                entry.sha256 = Self.sha256(file.bytes)
                entry.promotion = ManifestPromotion(
                    tag: source.tagName, sequence: source.sequence, by: source.tagger?.name ?? "", email: source.tagger?.email ?? "",
                    at: source.tagger?.date ?? Date(timeIntervalSince1970: 0), note: source.note, replaces: current.replaces
                )
                prompts[name] = entry
            }
            let manifest = Manifest(
                environment: environment, version: latest.promotion.sequence,
                generatedAt: latest.promotion.tagger?.date ?? Date(timeIntervalSince1970: 0),
                expires: lifetime.map { now.addingTimeInterval($0) },
                source: ManifestSource(commit: latest.promotion.target.hex, tag: latest.promotion.tagName),
                prompts: prompts,
                versionFiles: hashes
            )
            let bytes = try JSONEncoder.folio.encode(manifest) + Data("\n".utf8)
            files["\(environment)/manifest.json"] = bytes
            files["\(environment)/manifest.json.sig"] = Data(try signer.sign(bytes, namespace: Manifest.signatureNamespace).utf8)
        }
        for (path, file) in versionFiles { files[path] = file.bytes }
        for (path, bytes) in files where path.hasSuffix(".json") {
            files[path + ".gz"] = try Gzip.compress(bytes)
        }
        return files
    }

    /// The version file of a promoted version, read by the trailer's blob id (which
    /// verification tied to that version on main), with the partials of its first commit.
    private func versionFile(_ trailer: PromotionTrailer, versions: [PromptVersion]) throws -> (prompt: ManifestPrompt, bytes: Data) {
        let path = PromptRepository.promptPath(trailer.prompt)
        let text = String(decoding: try repository.git.readBlob(trailer.blob), as: UTF8.self)
        let loaded = LoadedPrompt.load(path: path, text: text, name: trailer.prompt)
        guard let prompt = loaded.prompt else {
            throw FolioError(.invalidContent, "\(trailer.prompt) v\(trailer.version) does not load:\n" + loaded.diagnostics.map(\.description).joined(separator: "\n"))
        }
        let firstCommit = versions.first { $0.number == trailer.version }?.commit.hex ?? repository.config.mainBranch
        let available = try repository.partials(at: firstCommit)
        let entry = ManifestPrompt(name: trailer.prompt, version: trailer.version, blob: trailer.blob.hex, prompt: prompt,
                                   partials: Self.partialsUsed(by: prompt, from: available))
        return (entry, try JSONEncoder.folio.encode(entry) + Data("\n".utf8))
    }

    static func sha256(_ data: Data) -> String {
        ContentHash.sha256Hex(data)
    }

    /// The partials a prompt's messages include, directly or through other partials.
    static func partialsUsed(by prompt: Prompt, from available: [String: String]) -> [String: String] {
        var used: [String: String] = [:]
        var pending = prompt.messages.flatMap { (try? Template($0.content))?.partialNames ?? [] }
        while let name = pending.popLast() {
            guard used[name] == nil, let source = available[name] else { continue }
            used[name] = source
            pending += (try? Template(source))?.partialNames ?? []
        }
        return used
    }

    /// A plain write (the staging folder is renamed into place, so no temporary file or
    /// fsync per file is needed here).
    private static func writeFile(_ bytes: Data, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw FolioError(.configuration, "cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                guard written > 0 else { throw FolioError(.configuration, "cannot write \(path): \(String(cString: strerror(errno)))") }
                offset += written
            }
        }
    }

    /// Writes the files under `folder`: first into a temporary folder beside them, then
    /// renamed into place (version files, then each manifest's signature, then the manifest),
    /// so a reader never sees a half-written file.
    public static func write(_ files: [String: Data], to folder: URL) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        let staging = folder.appendingPathComponent(".folio-build-\(UUID().uuidString)")
        defer { try? manager.removeItem(at: staging) }
        // Version files are immutable: one already in place with the same bytes stays.
        let pending = files.filter { path, bytes in
            !(path.hasPrefix("prompts/") && manager.contents(atPath: folder.appendingPathComponent(path).path) == bytes)
        }
        var folders = Set<String>()
        for (path, bytes) in pending {
            let url = staging.appendingPathComponent(path)
            let parent = url.deletingLastPathComponent().path
            if folders.insert(parent).inserted { try manager.createDirectory(atPath: parent, withIntermediateDirectories: true) }
            try writeFile(bytes, to: url.path)
        }
        func rank(_ path: String) -> Int {
            if path.hasPrefix("prompts/") { return 0 }
            if path.hasSuffix(".sig") || path.hasSuffix(".gz") { return 1 }
            return 2
        }
        func move(_ relative: String) throws {
            guard rename(staging.appendingPathComponent(relative).path, folder.appendingPathComponent(relative).path) == 0 else {
                throw FolioError(.configuration, "cannot move \(relative) into \(folder.path): \(String(cString: strerror(errno)))")
            }
        }
        var ready = Set<String>()
        func ensureParent(_ relative: String) throws {
            let parent = (relative as NSString).deletingLastPathComponent
            guard !parent.isEmpty, ready.insert(parent).inserted else { return }
            try manager.createDirectory(at: folder.appendingPathComponent(parent), withIntermediateDirectories: true)
        }
        for path in pending.keys.sorted(by: { (rank($0), $0) < (rank($1), $1) }) {
            let parent = (path as NSString).deletingLastPathComponent
            if path.hasPrefix("prompts/"), !ready.contains(parent) {
                // A prompt new to this folder moves as a whole folder: one rename, not one per file.
                if !manager.fileExists(atPath: folder.appendingPathComponent(parent).path) {
                    try ensureParent(parent)
                    try move(parent)
                    ready.insert(parent)
                    continue
                }
                ready.insert(parent)
            }
            if path.hasPrefix("prompts/"), !manager.fileExists(atPath: staging.appendingPathComponent(path).path) { continue }
            try ensureParent(path)
            try move(path)
        }
    }

}
