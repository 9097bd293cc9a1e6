import Foundation
import FolioCore
import FolioTelemetry

/// The production side of the demo: two apps triage the same batch of tickets through the
/// model, and their spans go to `folio collect`: the Swift example (folio-otel-example, the
/// Swift SDK, OTLP/HTTP JSON) and, when `make demo` provides Python (FOLIO_PYTHON and
/// FOLIO_PYTHON_APP), the seed-style Python service (folio_client, openai, the official
/// GenAI instrumentation, OTLP/HTTP protobuf traces and logs).
struct DemoTraffic {
    let shell: DemoShell
    /// The model's OpenAI-compatible base URL (…/v1).
    let modelURL: String
    static let tracesFolder = "traces"
    /// The Python interpreter and Examples/python-triage/triage_service.py, when both exist.
    var python: (interpreter: String, app: String)? {
        let environment = shell.env.variables
        guard let interpreter = environment["FOLIO_PYTHON"], let app = environment["FOLIO_PYTHON_APP"],
            FileManager.default.isExecutableFile(atPath: interpreter), FileManager.default.fileExists(atPath: app)
        else { return nil }
        return (interpreter, app)
    }

    static let tickets: [(text: String, type: String, expected: String)] = [
        ("I need a refund for my last payment", "email", "billing"),
        ("Your payments endpoint returns 500 errors since this morning", "web", "technical"),
        ("Where can I download my February invoice?", "chat", "billing"),
        ("I cannot log in with SSO since yesterday", "email", "account"),
        ("The billing API returns wrong amounts for annual plans", "email", "technical"),
        ("I was charged twice for my subscription", "email", "billing"),
        ("The invoices endpoint times out for large accounts", "web", "technical"),
        ("Please reset my password", "chat", "account"),
    ]

    /// Sends every ticket once, with spans exported to a collector started for the batch.
    func batch(manifestURL: String, publicKey: String) throws {
        let lines = Self.tickets.map { ticket in
            String(decoding: (try? JSONSerialization.data(withJSONObject: ["text": ticket.text, "type": ticket.type, "expected": ticket.expected], options: [.sortedKeys])) ?? Data(), as: UTF8.self)
        }
        try shell.write(lines.joined(separator: "\n") + "\n", to: "tickets.jsonl")
        let collect = try DemoProcess(
            ["collect", "--port", "0", "--grpc-port", "0", "--out", Self.tracesFolder], in: shell.folder, env: shell.env, shown: "folio collect --out traces/ --port 0 --grpc-port 0 &")
        defer { collect.stop() }
        try shell.program(
            "folio-otel-example", [manifestURL, publicKey, "tickets.jsonl", "http://127.0.0.1:\(collect.port)/v1/traces", modelURL],
            shown: "folio-otel-example <manifest URL> <public key> tickets.jsonl http://127.0.0.1:\(collect.port)/v1/traces <model URL>")
        guard let python else { return }
        var environment = shell.env.variables
        environment["OPENAI_BASE_URL"] = modelURL
        if (environment["OPENAI_API_KEY"] ?? "").isEmpty { environment["OPENAI_API_KEY"] = "unused" }
        environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:\(collect.port)"
        environment["OTEL_SERVICE_NAME"] = "triage-service"
        try shell.program(
            python.interpreter, [python.app, "--manifest-url", manifestURL, "--public-key", publicKey, "--tickets", "tickets.jsonl"],
            environment: environment,
            shown:
                "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:\(collect.port) OPENAI_BASE_URL=<model URL> python Examples/python-triage/triage_service.py --manifest-url <manifest URL> --public-key <public key> --tickets tickets.jsonl"
        )
    }

    /// The calls of `version` whose answer is not the ticket's expected team.
    func failures(version: Int) async throws -> [(spanID: String, expected: String)] {
        let source = FileTraceSource(paths: [shell.folder.appendingPathComponent(Self.tracesFolder).path])
        var found: [(String, String)] = []
        var cursor: CallCursor?
        repeat {
            let page = try await source.calls(
                CallsRequest(filter: TraceFilter(version: String(version)), limit: 1000, cursor: cursor, attributes: ["app.expected_team"]))
            for row in page.rows {
                guard let expected = row.attributes["app.expected_team"], row.output.map(SpanMetrics.normalized) != expected else { continue }
                found.append((row.span.hex, expected))
            }
            cursor = page.next
        } while cursor != nil
        return found.reversed()
    }
}
