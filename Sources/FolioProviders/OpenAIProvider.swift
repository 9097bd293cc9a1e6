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
        var body: [String: Any] = [
            "model": request.model,
            "messages": request.messages.map { ["role": $0.role, "content": $0.content] },
        ]
        if let temperature = request.temperature { body["temperature"] = temperature }
        if let maxTokens = request.maxTokens { body["max_tokens"] = maxTokens }
        let url = endpoint + "/chat/completions"
        let (data, latency) = try await transport.post(url, json: JSONBody.encode(body), headers: requestHeaders)
        guard let object = JSONBody.object(data) else { throw transport.malformed(url, "the body is not a JSON object", body: data) }
        guard let choices = object["choices"] as? [[String: Any]], let message = choices.first?["message"] as? [String: Any] else {
            throw transport.malformed(url, "it has no choices[0].message", body: data)
        }
        // An answer that repeats the key (a model can be talked into it) must not carry it
        // into reports, the cache or recordings.
        let text = transport.redacted((message["content"] as? String) ?? "")
        let usage = object["usage"] as? [String: Any]
        return ChatResponse(
            text: text, model: object["model"] as? String,
            inputTokens: JSONBody.int(usage?["prompt_tokens"]), outputTokens: JSONBody.int(usage?["completion_tokens"]),
            latency: latency
        )
    }

    package func embed(_ texts: [String], model: String) async throws -> [[Double]] {
        let url = endpoint + "/embeddings"
        let (data, _) = try await transport.post(url, json: JSONBody.encode(["model": model, "input": texts]), headers: requestHeaders)
        guard let items = JSONBody.object(data)?["data"] as? [[String: Any]], items.count == texts.count else {
            throw transport.malformed(url, "it has no data[] with one embedding per input", body: data)
        }
        let ordered = items.sorted { (JSONBody.int($0["index"]) ?? 0) < (JSONBody.int($1["index"]) ?? 0) }
        return try ordered.map { item in
            guard let vector = item["embedding"] as? [NSNumber] else { throw transport.malformed(url, "an embedding is not a list of numbers", body: data) }
            return vector.map(\.doubleValue)
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
        var body: [String: Any] = [
            "model": request.model,
            "max_tokens": request.maxTokens ?? 1024,
            "messages": request.messages.filter { $0.role != "system" }.map { ["role": $0.role, "content": $0.content] },
        ]
        if !system.isEmpty { body["system"] = system }
        if let temperature = request.temperature { body["temperature"] = temperature }
        var sent = headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        sent.append(("anthropic-version", Self.version))
        if let apiKey { sent.append(("x-api-key", apiKey)) }
        let url = endpoint + "/messages"
        let (data, latency) = try await transport.post(url, json: JSONBody.encode(body), headers: sent)
        guard let object = JSONBody.object(data), let content = object["content"] as? [[String: Any]] else {
            throw transport.malformed(url, "it has no content[] list", body: data)
        }
        let text = transport.redacted(content.filter { ($0["type"] as? String) == "text" }.compactMap { $0["text"] as? String }.joined())
        let usage = object["usage"] as? [String: Any]
        return ChatResponse(
            text: text, model: object["model"] as? String,
            inputTokens: JSONBody.int(usage?["input_tokens"]), outputTokens: JSONBody.int(usage?["output_tokens"]),
            latency: latency
        )
    }
}
