import Foundation
import Synchronization
import FolioCore
import FolioGit
import FolioModel
import FolioSigning
import FolioTemplate

/// What a build wrote: each environment's manifest (path relative to the folder), how many
/// version files its manifests name, and how many promotion tags it checked: every one, or
/// (`patched`) only those added since the last build.
package struct BuildOutput: Sendable {
    package let manifests: [String]
    package let versionFiles: Int
    package let checkedTags: Int
    package let patched: Bool
    /// Files (and gzip copies) written because they were missing or held other bytes.
    package let written: Int

    init(_ manifests: [String], versionFiles: Int, checkedTags: Int, patched: Bool, written: Int) {
        self.manifests = manifests
        self.versionFiles = versionFiles
        self.checkedTags = checkedTags
        self.patched = patched
        self.written = written
    }
}

/// The files a build will write (relative paths), the sha256 of each, and the gzip copies of
/// changed manifests, under way.
struct StagedFiles {
    var files: [String: Data] = [:]
    var digests: [String: String] = [:]
    var compressed: [String: Prefetch<Data?>] = [:]

    mutating func add(_ path: String, bytes: Data, sha256: String) {
        files[path] = bytes
        digests[path] = sha256
    }

    /// A manifest and its signature. A changed manifest's gzip copy (tens of milliseconds
    /// for 2,000 prompts) starts now, on the other cores, while this one signs it and
    /// compares the files. Returns the manifest's sha256.
    mutating func addManifest(_ bytes: Data, at path: String, written: WrittenFiles, signer: TagSigner) throws -> String {
        let sha256 = ContentHash.sha256Hex(bytes)
        add(path, bytes: bytes, sha256: sha256)
        if !written.unchanged(path, digest: sha256) {
            compressed[path] = Prefetch(concurrent: true) { try? Gzip.compress(bytes) }
        }
        let signature = Data(try signer.sign(bytes, namespace: Manifest.signatureNamespace).utf8)
        files[path + ".sig"] = signature
        // The same signature under the manifest's sha256: it never changes once written, so a
        // client that fetched these manifest bytes always finds their signature, whatever a
        // rebuild has renamed into place since (TUF's consistent snapshots).
        files[(path as NSString).deletingLastPathComponent + "/" + Manifest.signaturePath(sha256: sha256)] = signature
        return sha256
    }

    func write(to folder: URL, written: WrittenFiles) throws -> Int {
        let count = try ManifestBuilder.write(files, to: folder, digests: digests, written: written, compressed: compressed)
        for path in files.keys where path.hasSuffix("/manifest.json") {
            ManifestBuilder.pruneSignatures(in: folder.appendingPathComponent((path as NSString).deletingLastPathComponent + "/signatures"))
        }
        return count
    }
}

/// Turns the verified promotions of a repository into the files of `dist/`:
/// `<env>/manifest.json` (+ `.sig`), `prompts/<name>/<version>.json`, and `.gz` copies.
package struct ManifestBuilder {
    let repository: PromptRepository
    let signer: TagSigner
    /// How long a manifest may be served; nil writes no `expires` (and no wall-clock time).
    let lifetime: TimeInterval?
    let now: Date

    /// The process ends after this build (`folio build`): the promotion log, tens of
    /// thousands of small objects, is left for the exit to reclaim instead of being freed
    /// one by one (as compilers skip freeing their syntax trees). Not for a server.
    let oneShot: Bool
    private static let parked = Mutex<[PromotionLog]>([])

    package init(repository: PromptRepository, signer: TagSigner, lifetime: TimeInterval? = nil, now: Date = Date(), oneShot: Bool = false) {
        self.repository = repository
        self.signer = signer
        self.lifetime = lifetime
        self.now = now
        self.oneShot = oneShot
    }

    /// Builds `environments` into `folder`, remembering what it wrote in the repository's
    /// git directory so the next build need not read it back. A bad promotion tag in one of
    /// the environments stops the build, naming the tag, before anything is written.
    ///
    /// A rebuild whose last build's checkpoint still holds (`BuildSnapshot`) checks only the
    /// promotion tags added since and patches the manifest; anything else makes every file.
    package func build(_ environments: [String], into folder: URL) throws -> BuildOutput {
        let gitDirectory = repository.git.gitDirectory
        let output = try buildOrPatch(environments, into: folder)
        let records =
            environments.map { BuildSnapshot.file(gitDirectory: gitDirectory, environment: $0, folder: folder) }
            + [WrittenFiles.file(gitDirectory: gitDirectory, folder: folder)]
        OutputFolders.note(records, folder: folder, gitDirectory: gitDirectory)
        return output
    }

    private func buildOrPatch(_ environments: [String], into folder: URL) throws -> BuildOutput {
        var written: Prefetch<WrittenFiles>?
        switch try patch(environments, folder: folder) {
        case .built(let output): return output
        case .notPatched(let started): written = started
        }
        let gitDirectory = repository.git.gitDirectory
        let built = try assemble(environments, folder: folder, written: written)
        let count = try built.staged.write(to: folder, written: built.written.value)
        for (environment, snapshot) in built.snapshots {
            snapshot.save(to: BuildSnapshot.file(gitDirectory: gitDirectory, environment: environment, folder: folder))
        }
        return BuildOutput(
            environments.map { "\($0)/manifest.json" }, versionFiles: built.staged.files.keys.filter { $0.hasPrefix("prompts/") }.count,
            checkedTags: built.checkedTags, patched: false, written: count)
    }

    /// What a whole build makes before anything is written.
    private struct Assembled {
        var staged: StagedFiles
        /// What was written to the folder before (loading on the prefetch thread).
        var written: Prefetch<WrittenFiles>
        /// Each environment's snapshot for the next build.
        var snapshots: [(environment: String, snapshot: BuildSnapshot)]
        var checkedTags: Int
    }

    /// One environment's part of a whole build: its newest promotion and, per prompt it
    /// has promoted, the version files of every version it has promoted.
    private struct EnvironmentPlan {
        var environment: String
        var latest: CheckedPromotion
        var prompts: [(name: String, paths: [String])]
    }

    private func assemble(_ environments: [String], folder: URL, written started: Prefetch<WrittenFiles>?) throws -> Assembled {
        // The caches load on the prefetch thread, the promotions' first, while this one
        // opens the repository and lists the tags.
        let promotions = PromotionLog.CachePrefetch(repository)
        let gitDirectory = repository.git.gitDirectory
        let versionFileCache = Prefetch { VersionFileCache(gitDirectory: gitDirectory) }
        let written = started ?? Prefetch { WrittenFiles(gitDirectory: gitDirectory, folder: folder) }
        let log = try PromotionLog(repository: repository, prefetched: promotions)
        if oneShot { Self.parked.withLock { $0.append(log) } }
        let cache = versionFileCache.value
        defer { cache.save() }
        var staged = StagedFiles()
        var snapshots: [(environment: String, snapshot: BuildSnapshot)] = []
        // First every environment's promotions are checked (a bad tag stops the build
        // before any work) and the version files they need are listed, then those are made
        // at once (on all cores), then each manifest.
        var plans: [EnvironmentPlan] = []
        var needed: [String: PromotionTrailer] = [:]
        for environment in environments {
            try repository.requireEnvironment(environment)
            let promotions = log.promotions(in: environment)
            let bad =
                promotions.filter { !$0.isValid }.map { "\($0.promotion.tagName): \($0.problems.joined(separator: "; "))" }
                + log.invalidNames(in: environment).map { "\($0.tag): \($0.reason)" }
            guard bad.isEmpty else {
                throw FolioError(
                    .invalidContent,
                    "the build stops: \(environment) has promotions that do not verify:\n"
                        + bad.joined(separator: "\n"),
                    hint: "see `folio verify --env \(environment)`; a tampered log must not publish")
            }
            guard let latest = promotions.last else {
                throw FolioError(.usage, "nothing has been promoted to \(environment) yet", hint: "run `folio promote <name>@<version> --env \(environment) --note …` first")
            }
            var names: [(name: String, paths: [String])] = []
            for name in Set(promotions.flatMap { $0.promotion.trailers.map(\.prompt) }).sorted() {
                var seen = Set<Int>()  // a version promoted again has one file
                var paths: [String] = []
                for trailer in log.history(of: name, in: environment) where seen.insert(trailer.version).inserted {
                    let path = ManifestPrompt.path(name: name, version: trailer.version)
                    if needed[path] == nil { needed[path] = trailer }
                    paths.append(path)
                }
                names.append((name, paths))
            }
            plans.append(EnvironmentPlan(environment: environment, latest: latest, prompts: names))
        }
        let versionFiles = try self.versionFiles(needed, versions: log.versions, cache: cache)
        for plan in plans {
            let environment = plan.environment
            var entries: [String: ManifestJSON.Entry] = [:]
            var hashes: [String: String] = [:]
            for (name, paths) in plan.prompts {
                for path in paths { hashes[path] = versionFiles[path]!.sha256 }
                guard let current = log.published(name, in: environment),
                    let source = log.currentPromotion(of: name, in: environment)?.promotion,
                    let file = versionFiles[ManifestPrompt.path(name: name, version: current.version)]
                else { continue }
                entries[name] = ManifestJSON.Entry(versionFile: file.bytes, sha256: file.sha256, promotion: Self.promotion(source, replaces: current.replaces))
            }
            let manifest = manifest(environment, latest: plan.latest.promotion, versionFiles: hashes)
            let encoded = ManifestJSON.encodeLocating(manifest, entries: entries, finalNewline: true)
            let bytes = try encoded?.bytes ?? Self.encodeDecoding(manifest, entries: entries) + Data("\n".utf8)
            let sha256 = try staged.addManifest(bytes, at: "\(environment)/manifest.json", written: written.value, signer: signer)
            if let encoded {
                snapshots.append(
                    (
                        environment,
                        BuildSnapshot(
                            checkpoint: log.checkpoint(of: environment), manifestDigest: sha256,
                            manifest: manifest, entries: encoded.entries)
                    ))
            }
        }
        for (path, file) in versionFiles { staged.add(path, bytes: file.bytes, sha256: file.sha256) }
        return Assembled(staged: staged, written: written, snapshots: snapshots, checkedTags: log.promotions.count)
    }

    /// A manifest's header and `version_files` (its prompts are spliced in by `ManifestJSON`),
    /// as the environment's latest promotion makes them.
    func manifest(_ environment: String, latest: Promotion, versionFiles: [String: String]) -> Manifest {
        manifest(
            environment, version: latest.sequence, generatedAt: latest.tagger?.date ?? Date(timeIntervalSince1970: 0),
            source: ManifestSource(commit: latest.target.hex, tag: latest.tagName), versionFiles: versionFiles)
    }

    /// A manifest's header and `version_files`; `expires` comes from the build's lifetime.
    func manifest(_ environment: String, version: Int, generatedAt: Date, source: ManifestSource, versionFiles: [String: String]) -> Manifest {
        Manifest(
            environment: environment, version: version, generatedAt: generatedAt, expires: lifetime.map { now.addingTimeInterval($0) },
            source: source, prompts: [:], versionFiles: versionFiles)
    }

    /// What a manifest entry says of the promotion that made its version current.
    static func promotion(_ source: Promotion, replaces: Int?) -> ManifestPromotion {
        ManifestPromotion(
            tag: source.tagName, sequence: source.sequence, by: source.tagger?.name ?? "", email: source.tagger?.email ?? "",
            at: source.tagger?.date ?? Date(timeIntervalSince1970: 0), note: source.note, replaces: replaces)
    }

    /// The manifest through JSONEncoder, for a version file `ManifestJSON` cannot splice.
    static func encodeDecoding(_ manifest: Manifest, entries: [String: ManifestJSON.Entry]) throws -> Data {
        var manifest = manifest
        for (name, entry) in entries {
            var prompt = try JSONDecoder.folio.decode(ManifestPrompt.self, from: entry.versionFile)
            prompt.sha256 = entry.sha256
            prompt.promotion = entry.promotion
            manifest.prompts[name] = prompt
        }
        return try JSONEncoder.folio.encode(manifest)
    }

    /// How many content-addressed manifest signatures an environment keeps: a client that
    /// fetched a manifest some builds ago still finds its signature.
    static let keptSignatures = 64

    /// Removes all but the `keptSignatures` newest files of a `signatures/` folder.
    static func pruneSignatures(in folder: URL) {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: folder.path), names.count > keptSignatures else { return }
        let dated = names.filter { $0.hasSuffix(".sig") }.map { name -> (String, Date) in
            let modified = (try? manager.attributesOfItem(atPath: folder.appendingPathComponent(name).path)[.modificationDate] as? Date) ?? .distantPast
            return (name, modified)
        }
        for (name, _) in dated.sorted(by: { ($0.1, $0.0) > ($1.1, $1.0) }).dropFirst(keptSignatures) {
            try? manager.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    /// The bytes of a file, or nil when it cannot be read (one open, fstat and read).
    static func readIfPresent(_ path: String) -> Data? {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        var data = Data(count: Int(info.st_size))
        let complete = data.withUnsafeMutableBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let count = read(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        return complete ? data : nil
    }

    /// A plain write (the staging folder is renamed into place, so no temporary file or
    /// fsync per file is needed here).
    private static func writeFile(_ bytes: Data, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw FolioError(.io, "cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                guard written > 0 else { throw FolioError(.io, "cannot write \(path): \(String(cString: strerror(errno)))") }
                offset += written
            }
        }
    }

    /// Writes the files under `folder`, each `.json` with a gzip copy beside it (`.gz`):
    /// first into a temporary folder beside them, then renamed into place (version files,
    /// then each manifest's signature, then the manifest), so a reader never sees a
    /// half-written file. A file already in place with the same bytes stays (version files
    /// are immutable), and so does a `.gz` whose gzip trailer (CRC-32 and length) is that
    /// of the bytes it must hold.
    ///
    /// Files `written` says are in place with the same bytes are skipped without being
    /// read, and what is written is recorded there. `digests` holds the sha256 of files
    /// already hashed; `compressedCopies`, gzip copies already under way.
    static func write(
        _ files: [String: Data], to folder: URL, digests known: [String: String], written: WrittenFiles,
        compressed compressedCopies: [String: Prefetch<Data?>] = [:]
    ) throws -> Int {
        let manager = FileManager.default
        try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        let staging = folder.appendingPathComponent(".folio-build-\(UUID().uuidString)")
        defer { try? manager.removeItem(at: staging) }
        let root = folder.path
        // What to record once everything is in place: the files `written` does not already
        // know to be there (a rebuild with one new promotion records three of 6,000).
        var unrecorded: [String: String] = [:]
        var pending: [String: Data] = [:]
        for (path, bytes) in files {
            let digest = known[path] ?? ContentHash.sha256Hex(bytes)
            let unchanged = written.unchanged(path, digest: digest)
            let inPlace = unchanged || (!written.differs(path, digest: digest) && readIfPresent(root + "/" + path) == bytes)
            if !unchanged { unrecorded[path] = digest }
            if !inPlace { pending[path] = bytes }
            guard path.hasSuffix(".json") else { continue }
            let compressed = path + ".gz"
            let compressedDigest = "gzip-" + digest
            if inPlace, written.unchanged(compressed, digest: compressedDigest) { continue }
            unrecorded[compressed] = compressedDigest
            if !inPlace || !Gzip.holds(readIfPresent(root + "/" + compressed), bytes) {
                pending[compressed] = try compressedCopies[path]?.value ?? Gzip.compress(bytes)
            }
        }
        var folders = Set<String>()
        for (path, bytes) in pending {
            let url = staging.appendingPathComponent(path)
            let parent = url.deletingLastPathComponent().path
            if folders.insert(parent).inserted { try manager.createDirectory(atPath: parent, withIntermediateDirectories: true) }
            try writeFile(bytes, to: url.path)
        }
        func rank(_ path: String) -> Int {
            if path.hasPrefix("prompts/") || path.contains("/signatures/") { return 0 }
            if path.hasSuffix(".sig") || path.hasSuffix(".gz") { return 1 }
            return 2
        }
        func move(_ relative: String) throws {
            guard rename(staging.appendingPathComponent(relative).path, folder.appendingPathComponent(relative).path) == 0 else {
                throw FolioError(.io, "cannot move \(relative) into \(folder.path): \(String(cString: strerror(errno)))")
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
        // Only after every file is in place: a record says "this file holds these bytes".
        for (path, digest) in unrecorded { written.record(path, digest: digest) }
        written.save()
        return pending.count
    }

}
