import AsyncHTTPClient
import Foundation
import FolioModel
import FolioTemplate
import Logging
import NIOCore

/// Renders prompts from a signed Folio manifest, with a cache that survives outages.
///
/// ```swift
/// let folio = try FolioClient(manifestURL: url, publicKeys: ["ssh-ed25519 AAAA… ops"])
/// let prompt = try await folio.render("support_ticket_triage", variables: ["ticket_text": text])
/// prompt.messages   // [ChatMessage]
/// prompt.version    // 2
/// ```
public final class FolioClient: Sendable {
    let store: ManifestStore

    /// - Parameters:
    ///   - manifestURL: `…/<env>/manifest.json` on `folio serve` or any static host.
    ///   - publicKeys: OpenSSH public key lines (`ssh-ed25519 AAAA… comment`) whose
    ///     signatures are trusted.
    ///   - cacheTTL: how long a manifest is used before a background refresh.
    ///   - cacheDirectory: where the last-known-good manifest is kept for cold starts.
    ///   - fallbackManifest: a bundled `manifest.json` snapshot, used when neither the server
    ///     nor the disk copy is available.
    public convenience init(manifestURL: URL, publicKeys: [String], cacheTTL: Duration = .seconds(300), cacheDirectory: URL? = nil, fallbackManifest: Data? = nil) throws {
        try self.init(manifestURL: manifestURL, publicKeys: publicKeys, cacheTTL: cacheTTL, cacheDirectory: cacheDirectory,
                      fallbackManifest: fallbackManifest, requestTimeout: .seconds(5), attempts: 3, logger: Logger(label: "folio.client"))
    }

    /// The full initializer: request timeout, attempts per fetch and the logger.
    public init(manifestURL: URL, publicKeys: [String], cacheTTL: Duration, cacheDirectory: URL?, fallbackManifest: Data?,
                requestTimeout: Duration, attempts: Int, logger: Logger) throws {
        let verifier = try ManifestVerifier(publicKeys: publicKeys)
        let timeout = TimeAmount.nanoseconds(Int64(requestTimeout.components.seconds) * 1_000_000_000 + requestTimeout.components.attoseconds / 1_000_000_000)
        store = ManifestStore(
            manifestURL: manifestURL, ttl: cacheTTL, verifier: verifier,
            fetcher: ManifestFetcher(timeout: timeout, attempts: max(1, attempts)),
            disk: cacheDirectory.map { DiskCache(root: $0, manifestURL: manifestURL) },
            fallback: fallbackManifest, logger: logger
        )
    }

    /// Renders a prompt by name (`"name"` for the published version, `"name@2"` to pin version 2).
    nonisolated(nonsending) public func render(_ name: String, variables: [String: String]) async throws -> RenderedPrompt {
        // A fresh hit needs no async frame for the lookup.
        let compiled: (prompt: CompiledPrompt, version: Int, pinned: Bool)
        if let fresh = freshCompiled(name) { compiled = fresh } else { compiled = try await self.compiled(name) }
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
        let compiled = try await compiled(name)
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
        let compiled = try await compiled(name)
        return PromptVersionInfo(name: compiled.prompt.prompt.name, version: compiled.version, status: compiled.pinned ? .pinned : .published)
    }

    /// A published prompt from a fresh manifest, without suspending; nil otherwise.
    private func freshCompiled(_ reference: String) -> (prompt: CompiledPrompt, version: Int, pinned: Bool)? {
        guard let published = store.snapshot.fresh(now: ContinuousClock.now)?.prompts[reference] else { return nil }
        return (published.prompt, published.version, false)
    }

    nonisolated(nonsending) private func compiled(_ reference: String) async throws -> (prompt: CompiledPrompt, version: Int, pinned: Bool) {
        // The hot path: a published prompt in a fresh manifest, found before anything else.
        let fresh = store.snapshot.fresh(now: ContinuousClock.now)
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
