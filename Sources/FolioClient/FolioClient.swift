import AsyncHTTPClient
import Foundation
import FolioModel
import FolioTemplate
import Logging

/// Renders prompts from a signed Folio manifest, with a cache that survives outages.
///
/// ```swift
/// let folio = try FolioClient(manifestURL: url, publicKeys: ["ssh-ed25519 AAAA… ops"])
/// let prompt = try await folio.render("support_ticket_triage", variables: ["ticket_text": text])
/// prompt.messages   // [ChatMessage]
/// prompt.version    // 2
/// ```
public final class FolioClient: Sendable {
    /// The clocks the cache runs on: a monotonic one for the TTL and retry pauses, and
    /// wall-clock time for a manifest's `expires`. Tests pass clocks they move by hand.
    public struct Clock: Sendable {
        /// Time since any fixed point; never goes back.
        public var monotonic: @Sendable () -> Duration
        public var wallClock: @Sendable () -> Date

        public init(monotonic: @escaping @Sendable () -> Duration, wallClock: @escaping @Sendable () -> Date) {
            self.monotonic = monotonic
            self.wallClock = wallClock
        }

        /// `ContinuousClock` and the system's date.
        public static let system: Clock = {
            let origin = ContinuousClock.now
            return Clock(monotonic: { ContinuousClock.now - origin }, wallClock: { Date() })
        }()
    }

    /// Everything a client is made from. Only the manifest's URL and the pinned keys are
    /// required.
    public struct Configuration: Sendable {
        /// `…/<env>/manifest.json` on `folio serve` or any static host.
        public var manifestURL: URL
        /// OpenSSH public key lines (`ssh-ed25519 AAAA… comment`) whose manifest signatures
        /// are trusted.
        public var publicKeys: [String]
        /// How long a manifest is used before a background refresh.
        public var cacheTTL: Duration = .seconds(300)
        /// Where the last-known-good manifest is kept for cold starts during an outage.
        public var cacheDirectory: URL?
        /// A bundled `manifest.json`, used when neither the server nor the disk copy is
        /// available (trusted without a signature: it ships inside the app).
        public var fallbackManifest: Data?
        /// How long one request may take, from connecting to the last byte of the body.
        public var requestTimeout: Duration = .seconds(5)
        /// How long one load (every attempt, with backoff, for the manifest and its
        /// signature) may take before the client falls back to a copy: the longest a cold
        /// start waits for a server that does not answer.
        public var loadTimeout: Duration = .seconds(5)
        /// Tries per fetch, with backoff, within `loadTimeout`.
        public var attempts = 3
        /// The largest manifest or version file accepted, in bytes: a larger body is refused
        /// while it arrives (at once, from its `Content-Length`), never read whole.
        public var maxManifestBytes = 32 * 1024 * 1024
        /// Where the client logs (at info and below: one message when an outage starts,
        /// one when it ends).
        public var logger = Logger(label: "folio.client")
        public var clock: Clock = .system

        public init(manifestURL: URL, publicKeys: [String]) {
            self.manifestURL = manifestURL
            self.publicKeys = publicKeys
        }
    }

    let store: ManifestStore
    private let clock: Clock

    public init(_ configuration: Configuration) throws {
        let verifier = try ManifestVerifier(publicKeys: configuration.publicKeys)
        clock = configuration.clock
        store = ManifestStore(
            manifestURL: configuration.manifestURL, ttl: configuration.cacheTTL, verifier: verifier,
            fetcher: ManifestFetcher(
                timeout: configuration.requestTimeout, attempts: max(1, configuration.attempts), loadTimeout: configuration.loadTimeout,
                maximumBytes: configuration.maxManifestBytes),
            disk: configuration.cacheDirectory.map { DiskCache(root: $0, manifestURL: configuration.manifestURL, maximumBytes: configuration.maxManifestBytes) },
            fallback: configuration.fallbackManifest, logger: configuration.logger, clock: configuration.clock
        )
    }

    /// The common case: the manifest's URL, the pinned keys, and optionally the cache.
    public convenience init(manifestURL: URL, publicKeys: [String], cacheTTL: Duration = .seconds(300), cacheDirectory: URL? = nil, fallbackManifest: Data? = nil) throws {
        var configuration = Configuration(manifestURL: manifestURL, publicKeys: publicKeys)
        configuration.cacheTTL = cacheTTL
        configuration.cacheDirectory = cacheDirectory
        configuration.fallbackManifest = fallbackManifest
        try self.init(configuration)
    }

    /// Renders a prompt by name (`"name"` for the published version, `"name@2"` to pin version 2).
    nonisolated(nonsending) public func render(_ name: String, variables: [String: String]) async throws -> RenderedPrompt {
        // A fresh hit needs no async frame for the lookup.
        let compiled: (prompt: CompiledPrompt, version: Int, pinned: Bool)
        if let fresh = freshCompiled(name) { compiled = fresh } else { compiled = try await self.wrapped { try await self.compiled(name) } }
        do {
            let roles = compiled.prompt.roles
            var messages: [ChatMessage] = []
            messages.reserveCapacity(roles.count)
            try compiled.prompt.renderTexts(strings: variables) { index, text in messages.append(ChatMessage(role: roles[index], content: text)) }
            return RenderedPrompt(name: compiled.prompt.name, version: compiled.version, messages: messages, model: compiled.prompt.model, values: .strings(variables))
        } catch {
            throw FolioClientError(kind: .render, message: error.message)
        }
    }

    /// Renders with richer values (lists and objects for sections).
    nonisolated(nonsending) public func render(_ name: String, values: [String: JSONValue]) async throws -> RenderedPrompt {
        let compiled = try await wrapped { try await self.compiled(name) }
        do {
            let messages = try compiled.prompt.render(values)
            return RenderedPrompt(
                name: compiled.prompt.prompt.name, version: compiled.version,
                messages: messages.map { ChatMessage(role: $0.role, content: $0.content) }, model: compiled.prompt.prompt.model,
                values: .json(values)
            )
        } catch {
            throw FolioClientError(kind: .render, message: error.message)
        }
    }

    /// Which version of `name` is served.
    nonisolated(nonsending) public func version(of name: String) async throws -> PromptVersionInfo {
        let compiled = try await wrapped { try await self.compiled(name) }
        return PromptVersionInfo(name: compiled.prompt.prompt.name, version: compiled.version, status: compiled.pinned ? .pinned : .published)
    }

    /// Every error the public API throws is a `FolioClientError`.
    nonisolated(nonsending) private func wrapped<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch {
            throw FolioClientError.wrapping(error)
        }
    }

    /// A published prompt from a fresh manifest, without suspending; nil otherwise.
    private func freshCompiled(_ reference: String) -> (prompt: CompiledPrompt, version: Int, pinned: Bool)? {
        guard let published = store.snapshot.fresh(now: clock.monotonic(), date: clock.wallClock())?.prompts[reference] else { return nil }
        return (published.prompt, published.version, false)
    }

    nonisolated(nonsending) private func compiled(_ reference: String) async throws -> (prompt: CompiledPrompt, version: Int, pinned: Bool) {
        // The hot path: a published prompt in a fresh manifest, found before anything else.
        let fresh = store.snapshot.fresh(now: clock.monotonic(), date: clock.wallClock())
        if let published = fresh?.prompts[reference] { return (published.prompt, published.version, false) }
        if reference.utf8.contains(UInt8(ascii: "@")) {
            let parts = reference.split(separator: "@", maxSplits: 1).map(String.init)
            guard let version = Int(parts[1].hasPrefix("v") ? String(parts[1].dropFirst()) : parts[1]), version > 0 else {
                throw FolioClientError(kind: .unknownVersion, message: "'\(reference)' does not pin a version: write name@<number>")
            }
            if let cached = store.snapshot.pinned("\(parts[0])@\(version)") { return (cached, version, true) }
            return (try await store.pinned(parts[0], version: version), version, true)
        }
        let entry: ManifestStore.Entry
        if let fresh {
            entry = fresh
        } else {
            entry = try await store.current()
        }
        guard let published = entry.prompts[reference] else {
            let known = entry.manifest.prompts.keys.sorted().joined(separator: ", ")
            throw FolioClientError(kind: .unknownPrompt, message: "prompt '\(reference)' is not in the \(entry.manifest.environment) manifest (version \(entry.manifest.version)); it has \(known)")
        }
        return (published.prompt, published.version, false)
    }
}
