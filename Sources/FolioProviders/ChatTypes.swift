import FolioModel

/// One chat message sent to a model.
package struct LLMMessage: Sendable, Equatable, Codable {
    package var role: String
    package var content: String

    package init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// What an evaluation asks a model: everything that decides the answer, and nothing
/// secret (API keys travel in the provider, never in the request), so its hash is a
/// safe cache key.
package struct ChatRequest: Sendable, Equatable, Codable {
    package var model: String
    package var messages: [LLMMessage]
    package var temperature: Double?
    package var maxTokens: Int?

    package init(model: String, messages: [LLMMessage], temperature: Double? = nil, maxTokens: Int? = nil) {
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
package struct ChatResponse: Sendable, Equatable, Codable {
    package var text: String
    /// The model that answered, when the provider says.
    package var model: String?
    /// Nil when the provider sent no usage: shown as n/a, and the cost is unknown.
    package var inputTokens: Int?
    package var outputTokens: Int?
    /// Seconds from sending to the whole answer (the original call's, for a cache hit).
    package var latency: Double

    package init(text: String, model: String? = nil, inputTokens: Int? = nil, outputTokens: Int? = nil, latency: Double) {
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
package protocol ChatProvider: Sendable {
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
    package func embed(_ texts: [String], model: String) async throws -> [[Double]] {
        throw ProviderError(.unsupported, provider: name, "provider '\(name)' (\(kind.rawValue)) has no embeddings endpoint", hint: "point `similar` assertions at an openai-kind provider")
    }
}
