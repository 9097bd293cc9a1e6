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
    public enum Kind: Sendable, Equatable {
        /// No manifest could be had: server, disk copy and bundled snapshot all failed.
        case unavailable
        case unknownPrompt
        case unknownVersion
        case render
        case invalidConfiguration
    }

    public let kind: Kind
    public let message: String

    public var description: String { message }
}
