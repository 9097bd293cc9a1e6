import Foundation

/// `dist/<env>/manifest.json` (`schema: folio/manifest@1`): an environment's current
/// prompts, signed next to it (namespace `folio-manifest`): `signatures/<sha256>.sig`, named
/// by the manifest's sha256 so it never changes, and `manifest.json.sig`, the current one.
public struct Manifest: Sendable, Equatable, Codable {
    public static let schema = "folio/manifest@1"
    public static let signatureNamespace = "folio-manifest"

    /// Where the signature of a manifest with this sha256 (lowercase hex) lies, relative to
    /// the manifest's folder. Clients fetch this one: the pair cannot be torn by a rebuild.
    public static func signaturePath(sha256: String) -> String { "signatures/\(sha256).sig" }

    public var schema: String
    public var environment: String
    /// The environment's latest promotion sequence: it only grows.
    public var version: Int
    /// The time of that promotion (from git), so the same state gives the same bytes.
    public var generatedAt: Date
    /// After this time the manifest must not be served (only with `folio build --expires`).
    public var expires: Date?
    public var source: ManifestSource
    public var prompts: [String: ManifestPrompt]
    /// The sha256 of every version file of this environment's history, by path, so a
    /// client can check a pinned version's file against the signed manifest.
    public var versionFiles: [String: String]

    public init(environment: String, version: Int, generatedAt: Date, expires: Date?, source: ManifestSource, prompts: [String: ManifestPrompt], versionFiles: [String: String]) {
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
public struct ManifestSource: Sendable, Equatable, Codable {
    public var commit: String
    public var tag: String

    public init(commit: String, tag: String) {
        self.commit = commit
        self.tag = tag
    }
}

/// Who promoted a version, when and why.
public struct ManifestPromotion: Sendable, Equatable, Codable {
    public var tag: String
    public var sequence: Int
    public var by: String
    public var email: String
    public var at: Date
    public var note: String
    public var replaces: Int?

    public init(tag: String, sequence: Int, by: String, email: String, at: Date, note: String, replaces: Int?) {
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
public struct ManifestPrompt: Sendable, Equatable, Codable {
    public static let schema = "folio/prompt-version@1"

    public var schema: String
    public var name: String
    public var version: Int
    public var blob: String
    public var description: String?
    public var model: ModelSettings?
    public var variables: [PromptVariable]
    public var messages: [PromptMessage]
    public var output: OutputSpec?
    /// The partials the messages include, as they were at the version's first commit.
    public var partials: [String: String]
    /// In a manifest: the sha256 of the version file, and the promotion.
    public var sha256: String?
    public var promotion: ManifestPromotion?

    public init(name: String, version: Int, blob: String, prompt: Prompt, partials: [String: String]) {
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
    public var prompt: Prompt {
        Prompt(name: name, description: description, model: model, variables: variables, messages: messages, output: output)
    }

    /// The version file's path inside `dist/`.
    public static func path(name: String, version: Int) -> String { "prompts/\(name)/\(version).json" }
}

extension JSONEncoder {
    /// The encoder every Folio file uses: sorted keys, ISO 8601 dates, no escaped slashes,
    /// so the same value always gives the same bytes.
    public static var folio: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

extension JSONDecoder {
    public static var folio: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
