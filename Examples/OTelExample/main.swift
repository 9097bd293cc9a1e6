// folio-otel-example: an app that triages tickets with the Folio SDK, calls an
// OpenAI-compatible model, and exports its spans with swift-otel over OTLP/HTTP JSON
// (to `folio collect`, or any OpenTelemetry Collector).
//
//   folio-otel-example <manifest URL> <public key file> <tickets.jsonl> <OTLP traces endpoint> [<model base URL>]
//
// tickets.jsonl: one {"text": …, "type": "email|chat|web", "expected": "billing"} per line;
// `expected` (when known) goes on the span as app.expected_team, so `folio report
// --label-attr app.expected_team` can measure misclassification per prompt version.
// Without a model URL, the app answers "general" (to show the spans without a model).
import Foundation
import FolioClient
import Logging
import OTel
import ServiceLifecycle
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct Ticket: Decodable, Sendable {
    let text: String
    let type: String?
    let expected: String?
}

struct Answer: Sendable {
    let text: String
    let model: String?
    let inputTokens: Int?
    let outputTokens: Int?
}

/// One chat completion on an OpenAI-compatible endpoint.
func complete(_ prompt: RenderedPrompt, baseURL: String?) async throws -> Answer {
    guard let baseURL, let url = URL(string: baseURL + "/chat/completions") else { return Answer(text: "general", model: nil, inputTokens: nil, outputTokens: nil) }
    var request = URLRequest(url: url, timeoutInterval: 120)
    request.httpMethod = "POST"
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    if let key = ProcessInfo.processInfo.environment["OPENAI_API_KEY"], !key.isEmpty, url.host == "api.openai.com" {
        request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
    }
    var body: [String: Any] = ["model": prompt.model?.name ?? "gpt-4o", "messages": prompt.messages.map { ["role": $0.role, "content": $0.content] }]
    if let temperature = prompt.model?.temperature { body["temperature"] = temperature }
    if let maxTokens = prompt.model?.maxTokens { body["max_tokens"] = maxTokens }
    request.httpBody = try JSONSerialization.data(withJSONObject: body)
    let (data, _) = try await URLSession.shared.data(for: request)
    let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    let message = ((object["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String ?? ""
    let usage = object["usage"] as? [String: Any]
    return Answer(
        text: message.trimmingCharacters(in: .whitespacesAndNewlines), model: object["model"] as? String,
        inputTokens: usage?["prompt_tokens"] as? Int, outputTokens: usage?["completion_tokens"] as? Int)
}

let arguments = CommandLine.arguments
guard arguments.count >= 5, let manifestURL = URL(string: arguments[1]) else {
    FileHandle.standardError.write(Data("usage: folio-otel-example <manifest URL> <public key file> <tickets.jsonl> <OTLP traces endpoint> [<model base URL>]\n".utf8))
    exit(2)
}
let publicKey = try String(contentsOfFile: arguments[2], encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
let tickets = try String(contentsOfFile: arguments[3], encoding: .utf8).split(separator: "\n").map { try JSONDecoder().decode(Ticket.self, from: Data($0.utf8)) }
let modelURL = arguments.count > 5 ? arguments[5] : nil

var configuration = OTel.Configuration.default
configuration.serviceName = "support-app"
configuration.diagnosticLogLevel = .error
configuration.logs.enabled = false
configuration.metrics.enabled = false
configuration.traces.otlpExporter.protocol = .httpJSON
configuration.traces.otlpExporter.endpoint = arguments[4]
configuration.traces.batchSpanProcessor.scheduleDelay = .milliseconds(200)
let observability = try OTel.bootstrap(configuration: configuration)
let services = ServiceGroup(services: [observability], gracefulShutdownSignals: [], logger: Logger(label: "folio-otel-example"))

var failed = false
try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await services.run() }
    do {
        let folio = try FolioClient(manifestURL: manifestURL, publicKeys: [publicKey], cacheTTL: .seconds(300))
        for ticket in tickets {
            let prompt = try await folio.render("support_ticket_triage", variables: ["ticket_text": ticket.text, "ticket_type": ticket.type ?? "email"])
            let answer = try await prompt.withPromptSpan(captureContent: true) { span in
                let answer = try await complete(prompt, baseURL: modelURL)
                span.recordResponse(model: answer.model, inputTokens: answer.inputTokens, outputTokens: answer.outputTokens, finishReason: "stop")
                span.recordOutput(answer.text, finishReason: "stop")
                if let expected = ticket.expected { span.setAttribute("app.expected_team", expected) }
                return answer
            }
            let mark = ticket.expected.map { $0 == answer.text.lowercased() ? "ok   " : "WRONG" } ?? "     "
            print("v\(prompt.version)  \(mark) \(answer.text.padding(toLength: 10, withPad: " ", startingAt: 0)) \(ticket.text)")
        }
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        failed = true
    }
    // Graceful shutdown flushes the batch span processor: every span is exported.
    await services.triggerGracefulShutdown()
    try await group.waitForAll()
}
exit(failed ? 1 : 0)
