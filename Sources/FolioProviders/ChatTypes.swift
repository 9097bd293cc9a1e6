import FolioModel

/// One chat message sent to a model.
public struct LLMMessage: Sendable, Equatable, Codable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// What an evaluation asks a model: everything that decides the answer, and nothing
/// secret (API keys travel in the provider, never in the request), so its hash is a
/// safe cache key.
public struct ChatRequest: Sendable, Equatable, Codable {
    public var model: String
    public var messages: [LLMMessage]
    public var temperature: Double?
    public var maxTokens: Int?

    public init(model: String, messages: [LLMMessage], temperature: Double? = nil, maxTokens: Int? = nil) {
        self.model = model
        self.messages = messages
        self.temperature = temperature
        self.maxTokens = maxTokens
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, temperature
        case maxTokens = "max_tokens"
    }
}

/// A model's answer with what it cost.
public struct ChatResponse: Sendable, Equatable, Codable {
    public var text: String
    /// The model that answered, when the provider says.
    public var model: String?
    /// Nil when the provider sent no usage: shown as n/a, and the cost is unknown.
    public var inputTokens: Int?
    public var outputTokens: Int?
    /// Seconds from sending to the whole answer (the original call's, for a cache hit).
    public var latency: Double

    public init(text: String, model: String? = nil, inputTokens: Int? = nil, outputTokens: Int? = nil, latency: Double) {
        self.text = text
        self.model = model
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.latency = latency
    }

    enum CodingKeys: String, CodingKey {
        case text, model, latency
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
    }
}

/// An LLM endpoint. `sample` numbers the repeats of one request (0, 1, …) so a replay can
/// answer each repeat with what was recorded for it.
public protocol ChatProvider: Sendable {
    /// The name in folio.yaml (`openai`, `local`, …).
    var name: String { get }
    var kind: ProviderConfig.Kind { get }
    /// The base URL (or command, or folder) that, with the request, decides the answer.
    var endpoint: String { get }
    func complete(_ request: ChatRequest, sample: Int) async throws -> ChatResponse
    /// Embedding vectors, one per text, for `similar` assertions.
    func embed(_ texts: [String], model: String) async throws -> [[Double]]
}

extension ChatProvider {
    public func embed(_ texts: [String], model: String) async throws -> [[Double]] {
        throw ProviderError(.unsupported, provider: name, "provider '\(name)' (\(kind.rawValue)) has no embeddings endpoint", hint: "point `similar` assertions at an openai-kind provider")
    }
}
