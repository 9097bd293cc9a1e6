import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A real HTTP server on a loopback port that speaks the OpenAI chat-completions and
/// embeddings protocol and Anthropic's Messages API, with scripted faults. Tests and the
/// evaluation benchmark point providers at it.
public final class FakeLLMServer: @unchecked Sendable {
    /// What the next request gets instead of a normal answer.
    public enum Fault: Sendable {
        case status(Int, retryAfter: String? = nil, body: String = "{\"error\":{\"message\":\"scripted\"}}")
        /// Waits this long before answering (longer than the client's timeout = a timeout).
        case delay(Double)
        case malformedJSON
        /// A normal answer without `usage`.
        case noUsage
    }

    public private(set) var port = 0
    private var task: Task<Void, Error>?
    private let lock = NSLock()
    private var faults: [Fault] = []
    private var inFlight = 0
    private var peakInFlight = 0
    private var requestLog: [(path: String, headers: [String: String], body: Data)] = []
    /// Seconds every answer takes (the benchmark's 100 ms provider).
    public let latency: Double
    /// The answer to a chat: gets the system text and the last user message.
    public let answer: @Sendable (_ system: String, _ user: String) -> String

    public init(latency: Double = 0, answer: @escaping @Sendable (_ system: String, _ user: String) -> String = FakeLLMServer.triage) {
        self.latency = latency
        self.answer = answer
    }

    /// The triage story's model: without an explicit rule it sends every ticket that
    /// mentions billing or payments to billing, even API faults; with the rule ("is
    /// technical, not billing") it routes API and endpoint faults to technical.
    public static let triage: @Sendable (String, String) -> String = { system, user in
        let text = user.lowercased()
        let hasRule = system.contains("technical, not billing")
        if text.contains("sso") || text.contains("log in") || text.contains("password") { return "account" }
        if hasRule, text.contains("api") || text.contains("endpoint") { return "technical" }
        if ["billing", "payment", "refund", "invoice", "charge"].contains(where: text.contains) { return "billing" }
        if text.contains("error") || text.contains("api") || text.contains("endpoint") { return "technical" }
        return "general"
    }

    public static func start(latency: Double = 0, answer: @escaping @Sendable (String, String) -> String = FakeLLMServer.triage) async throws -> FakeLLMServer {
        let server = FakeLLMServer(latency: latency, answer: answer)
        let started = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "fake-llm")
        logger.logLevel = .critical
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let body = try await request.body.collect(upTo: 4 * 1024 * 1024)
            var response = await server.respond(request, Data(body.readableBytesView))
            // Providers share one pooled HTTP client: a kept-alive connection to a server a
            // finished test is still shutting down must not carry the next test's request
            // when its server is given the same port (its script would go unread).
            response.headers[.connection] = "close"
            return response
        }
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "fake-llm"),
            onServerRunning: { channel in started.continuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        server.task = Task { try await app.runService(gracefulShutdownSignals: []) }
        for await port in started.stream {
            server.port = port
            break
        }
        return server
    }

    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    public func script(_ faults: Fault...) { lock.withLock { self.faults += faults } }
    public var requestCount: Int { lock.withLock { requestLog.count } }
    public var peakConcurrency: Int { lock.withLock { peakInFlight } }
    /// Every request's headers (lowercased names) and body, in arrival order.
    public var requests: [(path: String, headers: [String: String], body: Data)] { lock.withLock { requestLog } }

    public func stop() async {
        task?.cancel()
        _ = try? await task?.value
    }

    private func respond(_ request: Request, _ body: Data) async -> Response {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let fault: Fault? = lock.withLock {
            requestLog.append((request.uri.path, headers, body))
            inFlight += 1
            peakInFlight = max(peakInFlight, inFlight)
            return faults.isEmpty ? nil : faults.removeFirst()
        }
        defer { lock.withLock { inFlight -= 1 } }
        if latency > 0 { try? await Task.sleep(for: .seconds(latency)) }
        switch fault {
        case .status(let code, let retryAfter, let text)?:
            var fields: HTTPFields = [.contentType: "application/json"]
            if let retryAfter { fields[.retryAfter] = retryAfter }
            return Response(status: .init(code: code), headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
        case .delay(let seconds)?:
            try? await Task.sleep(for: .seconds(seconds))
        case .malformedJSON?:
            return json("{\"choices\": [ this is not json")
        default:
            break
        }
        let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        let withUsage: Bool = { if case .noUsage? = fault { return false } else { return true } }()
        switch request.uri.path {
        case "/v1/chat/completions":
            let messages = object["messages"] as? [[String: Any]] ?? []
            let system = messages.filter { $0["role"] as? String == "system" }.compactMap { $0["content"] as? String }.joined(separator: "\n")
            let user = messages.last { $0["role"] as? String == "user" }?["content"] as? String ?? ""
            var answer: [String: Any] = [
                "id": "chatcmpl-fake", "object": "chat.completion", "model": object["model"] ?? "fake",
                "choices": [["index": 0, "message": ["role": "assistant", "content": self.answer(system, user)], "finish_reason": "stop"]],
            ]
            if withUsage { answer["usage"] = ["prompt_tokens": (system.count + user.count) / 4, "completion_tokens": 1, "total_tokens": (system.count + user.count) / 4 + 1] }
            return json(answer)
        case "/v1/messages":
            let messages = object["messages"] as? [[String: Any]] ?? []
            let user = messages.last { $0["role"] as? String == "user" }?["content"] as? String ?? ""
            let system = object["system"] as? String ?? ""
            var answer: [String: Any] = [
                "id": "msg_fake", "type": "message", "role": "assistant", "model": object["model"] ?? "fake",
                "content": [["type": "text", "text": self.answer(system, user)]], "stop_reason": "end_turn",
            ]
            if withUsage { answer["usage"] = ["input_tokens": (system.count + user.count) / 4, "output_tokens": 1] }
            return json(answer)
        case "/v1/embeddings":
            let inputs = object["input"] as? [String] ?? []
            return json(["object": "list", "data": inputs.enumerated().map { ["index": $0.offset, "embedding": Self.embedding($0.element)] }])
        default:
            return Response(status: .notFound)
        }
    }

    /// A bag-of-letters vector: similar texts get similar vectors.
    static func embedding(_ text: String) -> [Double] {
        var vector = [Double](repeating: 0, count: 26)
        for scalar in text.lowercased().unicodeScalars where scalar.value >= 97 && scalar.value < 123 { vector[Int(scalar.value - 97)] += 1 }
        return vector
    }

    private func json(_ object: Any) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
