import FolioModel

/// A chat message, ready for any chat API.
public struct ChatMessage: Sendable, Equatable, Codable {
    public let role: String
    public let content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// A prompt rendered by `FolioClient.render`.
public struct RenderedPrompt: Sendable, Equatable {
    public let name: String
    /// The prompt version that was rendered.
    public let version: Int
    public let messages: [ChatMessage]
    /// The model settings the prompt asks for (provider, name, temperature, max tokens).
    public let model: ModelSettings?
    /// The values it was rendered with, kept as given (converted only when asked for).
    let values: Values

    enum Values: Sendable, Equatable {
        case strings([String: String])
        case json([String: JSONValue])
    }

    /// The values it was rendered with (recorded on spans with `captureContent`).
    public var variables: [String: JSONValue] {
        switch values {
        case .strings(let strings): return strings.mapValues(JSONValue.string)
        case .json(let json): return json
        }
    }

    public init(name: String, version: Int, messages: [ChatMessage], model: ModelSettings?, variables: [String: JSONValue] = [:]) {
        self.init(name: name, version: version, messages: messages, model: model, values: .json(variables))
    }

    init(name: String, version: Int, messages: [ChatMessage], model: ModelSettings?, values: Values) {
        self.name = name
        self.version = version
        self.messages = messages
        self.model = model
        self.values = values
    }
}

/// Which version of a prompt the client serves, and in what state.
public struct PromptVersionInfo: Sendable, Equatable, CustomStringConvertible {
    public enum Status: String, Sendable, CustomStringConvertible {
        /// The environment's current version, from the manifest.
        case published
        /// A version the caller pinned with `name@N`.
        case pinned

        public var description: String { rawValue }
    }

    public let name: String
    public let version: Int
    public let status: Status

    public var description: String { "\(name) v\(version) (\(status))" }
}

/// Why the client could not serve a prompt. Messages name the prompt, version and variable.
public struct FolioClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure: compare with the static members (`error.kind == .render`). A
    /// struct, not an enum, so that kinds can be added without breaking a `switch`.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Code: String {
            case unavailable, trust, unknownPrompt = "unknown_prompt", unknownVersion = "unknown_version"
            case render, invalidConfiguration = "invalid_configuration"
        }

        private let code: Code

        /// No manifest could be had (the server failed and there is no good copy in memory,
        /// on disk or bundled), or a pinned version's file could not be fetched.
        public static let unavailable = Kind(code: .unavailable)
        /// A manifest or a version file failed a check (signature, key, namespace, rollback,
        /// expiry, schema, sha256) and no good copy is left to serve: `underlying` says which.
        public static let trust = Kind(code: .trust)
        /// The prompt is not in the manifest.
        public static let unknownPrompt = Kind(code: .unknownPrompt)
        /// The pinned version was never published, or the reference pins none.
        public static let unknownVersion = Kind(code: .unknownVersion)
        /// The variables do not fit the prompt (missing, unknown, wrong type, outside the enum).
        public static let render = Kind(code: .render)
        /// The client was set up wrong (a public key that does not parse, none at all).
        public static let invalidConfiguration = Kind(code: .invalidConfiguration)

        public var description: String { code.rawValue }
    }

    public let kind: Kind
    public let message: String
    /// The failure underneath (a fetch, a refused signature, a file that does not
    /// decode), when there was one; `message` already says what it was.
    public let underlying: (any Error)?

    init(kind: Kind, message: String, underlying: (any Error)? = nil) {
        self.kind = kind
        self.message = message
        self.underlying = underlying
    }

    /// Any error as the SDK reports it: its own errors as they are, others wrapped.
    static func wrapping(_ error: any Error) -> FolioClientError {
        if let error = error as? FolioClientError { return error }
        return FolioClientError(kind: .unavailable, message: "\(error)", underlying: error)
    }

    public var description: String { message }

    public static func == (lhs: FolioClientError, rhs: FolioClientError) -> Bool {
        lhs.kind == rhs.kind && lhs.message == rhs.message
    }
}
