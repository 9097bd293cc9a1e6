import Foundation
import FolioModel
import FolioSigning
import FolioTemplate
import Logging
import Synchronization

/// The fresh manifest entry and pinned prompts, readable without an actor hop: a fresh cache
/// hit takes a lock, not a thread switch.
final class FreshSnapshot: Sendable {
    private struct State {
        var entry: ManifestStore.Entry?
        /// On the client's monotonic clock.
        var freshUntil: Duration?
        /// The entry's manifest `expires`, kept apart so the hot path copies no manifest.
        var expires: Date?
        var pinnedPrompts: [String: CompiledPrompt] = [:]
    }

    private let state = Mutex(State())

    /// The entry while it is within its TTL and not past `expires` (by `now`, the
    /// client's clock, and `date`, its wall clock).
    func fresh(now: Duration, date: Date) -> ManifestStore.Entry? {
        state.withLock { state in
            guard let entry = state.entry, let freshUntil = state.freshUntil, now < freshUntil else { return nil }
            if let expires = state.expires, expires < date { return nil }
            return entry
        }
    }

    func update(_ entry: ManifestStore.Entry, freshUntil: Duration) {
        let expires = entry.manifest.expires
        state.withLock { state in
            state.entry = entry
            state.freshUntil = freshUntil
            state.expires = expires
        }
    }

    func pinned(_ key: String) -> CompiledPrompt? {
        state.withLock { $0.pinnedPrompts[key] }
    }

    func pin(_ key: String, _ prompt: CompiledPrompt) {
        state.withLock { $0.pinnedPrompts[key] = prompt }
    }
}

/// The client's cache: one verified manifest with its prompts compiled, refreshed in the
/// background after the TTL (one refresh at a time), and pinned versions kept forever.
actor ManifestStore {
    /// A class, so handing the current entry to a render is one retain, not a copy.
    final class Entry: Sendable {
        let manifest: Manifest
        /// The published prompts, compiled, with their version numbers.
        let prompts: [String: (prompt: CompiledPrompt, version: Int)]
        let etag: String?
        let bytes: Data
        let signature: Data

        init(manifest: Manifest, prompts: [String: (prompt: CompiledPrompt, version: Int)], etag: String?, bytes: Data, signature: Data) {
            self.manifest = manifest
            self.prompts = prompts
            self.etag = etag
            self.bytes = bytes
            self.signature = signature
        }
    }

    let manifestURL: URL
    let ttl: Duration
    let verifier: ManifestVerifier
    let fetcher: ManifestFetcher
    let disk: DiskCache?
    let fallback: Data?
    let logger: Logger
    let clock: FolioClient.Clock
    nonisolated let snapshot = FreshSnapshot()

    private var entry: Entry?
    private var fetchedAt: Duration?
    private var nextRefresh: Duration?
    private var highestVersion = 0
    /// The version of the signed copy on disk, checked once (nil until then).
    private var diskHighest: Int?
    /// Fetches that failed in a row: the first is logged, the rest only at debug level,
    /// and the first success after them says the outage is over.
    private var failures = 0
    /// Whether this outage has logged that nothing was left to serve.
    private var toldNoCopy = false
    /// The problem of the cache folder last logged, so it is logged once.
    private var toldFolder: String?
    private var refreshTask: Task<Void, Never>?
    private var loadTask: Task<Entry, Error>?

    init(
        manifestURL: URL, ttl: Duration, verifier: ManifestVerifier, fetcher: ManifestFetcher, disk: DiskCache?, fallback: Data?, logger: Logger,
        clock: FolioClient.Clock = .system
    ) {
        self.manifestURL = manifestURL
        self.ttl = ttl
        self.verifier = verifier
        self.fetcher = fetcher
        self.disk = disk
        self.fallback = fallback
        self.logger = logger
        self.clock = clock
    }

    /// The manifest to serve now: a fresh entry without I/O; a stale one at once while a
    /// single background refresh runs; on a cold start (or past `expires`), a fetch.
    func current() async throws -> Entry {
        if let entry, !isExpired(entry.manifest) {
            let now = clock.monotonic()
            if let fetchedAt, now - fetchedAt >= ttl, refreshTask == nil, nextRefresh.map({ now >= $0 }) ?? true {
                refreshTask = Task { await self.refresh() }
            }
            return entry
        }
        if let loadTask { return try await loadTask.value }
        let task = Task { try await self.load() }
        loadTask = task
        defer { loadTask = nil }
        return try await task.value
    }

    /// A pinned version, from the current manifest or its version file (checked against the
    /// manifest's sha256), cached forever.
    func pinned(_ name: String, version: Int) async throws -> CompiledPrompt {
        let key = "\(name)@\(version)"
        if let cached = snapshot.pinned(key) { return cached }
        let entry = try await current()
        if let current = entry.prompts[name], current.version == version {
            snapshot.pin(key, current.prompt)
            return current.prompt
        }
        let path = ManifestPrompt.path(name: name, version: version)
        guard let expected = entry.manifest.versionFiles[path] else {
            throw FolioClientError(kind: .unknownVersion, message: "prompt '\(name)' v\(version) was never published in \(entry.manifest.environment): pin a version that `folio log` shows")
        }
        let url = manifestURL.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(path)
        guard case .fresh(let bytes, _) = try await fetcher.get(url) else {
            throw FolioClientError(kind: .unavailable, message: "\(url) answered 304 to an unconditional request")
        }
        guard ContentHash.sha256Hex(bytes) == expected else {
            let message = "\(url) does not match the sha256 the signed manifest gives for \(name) v\(version)"
            throw FolioClientError(kind: .trust, message: message, underlying: ManifestRefusal(kind: .sha256, message: message))
        }
        let file = try JSONDecoder.folio.decode(ManifestPrompt.self, from: bytes)
        let compiled = try Self.compile(file)
        snapshot.pin(key, compiled)
        return compiled
    }

    /// Waits for a background refresh, if one is running (for tests and graceful shutdown).
    func waitForRefresh() async {
        await refreshTask?.value
    }

    // MARK: - Loading

    /// A fetch, else the current entry if still valid, the disk copy, the bundled fallback.
    /// With nothing left: `.trust` when a copy was refused (the first refusal underneath),
    /// else `.unavailable`. The log says which, once per outage.
    private func load() async throws -> Entry {
        do {
            return try await fetchAndInstall()
        } catch {
            failed(error)
            var refusal = error as? ManifestRefusal
            if let entry, !isExpired(entry.manifest) { return entry }
            if let disk {
                noteFolder(disk)
                if let stored = disk.load() {
                    do {
                        let entry = try install(bytes: stored.bytes, signature: stored.signature, etag: stored.etag, source: "disk")
                        logger.info("serving the last-known-good manifest from disk", metadata: ["event": "disk-copy", "version": "\(entry.manifest.version)"])
                        return entry
                    } catch {
                        logger.info("the disk copy was refused", metadata: ["event": "disk-refused", "error": "\(error)"])
                        refusal = refusal ?? error as? ManifestRefusal
                    }
                }
            }
            if let fallback {
                do {
                    let entry = try installFallback(fallback)
                    logger.info("serving the bundled fallback manifest", metadata: ["event": "fallback", "version": "\(entry.manifest.version)"])
                    return entry
                } catch {
                    refusal = refusal ?? error as? ManifestRefusal
                }
            }
            logger.log(level: toldNoCopy ? .debug : .info, "no manifest copy to serve", metadata: ["event": "no-copy", "url": "\(manifestURL)"])
            toldNoCopy = true
            if let refusal {
                throw FolioClientError(
                    kind: .trust, message: "no manifest can be trusted: \(refusal.message); and there is no other good copy (disk or bundled fallback)", underlying: refusal)
            }
            throw FolioClientError(kind: .unavailable, message: "no manifest is available: \(manifestURL) failed (\(error)), and there is no usable disk copy or fallback snapshot", underlying: error)
        }
    }

    /// Logs a cache folder that is not used, once per problem.
    private func noteFolder(_ disk: DiskCache) {
        guard let problem = disk.problem(), problem != toldFolder else { return }
        logger.info("the cache folder is not used", metadata: ["event": "cache-folder-refused", "folder": "\(disk.folder.path)", "problem": "\(problem)"])
        toldFolder = problem
    }

    private func refresh() async {
        defer { refreshTask = nil }
        do {
            _ = try await fetchAndInstall()
        } catch {
            nextRefresh = clock.monotonic() + min(ttl, .seconds(10))
            failed(error)
        }
    }

    /// Logs a failed fetch: at info for the first of an outage, at debug for the others.
    private func failed(_ error: any Error) {
        failures += 1
        logger.log(
            level: failures == 1 ? .info : .debug, "manifest fetch failed",
            metadata: ["event": "fetch-failed", "url": "\(manifestURL)", "error": "\(error)", "failures": "\(failures)"])
    }

    /// Logs the end of an outage.
    private func succeeded() {
        if failures > 0 { logger.info("manifest fetch works again", metadata: ["event": "recovered", "url": "\(manifestURL)", "failures": "\(failures)"]) }
        failures = 0
        toldNoCopy = false
    }

    private func fetchAndInstall() async throws -> Entry {
        let entry = try await fetchOnce()
        succeeded()
        return entry
    }

    private func fetchOnce() async throws -> Entry {
        let deadline = fetcher.loadDeadline()
        switch try await fetcher.get(manifestURL, etag: entry?.etag, until: deadline) {
        case .notModified:
            guard let entry else { throw FolioClientError(kind: .unavailable, message: "\(manifestURL) answered 304 without a cached copy") }
            return try renewed(entry)
        case .fresh(let bytes, let etag):
            if let entry, entry.bytes == bytes { return try renewed(entry) }
            let signature = try await fetchSignature(of: bytes, until: deadline)
            return try install(bytes: bytes, signature: signature, etag: etag, source: "server")
        }
    }

    /// The signature of these manifest bytes: `signatures/<sha256>.sig` beside the manifest,
    /// which a rebuild never replaces, so the pair cannot be torn; a `dist/` built before
    /// those existed has only `manifest.json.sig`.
    private func fetchSignature(of bytes: Data, until deadline: ContinuousClock.Instant) async throws -> Data {
        let addressed = manifestURL.deletingLastPathComponent().appendingPathComponent(Manifest.signaturePath(sha256: ContentHash.sha256Hex(bytes)))
        let outcome: ManifestFetcher.Outcome
        do {
            outcome = try await fetcher.get(addressed, until: deadline)
        } catch let error as FetchError where error.status == 404 {
            outcome = try await fetcher.get(manifestURL.appendingPathExtension("sig"), until: deadline)
        }
        guard case .fresh(let signature, _) = outcome else {
            throw FolioClientError(kind: .unavailable, message: "the manifest signature answered 304 to an unconditional request")
        }
        return signature
    }

    /// Verifies and installs a manifest: signature, schema, expiry and rollback protection
    /// (against the highest version seen here and, for the server's, the signed disk copy).
    private func install(bytes: Data, signature: Data, etag: String?, source: String) throws -> Entry {
        let highest = max(highestVersion, source == "server" ? signedDiskVersion() : 0)
        let manifest = try verifier.check(bytes, signature: signature, highestSeen: highest, now: clock.wallClock(), source: source)
        let entry = Entry(manifest: manifest, prompts: try Self.compileAll(manifest), etag: etag, bytes: bytes, signature: signature)
        self.entry = entry
        markFresh(entry)
        nextRefresh = nil
        highestVersion = max(highestVersion, manifest.version)
        if source == "server", let disk {
            noteFolder(disk)
            disk.store(bytes: bytes, signature: signature, etag: etag)
            diskHighest = max(diskHighest ?? 0, manifest.version)
        }
        return entry
    }

    /// The version of the signed copy on disk: what rollback protection remembers across
    /// restarts (checked once; an unsigned or foreign copy counts as none).
    private func signedDiskVersion() -> Int {
        if let diskHighest { return diskHighest }
        let stored = disk?.load()
        let version = stored.flatMap { try? verifier.verify($0.bytes, signature: $0.signature).version } ?? 0
        diskHighest = version
        return version
    }

    /// The bundled snapshot ships inside the app, so it is trusted without a signature.
    private func installFallback(_ bytes: Data) throws -> Entry {
        let manifest = try JSONDecoder.folio.decode(Manifest.self, from: bytes)
        guard !isExpired(manifest) else {
            throw ManifestRefusal(kind: .expired, message: "the bundled fallback manifest expired at \(manifest.expires!)")
        }
        let entry = Entry(manifest: manifest, prompts: try Self.compileAll(manifest), etag: nil, bytes: bytes, signature: Data())
        self.entry = entry
        markFresh(entry)
        return entry
    }

    /// The same manifest again: fresh for another TTL, unless it is past its `expires` (the
    /// server still having it does not make it valid again).
    private func renewed(_ entry: Entry) throws -> Entry {
        guard !isExpired(entry.manifest) else {
            throw ManifestRefusal(kind: .expired, message: "the manifest from the server expired at \(entry.manifest.expires!)")
        }
        markFresh(entry)
        return entry
    }

    private func markFresh(_ entry: Entry) {
        let now = clock.monotonic()
        fetchedAt = now
        snapshot.update(entry, freshUntil: now + ttl)
    }

    func isExpired(_ manifest: Manifest) -> Bool {
        manifest.expires.map { $0 < clock.wallClock() } ?? false
    }

    static func compileAll(_ manifest: Manifest) throws -> [String: (prompt: CompiledPrompt, version: Int)] {
        try manifest.prompts.mapValues { (try compile($0), $0.version) }
    }

    static func compile(_ file: ManifestPrompt) throws -> CompiledPrompt {
        do {
            return try CompiledPrompt(file.prompt, version: "v\(file.version)", partials: file.partials)
        } catch {
            throw FolioClientError(kind: .render, message: error.message)
        }
    }
}
