import Foundation

/// `dist/<env>/manifest.json` (`schema: folio/manifest@1`): an environment's current
/// prompts, signed next to it (namespace `folio-manifest`): `signatures/<sha256>.sig`, named
/// by the manifest's sha256 so it never changes, and `manifest.json.sig`, the current one.
package struct Manifest: Sendable, Equatable, Codable {
    package static let schema = "folio/manifest@1"
    package static let signatureNamespace = "folio-manifest"

    /// Where the signature of a manifest with this sha256 (lowercase hex) lies, relative to
    /// the manifest's folder. Clients fetch this one: the pair cannot be torn by a rebuild.
    package static func signaturePath(sha256: String) -> String { "signatures/\(sha256).sig" }

    package var schema: String
    package var environment: String
    /// The environment's latest promotion sequence: it only grows.
    package var version: Int
    /// The time of that promotion (from git), so the same state gives the same bytes.
    package var generatedAt: Date
    /// After this time the manifest must not be served (only with `folio build --expires`).
    package var expires: Date?
    package var source: ManifestSource
    package var prompts: [String: ManifestPrompt]
    /// The sha256 of every version file of this environment's history, by path, so a
    /// client can check a pinned version's file against the signed manifest.
    package var versionFiles: [String: String]

    package init(environment: String, version: Int, generatedAt: Date, expires: Date?, source: ManifestSource, prompts: [String: ManifestPrompt], versionFiles: [String: String]) {
        schema = Self.schema
        self.environment = environment
        self.version = version
        self.generatedAt = generatedAt
        self.expires = expires
        self.source = source
        self.prompts = prompts
        self.versionFiles = versionFiles
    }

    enum CodingKeys: String, CodingKey {
        case schema, environment, version, expires, source, prompts
        case generatedAt = "generated_at"
        case versionFiles = "version_files"
    }
}

/// Where a manifest came from.
package struct ManifestSource: Sendable, Equatable, Codable {
    package var commit: String
    package var tag: String

    package init(commit: String, tag: String) {
        self.commit = commit
        self.tag = tag
    }
}

/// Who promoted a version, when and why.
package struct ManifestPromotion: Sendable, Equatable, Codable {
    package var tag: String
    package var sequence: Int
    package var by: String
    package var email: String
    package var at: Date
    package var note: String
    package var replaces: Int?

    package init(tag: String, sequence: Int, by: String, email: String, at: Date, note: String, replaces: Int?) {
        self.tag = tag
        self.sequence = sequence
        self.by = by
        self.email = email
        self.at = at
        self.note = note
        self.replaces = replaces
    }
}

/// One prompt version with everything needed to render it (`dist/prompts/<name>/<version>.json`,
/// `schema: folio/prompt-version@1`), and, inside a manifest, its promotion.
package struct ManifestPrompt: Sendable, Equatable, Codable {
    package static let schema = "folio/prompt-version@1"

    package var schema: String
    package var name: String
    package var version: Int
    package var blob: String
    package var description: String?
    package var model: ModelSettings?
    package var variables: [PromptVariable]
    package var messages: [PromptMessage]
    package var output: OutputSpec?
    /// The partials the messages include, as they were at the version's first commit.
    package var partials: [String: String]
    /// In a manifest: the sha256 of the version file, and the promotion.
    package var sha256: String?
    package var promotion: ManifestPromotion?

    package init(name: String, version: Int, blob: String, prompt: Prompt, partials: [String: String]) {
        schema = Self.schema
        self.name = name
        self.version = version
        self.blob = blob
        description = prompt.description
        model = prompt.model
        variables = prompt.variables
        messages = prompt.messages
        output = prompt.output
        self.partials = partials
    }

    /// The prompt, for rendering.
    package var prompt: Prompt {
        Prompt(name: name, description: description, model: model, variables: variables, messages: messages, output: output)
    }

    /// The version file's path inside `dist/`.
    package static func path(name: String, version: Int) -> String { "prompts/\(name)/\(version).json" }
}

extension JSONEncoder {
    /// The encoder every Folio file uses: sorted keys, ISO 8601 dates, no escaped slashes,
    /// so the same value always gives the same bytes.
    package static var folio: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

extension JSONDecoder {
    package static var folio: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
