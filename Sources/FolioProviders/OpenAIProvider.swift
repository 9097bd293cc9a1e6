import FolioModel
import Foundation

/// Any OpenAI-compatible `/chat/completions` endpoint (OpenAI, Azure, vLLM, Ollama,
/// llama.cpp, LM Studio, …), plus `/embeddings` for `similar` assertions.
package struct OpenAIProvider: ChatProvider {
    package let name: String
    package var kind: ProviderConfig.Kind { .openai }
    package let endpoint: String
    let apiKey: String?
    let headers: [String: String]
    let transport: HTTPTransport

    package init(name: String, baseURL: String, apiKey: String?, headers: [String: String] = [:], timeout: Double = 60) {
        self.name = name
        endpoint = HTTPTransport.withoutTrailingSlash(baseURL)
        self.apiKey = apiKey
        self.headers = headers
        transport = HTTPTransport(provider: name, timeout: timeout, secrets: apiKey.map { [$0] } ?? [])
    }

    var requestHeaders: [(String, String)] {
        var result = headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if let apiKey { result.append(("Authorization", "Bearer \(apiKey)")) }
        return result
    }

    package func complete(_ request: ChatRequest, sample: Int) async throws -> ChatResponse {
        var body: [String: JSONValue] = ["model": .string(request.model), "messages": JSONBody.messages(request.messages)]
        if let temperature = request.temperature { body["temperature"] = .number(temperature) }
        if let maxTokens = request.maxTokens { body["max_tokens"] = .number(Double(maxTokens)) }
        let url = endpoint + "/chat/completions"
        let (data, latency) = try await transport.post(url, json: JSONValue.object(body).encoded, headers: requestHeaders)
        guard let object = JSONBody.object(data) else { throw transport.malformed(url, "the body is not a JSON object", body: data) }
        guard let message = object["choices"]?.arrayValue?.first?["message"], case .object = message else {
            throw transport.malformed(url, "it has no choices[0].message", body: data)
        }
        // An answer that repeats the key (a model can be talked into it) must not carry it
        // into reports, the cache or recordings.
        let text = transport.redacted(message["content"]?.stringValue ?? "")
        let usage = object["usage"]
        return ChatResponse(
            text: text, model: object["model"]?.stringValue,
            inputTokens: usage?["prompt_tokens"]?.integerValue, outputTokens: usage?["completion_tokens"]?.integerValue,
            latency: latency
        )
    }

    package func embed(_ texts: [String], model: String) async throws -> [[Double]] {
        let url = endpoint + "/embeddings"
        let body = JSONValue.object(["model": .string(model), "input": .array(texts.map(JSONValue.string))])
        let (data, _) = try await transport.post(url, json: body.encoded, headers: requestHeaders)
        guard let items = JSONBody.object(data)?["data"]?.arrayValue, items.count == texts.count else {
            throw transport.malformed(url, "it has no data[] with one embedding per input", body: data)
        }
        let ordered = items.sorted { ($0["index"]?.integerValue ?? 0) < ($1["index"]?.integerValue ?? 0) }
        return try ordered.map { item in
            let vector = item["embedding"]?.arrayValue?.compactMap(\.numberValue)
            guard let vector, vector.count == item["embedding"]?.arrayValue?.count else {
                throw transport.malformed(url, "an embedding is not a list of numbers", body: data)
            }
            return vector
        }
    }
}

/// Anthropic's Messages API: `x-api-key`, `anthropic-version`, the system prompt as its
/// own field, `usage.input_tokens` / `output_tokens`.
package struct AnthropicProvider: ChatProvider {
    package static let defaultBaseURL = "https://api.anthropic.com/v1"
    package static let version = "2023-06-01"
    package let name: String
    package var kind: ProviderConfig.Kind { .anthropic }
    package let endpoint: String
    let apiKey: String?
    let headers: [String: String]
    let transport: HTTPTransport

    package init(name: String, baseURL: String?, apiKey: String?, headers: [String: String] = [:], timeout: Double = 60) {
        self.name = name
        endpoint = HTTPTransport.withoutTrailingSlash(baseURL ?? Self.defaultBaseURL)
        self.apiKey = apiKey
        self.headers = headers
        transport = HTTPTransport(provider: name, timeout: timeout, secrets: apiKey.map { [$0] } ?? [])
    }

    package func complete(_ request: ChatRequest, sample: Int) async throws -> ChatResponse {
        let system = request.messages.filter { $0.role == "system" }.map(\.content).joined(separator: "\n\n")
        var body: [String: JSONValue] = [
            "model": .string(request.model),
            "max_tokens": .number(Double(request.maxTokens ?? 1024)),
            "messages": JSONBody.messages(request.messages.filter { $0.role != "system" }),
        ]
        if !system.isEmpty { body["system"] = .string(system) }
        if let temperature = request.temperature { body["temperature"] = .number(temperature) }
        var sent = headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        sent.append(("anthropic-version", Self.version))
        if let apiKey { sent.append(("x-api-key", apiKey)) }
        let url = endpoint + "/messages"
        let (data, latency) = try await transport.post(url, json: JSONValue.object(body).encoded, headers: sent)
        guard let object = JSONBody.object(data), let content = object["content"]?.arrayValue else {
            throw transport.malformed(url, "it has no content[] list", body: data)
        }
        let text = transport.redacted(content.filter { $0["type"]?.stringValue == "text" }.compactMap { $0["text"]?.stringValue }.joined())
        let usage = object["usage"]
        return ChatResponse(
            text: text, model: object["model"]?.stringValue,
            inputTokens: usage?["input_tokens"]?.integerValue, outputTokens: usage?["output_tokens"]?.integerValue,
            latency: latency
        )
    }
}
