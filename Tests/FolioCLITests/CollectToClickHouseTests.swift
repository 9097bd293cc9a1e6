import FolioTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `folio collect --to clickhouse://…`: what the stock OpenTelemetry Python SDK exports,
/// over OTLP/HTTP protobuf and over OTLP/gRPC, lands in the Collector's tables and reads as
/// the same run stored in files; while ClickHouse is down, batches are refused for a retry,
/// never acknowledged and lost.
struct CollectToClickHouseTests {
    /// `folio collect` into `url`, with the HTTP and gRPC ports it bound.
    final class Collector {
        let server: ServerProcess
        var http: Int { server.port }
        let grpc: Int

        init(to url: String) throws {
            server = try ServerProcess(CLI.binary, ["collect", "--port", "0", "--grpc-port", "0", "--to", url, "--create-tables"])
            let line = server.firstLine
            guard let range = line.range(of: "OTLP/gRPC on 127.0.0.1:"), let port = Int(line[range.upperBound...].prefix { $0.isNumber }) else {
                throw CommandFailure(command: "folio collect", result: CommandResult(status: -1, stdout: line, stderr: ""))
            }
            grpc = port
        }

        func stop() async throws -> Int32 {
            kill(server.process.processIdentifier, SIGINT)
            while server.process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
            return server.process.terminationStatus
        }
    }

    /// Runs the fixture generator's openai-v2 traffic against a receiver.
    static func sendTraffic(_ variables: [String: String]) async throws {
        let python = try #require(PythonEnvironment.python, "no Python environment: run Scripts/python-env.sh (make test does)")
        let script = Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/instrumentations/generate.py").path
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("folio-e2e-\(UUID())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let app = try await Command.runAsync(
            python, [script, "openai-v2", scratch.path], environment: ProcessInfo.processInfo.environment.merging(variables) { _, new in new })
        #expect(app.status == 0, "\(app.stderr)")
    }

    @Test func thePythonSDKOverHTTPAndGRPCReadsAsTheSameRunInFiles() async throws {
        let files = try CollectCommandTests.Collector()
        try await Self.sendTraffic(["FOLIO_OTLP_ENDPOINT": "http://127.0.0.1:\(files.port)"])
        #expect(try await files.stop() == 0)

        let front = try ClickHouseFront.shared()
        var sources: [String] = []
        for protocolName in ["http", "grpc"] {
            let url = front.url(database: ClickHouseFront.databaseName(protocolName))
            let collector = try Collector(to: url)
            try await Self.sendTraffic(
                protocolName == "http" ? ["FOLIO_OTLP_ENDPOINT": "http://127.0.0.1:\(collector.http)"] : ["FOLIO_OTLP_GRPC": "127.0.0.1:\(collector.grpc)"])
            #expect(try await collector.stop() == 0)
            sources.append(url)
        }
        for source in sources {
            for rest in [
                ["--label-attr", "triage.expected", "--format", "json"], ["--label-attr", "triage.expected", "--compare", "version=1,version=2", "--format", "json"],
            ] {
                await ClickHouseSourceTests.expectSame(["report"], rest, files: [files.folder.path], source: source)
            }
            await ClickHouseSourceTests.expectSame(["traces", "list"], ["--format", "json"], files: [files.folder.path], source: source)
            await ClickHouseSourceTests.expectSame(["traces", "show"], ["00f067aa0ba90002"], files: [files.folder.path], source: source)
        }
        // Six calls, their outputs joined from the content log records.
        let report = await CLI.run(["report", "--source", sources[1], "--label-attr", "triage.expected", "--format", "json"], in: files.folder)
        let groups = try #require((try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])?["groups"] as? [[String: Any]])
        #expect(groups.first?["spans"] as? Int == 6, "\(report.stdout)")
        #expect(groups.first?["misclassification_rate_spans"] as? Int == 6)
    }

    /// ClickHouse down: 503 with Retry-After (OTLP exporters retry), nothing stored;
    /// back up: the retried batch is stored once.
    @Test func whileClickHouseIsDownBatchesAreRefusedForARetry() async throws {
        let front = try ClickHouseFront()
        let url = front.url(database: "folio")
        let collector = try Collector(to: url)
        let body = Data(TraceFixtures.triage(span: "1000000000000001", version: 1, ticket: "I need a refund", output: "billing").utf8)
        front.stop(keepData: true)
        let refused = try await post(body, port: collector.http)
        #expect(refused.status == 503, "\(refused.text)")
        #expect(refused.retryAfter != nil)
        let again = try ClickHouseFront(data: front.data, port: front.port)
        defer { again.stop() }
        let stored = try await post(body, port: collector.http)
        #expect(stored.status == 200, "\(stored.text)")
        #expect(try await collector.stop() == 0)
        let list = await CLI.run(["traces", "list", "--source", url, "--format", "json"], in: front.data)
        #expect((try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [Any])?.count == 1, "\(list.stdout)\(list.stderr)")
    }

    func post(_ body: Data, port: Int) async throws -> (status: Int, text: String, retryAfter: String?) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/traces")!)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        return (http.statusCode, String(decoding: data, as: UTF8.self), http.value(forHTTPHeaderField: "Retry-After"))
    }
}
