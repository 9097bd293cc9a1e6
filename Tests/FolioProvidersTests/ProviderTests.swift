import FolioFakeLLM
import FolioModel
import FolioProviders
import Foundation
import Testing

@Suite("Providers against real HTTP servers with scripted faults")
struct ProviderTests {
    static let key = "sk-test-SECRET-0123456789"
    static let request = ChatRequest(
        model: "gpt-4o", messages: [LLMMessage(role: "system", content: "Be brief."), LLMMessage(role: "user", content: "I need a refund")], temperature: 0, maxTokens: 16)
    static let fast = RetryPolicy(maxAttempts: 4, baseDelay: 0.01, maxDelay: 2)

    /// A generous timeout unless a test is about timeouts: on a loaded machine (the whole
    /// suite runs in parallel) a request can stall for seconds, and a timed-out first
    /// attempt would be retried, which these tests count.
    func openAI(_ server: FakeLLMServer, timeout: Double = 60, concurrency: Int = 4, policy: RetryPolicy = fast) -> ResilientProvider {
        ResilientProvider(OpenAIProvider(name: "openai", baseURL: server.baseURL, apiKey: Self.key, headers: ["X-Team": "support"], timeout: timeout), concurrency: concurrency, policy: policy)
    }

    @Test func openAIAnswersWithUsageAndSendsTheKeyOnlyAsAHeader() async throws {
        let server = try await FakeLLMServer.start()
        defer { Task { await server.stop() } }
        let (response, attempts) = try await openAI(server).complete(Self.request, sample: 0)
        #expect(response.text == "billing")
        #expect(response.inputTokens != nil && response.outputTokens == 1)
        #expect(response.model == "gpt-4o")
        #expect(attempts == 1)
        let sent = try #require(server.requests.first)
        #expect(sent.headers["authorization"] == "Bearer \(Self.key)")
        #expect(sent.headers["x-team"] == "support")
        #expect(!String(decoding: sent.body, as: UTF8.self).contains(Self.key))
        let body = try #require(try JSONSerialization.jsonObject(with: sent.body) as? [String: Any])
        #expect(body["max_tokens"] as? Int == 16)
    }

    @Test func rateLimitWaitsForRetryAfterAndHalvesConcurrency() async throws {
        let server = try await FakeLLMServer.start()
        defer { Task { await server.stop() } }
        server.script(.status(429, retryAfter: "1"))
        let provider = openAI(server)
        let clock = ContinuousClock()
        let start = clock.now
        let (response, attempts) = try await provider.complete(Self.request, sample: 0)
        #expect(clock.now - start >= .milliseconds(950))
        #expect(response.text == "billing")
        #expect(attempts == 2)
        #expect(await provider.limiter.limit == 2)
    }

    @Test func serverErrorThenSuccessIsRetried() async throws {
        let server = try await FakeLLMServer.start()
        defer { Task { await server.stop() } }
        server.script(.status(500), .status(503))
        let (_, attempts) = try await openAI(server).complete(Self.request, sample: 0)
        #expect(attempts == 3)
        #expect(server.requestCount == 3)
    }

    @Test func anthropicOverloaded529IsRetriedAndTheSystemPromptIsItsOwnField() async throws {
        let server = try await FakeLLMServer.start()
        defer { Task { await server.stop() } }
        server.script(.status(529, body: "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}"))
        let provider = ResilientProvider(AnthropicProvider(name: "claude", baseURL: server.baseURL, apiKey: Self.key), concurrency: 2, policy: Self.fast)
        let (response, attempts) = try await provider.complete(ChatRequest(model: "claude-3-5-haiku", messages: Self.request.messages), sample: 0)
        #expect(attempts == 2)
        #expect(response.text == "billing")
        #expect(response.inputTokens != nil && response.outputTokens == 1)
        let sent = try #require(server.requests.last)
        #expect(sent.path == "/v1/messages")
        #expect(sent.headers["x-api-key"] == Self.key)
        #expect(sent.headers["anthropic-version"] == AnthropicProvider.version)
        let body = try #require(try JSONSerialization.jsonObject(with: sent.body) as? [String: Any])
        #expect(body["system"] as? String == "Be brief.")
        #expect((body["messages"] as? [[String: Any]])?.count == 1)
        #expect(body["max_tokens"] as? Int == 1024)
    }

    @Test func clientErrorsAreNotRetriedAndNeverShowTheKey() async throws {
        let server = try await FakeLLMServer.start()
        defer { Task { await server.stop() } }
        server.script(.status(401, body: "{\"error\":\"invalid key \(Self.key)\"}"))
        await #expect {
            try await openAI(server).complete(Self.request, sample: 0)
        } throws: { error in
            guard let error = error as? ProviderError else { return false }
            return error.kind == .client && error.status == 401 && !error.description.contains(Self.key) && error.description.contains("[redacted]")
        }
        #expect(server.requestCount == 1)
    }

    @Test func aTimeoutIsRetriedThenReported() async throws {
        let server = try await FakeLLMServer.start()
        defer { Task { await server.stop() } }
        server.script(.delay(2), .delay(2))
        await #expect {
            try await openAI(server, timeout: 0.3, policy: RetryPolicy(maxAttempts: 2, baseDelay: 0.01)).complete(Self.request, sample: 0)
        } throws: { error in
            (error as? ProviderError)?.kind == .timeout && "\(error)".contains("did not answer within")
        }
        #expect(server.requestCount == 2)
    }

    @Test func aRefusedConnectionFailsAtOnceNamingTheAddress() async throws {
        // A port nothing listens on: bind one, note it, close it.
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        close(socket)
        // Not retried, whatever the policy: `.unreachable`. (How long a whole run takes is
        // timed in a process of its own: EvalCommandTests, as this process's task pool is
        // shared with every other test.)
        let provider = ResilientProvider(OpenAIProvider(name: "local", baseURL: "http://127.0.0.1:\(port)/v1", apiKey: nil, timeout: 60), concurrency: 1)
        await #expect {
            try await provider.complete(Self.request, sample: 0)
        } throws: { error in
            (error as? ProviderError)?.kind == .unreachable
                && "\(error)".contains("cannot reach provider 'local' at 127.0.0.1:\(port): the connection was refused (nothing listens there)")
                && !(error as! ProviderError).isRetryable
        }
    }

    @Test func malformedJSONIsAnErrorNotARetry() async throws {
        let server = try await FakeLLMServer.start()
        defer { Task { await server.stop() } }
        server.script(.malformedJSON)
        await #expect {
            try await openAI(server).complete(Self.request, sample: 0)
        } throws: { error in
            (error as? ProviderError)?.kind == .malformed
        }
        #expect(server.requestCount == 1)
    }

    @Test func aMissingUsageLeavesTokensUnknown() async throws {
        let server = try await FakeLLMServer.start()
        defer { Task { await server.stop() } }
        server.script(.noUsage)
        let (response, _) = try await openAI(server).complete(Self.request, sample: 0)
        #expect(response.inputTokens == nil && response.outputTokens == nil)
        #expect(PriceTable.cost(model: "gpt-4o", inputTokens: response.inputTokens, outputTokens: response.outputTokens) == nil)
    }

    @Test func theConcurrencyCapHoldsUnderLoad() async throws {
        let server = try await FakeLLMServer.start(latency: 0.05)
        defer { Task { await server.stop() } }
        let provider = openAI(server, concurrency: 3)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for sample in 0..<24 { group.addTask { _ = try await provider.complete(Self.request, sample: sample) } }
            try await group.waitForAll()
        }
        #expect(server.requestCount == 24)
        #expect(server.peakConcurrency == 3)
        #expect(await provider.limiter.peak == 3)
    }

    @Test func theLimiterHalvesOnRateLimitsAndRecoversSlowly() async {
        let limiter = ConcurrencyLimiter(maximum: 8)
        await limiter.acquire()
        await limiter.release(.rateLimited)
        #expect(await limiter.limit == 4)
        for _ in 0..<8 {
            await limiter.acquire()
            await limiter.release(.success)
        }
        #expect(await limiter.limit == 5)
    }

    @Test func retryAfterAcceptsSecondsAndHTTPDates() {
        #expect(RetryPolicy().delay(after: 1, retryAfter: 7) == 7)
        #expect(RetryPolicy(maxDelay: 5).delay(after: 1, retryAfter: 70) == 5)
        let backoff = RetryPolicy(baseDelay: 1, maxDelay: 30).delay(after: 3, retryAfter: nil)
        #expect(backoff >= 2 && backoff <= 4)
    }

    @Test func embeddingsComeBackInInputOrder() async throws {
        let server = try await FakeLLMServer.start()
        defer { Task { await server.stop() } }
        let vectors = try await openAI(server).embed(["abc", "xyz"], model: "text-embedding-3-small")
        #expect(vectors.count == 2 && vectors[0][0] == 1 && vectors[1][25] == 1)
    }

    @Test func theFactoryNamesAMissingKeyVariableWithoutAValue() throws {
        let factory = ProviderFactory(
            providers: ["openai": ProviderConfig(kind: .openai, baseURL: "http://127.0.0.1:1/v1", apiKeyEnv: "FOLIO_TEST_UNSET_KEY")], environment: [:], root: URL(fileURLWithPath: "/tmp"))
        #expect {
            try factory.make("openai")
        } throws: { error in
            "\(error)".contains("FOLIO_TEST_UNSET_KEY") && (error as? ProviderError)?.kind == .configuration
        }
        #expect(throws: ProviderError.self) { try factory.make("nope") }
    }
}
