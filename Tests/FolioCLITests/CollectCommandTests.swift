import FolioTestSupport
import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `folio collect` as a process on a free port, fed over real HTTP.
@Suite(.serialized)
struct CollectCommandTests {
    final class Collector {
        let server: ServerProcess
        let folder: URL
        var process: Process { server.process }
        var port: Int { server.port }

        init(_ extra: [String] = []) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-collect-\(UUID().uuidString)")
            server = try ServerProcess(CLI.binary, ["collect", "--port", "0", "--grpc-port", "0", "--out", folder.path] + extra)
        }

        func post(_ body: Data, type: String = "application/json", encoding: String? = nil, path: String = "/v1/traces") async throws -> (Int, String) {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            request.httpMethod = path == "/healthz" ? "GET" : "POST"
            if request.httpMethod == "POST" { request.httpBody = body }
            request.setValue(type, forHTTPHeaderField: "Content-Type")
            if let encoding { request.setValue(encoding, forHTTPHeaderField: "Content-Encoding") }
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
        }

        /// SIGINT, as Ctrl-C would; the collector finishes and exits 0.
        func stop() async throws -> Int32 {
            kill(process.processIdentifier, SIGINT)
            while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
            return process.terminationStatus
        }

        var files: [URL] {
            ((try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []).filter { $0.pathExtension == "jsonl" && $0.lastPathComponent.hasPrefix("spans-") }
                .sorted { $0.path < $1.path }
        }
    }

    static func batch(_ index: Int, pretty: Bool = false) -> Data {
        let span: [String: Any] = [
            "traceId": String(format: "%032x", index + 1), "spanId": String(format: "%016x", index + 1), "name": "chat gpt-4o", "kind": 3,
            "startTimeUnixNano": "1764460800000000000", "endTimeUnixNano": "1764460800500000000",
            "attributes": [
                ["key": "gen_ai.operation.name", "value": ["stringValue": "chat"]],
                ["key": "gen_ai.request.model", "value": ["stringValue": "gpt-4o"]],
                ["key": "gen_ai.prompt.name", "value": ["stringValue": "support_ticket_triage"]],
                ["key": "gen_ai.prompt.version", "value": ["intValue": "2"]],
                ["key": "gen_ai.usage.input_tokens", "value": ["intValue": 120]],
                ["key": "gen_ai.usage.output_tokens", "value": ["intValue": 1]],
            ],
        ]
        let body: [String: Any] = ["resourceSpans": [["resource": ["attributes": []], "scopeSpans": [["scope": ["name": "test"], "spans": [span]]]]]]
        return try! JSONSerialization.data(withJSONObject: body, options: pretty ? [.prettyPrinted] : [])
    }

    @Test func acceptsJSONAndGzipAndRefusesWhatItCannotStore() async throws {
        let collector = try Collector(["--max-body-mb", "0.01"])
        #expect(try await collector.post(Data(), path: "/healthz").0 == 200)
        let plain = try await collector.post(Self.batch(0, pretty: true))
        #expect(plain.0 == 200 && plain.1 == "{}")  // an ExportTraceServiceResponse with nothing refused
        let text = try await collector.post(Data("hello".utf8), type: "text/plain")
        #expect(text.0 == 415 && text.1.contains("send application/x-protobuf or application/json"))
        let huge = try await collector.post(Data(repeating: 0x20, count: 20_000))
        #expect(huge.0 == 413)
        let garbage = try await collector.post(Data("{\"nope\": 1}".utf8))
        #expect(garbage.0 == 400)
        #expect(try await collector.stop() == 0)
        let lines = try collector.files.flatMap { try String(contentsOf: $0, encoding: .utf8).split(separator: "\n") }
        #expect(lines.count == 1)
        let listed = try CLI.runProcess("traces", "list", collector.folder.path, "--format", "json", in: collector.folder)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("support_ticket_triage"))
    }

    @Test func gzipBodiesAreInflatedAndFilesRotateBySize() async throws {
        let collector = try Collector(["--rotate-mb", "0.002"])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-gz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for index in 0..<6 {
            let raw = folder.appendingPathComponent("\(index).json")
            try Self.batch(index).write(to: raw)
            _ = try Command.run("/usr/bin/env", ["gzip", "-k", raw.path])
            let compressed = try Data(contentsOf: URL(fileURLWithPath: raw.path + ".gz"))
            let answer = try await collector.post(compressed, encoding: "gzip")
            #expect(answer.0 == 200, "\(answer.1)")
        }
        #expect(try await collector.stop() == 0)
        #expect(collector.files.count >= 2)
        let report = try CLI.runProcess("report", collector.folder.path, "--format", "json", in: collector.folder)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("\"spans\" : 6"))
    }
}
