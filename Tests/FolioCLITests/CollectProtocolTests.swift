import FolioOTLP
import FolioTestSupport
import Foundation
import SwiftProtobuf
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `folio collect` speaks OTLP/HTTP as the specification says, in protobuf and JSON, for
/// traces and logs; and the stock Python exporters' traffic, collected, reports the row.
@Suite(.serialized)
struct CollectProtocolTests {
    typealias TraceRequest = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest
    typealias TraceResponse = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse
    typealias LogsRequest = Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceRequest

    static func span(_ index: Int, traceBytes: Int = 16, parent: Int? = nil, attributes: [(String, String)]) -> Opentelemetry_Proto_Trace_V1_Span {
        var span = Opentelemetry_Proto_Trace_V1_Span()
        span.traceID = Data((0..<traceBytes).map { UInt8($0 == traceBytes - 1 ? 1 : 0x40) })
        span.spanID = Data([0, 0, 0, 0, 0, 0, 0, UInt8(index)])
        if let parent { span.parentSpanID = Data([0, 0, 0, 0, 0, 0, 0, UInt8(parent)]) }
        span.name = "chat"
        span.startTimeUnixNano = 1_764_460_800_000_000_000
        span.endTimeUnixNano = 1_764_460_800_500_000_000
        span.attributes = attributes.map { key, value in
            var pair = Opentelemetry_Proto_Common_V1_KeyValue()
            pair.key = key
            pair.value.stringValue = value
            return pair
        }
        return span
    }

    static func traces(_ spans: [Opentelemetry_Proto_Trace_V1_Span]) -> TraceRequest {
        var scope = Opentelemetry_Proto_Trace_V1_ScopeSpans()
        scope.spans = spans
        var resource = Opentelemetry_Proto_Trace_V1_ResourceSpans()
        resource.scopeSpans = [scope]
        var request = TraceRequest()
        request.resourceSpans = [resource]
        return request
    }

    static func choiceLog(span: Int, content: String) -> LogsRequest {
        var record = Opentelemetry_Proto_Logs_V1_LogRecord()
        record.traceID = Data((0..<16).map { UInt8($0 == 15 ? 1 : 0x40) })
        record.spanID = Data([0, 0, 0, 0, 0, 0, 0, UInt8(span)])
        record.eventName = "gen_ai.choice"
        var message = Opentelemetry_Proto_Common_V1_KeyValue()
        message.key = "message"
        var contentPair = Opentelemetry_Proto_Common_V1_KeyValue()
        contentPair.key = "content"
        contentPair.value.stringValue = content
        message.value.kvlistValue.values = [contentPair]
        record.body.kvlistValue.values = [message]
        var scope = Opentelemetry_Proto_Logs_V1_ScopeLogs()
        scope.logRecords = [record]
        var resource = Opentelemetry_Proto_Logs_V1_ResourceLogs()
        resource.scopeLogs = [scope]
        var request = LogsRequest()
        request.resourceLogs = [resource]
        return request
    }

    func post(_ port: Int, _ path: String, _ body: Data, type: String, encoding: String? = nil) async throws -> (status: Int, body: Data, type: String?) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue(type, forHTTPHeaderField: "Content-Type")
        if let encoding { request.setValue(encoding, forHTTPHeaderField: "Content-Encoding") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        return (http.statusCode, data, http.value(forHTTPHeaderField: "Content-Type"))
    }

    func gzip(_ data: Data) throws -> Data {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("body-\(UUID())")
        try data.write(to: file)
        _ = try Command.run("/bin/gzip", [file.path])
        return try Data(contentsOf: URL(fileURLWithPath: file.path + ".gz"))
    }

    @Test func protobufAndJSONTracesAndLogsAreAnsweredAsOTLPSays() async throws {
        let collector = try CollectCommandTests.Collector(["--max-body-mb", "0.05"])
        let port = collector.port
        let wrapper = Self.span(1, attributes: [("gen_ai.prompt.name", "triage"), ("gen_ai.prompt.version", "3"), ("app.expected", "billing")])
        let call = Self.span(2, parent: 1, attributes: [("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "gpt-4o")])
        let batch = try Self.traces([wrapper, call]).serializedBytes() as Data

        // Protobuf, plain and gzip: an ExportTraceServiceResponse with nothing refused.
        for encoding in [nil, "gzip"] {
            let answer = try await post(port, "/v1/traces", encoding == nil ? batch : try gzip(batch), type: "application/x-protobuf", encoding: encoding)
            #expect(answer.status == 200)
            #expect(answer.type == "application/x-protobuf")
            let response = try TraceResponse(serializedBytes: answer.body)
            #expect(!response.hasPartialSuccess)
        }
        // A span with a malformed id is refused as a partial success; the rest is stored.
        let bad = Self.span(3, traceBytes: 3, attributes: [("gen_ai.request.model", "gpt-4o")])
        let partial = try await post(port, "/v1/traces", try Self.traces([call, bad]).serializedBytes(), type: "application/x-protobuf")
        #expect(partial.status == 200)
        let response = try TraceResponse(serializedBytes: partial.body)
        #expect(response.partialSuccess.rejectedSpans == 1)
        #expect(response.partialSuccess.errorMessage.contains("malformed trace or span id"))
        let jsonPartial = try await post(port, "/v1/traces", Data(#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz","spanId":"00f067aa0ba902b7"}]}]}]}"#.utf8), type: "application/json")
        #expect(jsonPartial.status == 200)
        #expect(String(decoding: jsonPartial.body, as: UTF8.self).contains(#""rejectedSpans":"1""#))

        // Logs: the call's output arrives as a log record.
        let logs = try await post(port, "/v1/logs", try Self.choiceLog(span: 2, content: "billing").serializedBytes(), type: "application/x-protobuf")
        #expect(logs.status == 200)

        // Failures: a google.rpc.Status in the request's encoding.
        let garbage = try await post(port, "/v1/traces", Data([0xFF, 0xFF, 0xFF]), type: "application/x-protobuf")
        #expect(garbage.status == 400)
        #expect(garbage.body.first == 0x08 && garbage.body.dropFirst().first == 3)  // code = 3 (INVALID_ARGUMENT)
        let badJSON = try await post(port, "/v1/logs", Data("{\"resourceSpans\": []}".utf8), type: "application/json")
        #expect(badJSON.status == 400)
        #expect(String(decoding: badJSON.body, as: UTF8.self).hasPrefix(#"{"code":3,"message":"#))
        let text = try await post(port, "/v1/traces", batch, type: "text/plain")
        #expect(text.status == 415)
        #expect(String(decoding: text.body, as: UTF8.self).contains("application/x-protobuf or application/json"))
        let brotli = try await post(port, "/v1/traces", batch, type: "application/x-protobuf", encoding: "br")
        #expect(brotli.status == 415)
        let huge = try await post(port, "/v1/traces", Data(repeating: 0x0A, count: 60_000), type: "application/x-protobuf")
        #expect(huge.status == 413)
        #expect(try await collector.stop() == 0)

        let stored = try FileManager.default.contentsOfDirectory(atPath: collector.folder.path).sorted()
        #expect(stored.contains { $0.hasPrefix("spans-") && $0.hasSuffix(".pb") })
        #expect(stored.contains { $0.hasPrefix("logs-") && $0.hasSuffix(".pb") })
        #expect(stored.contains { $0.hasPrefix("spans-") && $0.hasSuffix(".jsonl") })
        // What was acknowledged reads back: three stored batches hold the call (twice and
        // once without the refused span, which was never stored); the wrapper is never a call; the label and output join.
        let report = try CLI.runProcess(["report", collector.folder.path, "--label-attr", "app.expected", "--format", "json"], in: collector.folder)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stderr.contains("3 LLM call(s) among 5 span(s), 1 log record(s)"), "\(report.stderr)")
        let groups = try #require((try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])?["groups"] as? [[String: Any]])
        #expect(groups.map { $0["group"] as? String } == ["triage 3"])
        #expect(groups.first?["misclassification_rate"] as? Double == 0)
    }

    /// The real OpenTelemetry Python SDK with its stock protobuf exporters (traces and logs)
    /// and the openai-v2 instrumentation, posting to `folio collect`: the report shows the
    /// version's row, misclassification computed from the content log records.
    @Test(.enabled(if: PythonEnvironment.python != nil || PythonEnvironment.required))
    func thePythonSDKsProtobufExportersFeedTheReport() async throws {
        let python = try #require(PythonEnvironment.python, "no Python environment: run Scripts/python-env.sh (make test does)")
        let collector = try CollectCommandTests.Collector()
        let script = Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/instrumentations/generate.py").path
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("folio-e2e-\(UUID())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment["FOLIO_OTLP_ENDPOINT"] = "http://127.0.0.1:\(collector.port)"
        let app = try await Command.runAsync(python, [script, "openai-v2", scratch.path], environment: environment)
        #expect(app.status == 0, "\(app.stderr)")
        #expect(try await collector.stop() == 0)
        let stored = try FileManager.default.contentsOfDirectory(atPath: collector.folder.path)
        #expect(stored.contains { $0.hasPrefix("logs-") && $0.hasSuffix(".pb") }, "\(stored)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)  // nothing went to the app's own receiver
        let report = try CLI.runProcess(["report", collector.folder.path, "--label-attr", "triage.expected"], in: collector.folder)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stderr.contains("6 LLM call(s) among 12 span(s), 18 log record(s)"), "\(report.stderr)")
        let row = report.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(row.contains { $0.hasPrefix("support_ticket_triage 1 6 0.0% 33.0 1.0") && $0.hasSuffix("650 ms 650 ms 650 ms n/a 16.7%") }, "\(report.stdout)")
    }
}

/// The virtual environment `make test` creates with `Scripts/python-env.sh`.
enum PythonEnvironment {
    static let python: String? = {
        if let path = ProcessInfo.processInfo.environment["FOLIO_PYTHON"], FileManager.default.isExecutableFile(atPath: path) { return path }
        let path = Fixtures.packageRoot.appendingPathComponent(".build/python/bin/python").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }()

    /// `make test` sets FOLIO_REQUIRE_PYTHON=1: then a missing environment fails the test
    /// instead of skipping it.
    static let required = ProcessInfo.processInfo.environment["FOLIO_REQUIRE_PYTHON"] == "1"
}
