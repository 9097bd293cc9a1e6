import FolioTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The report runs in ClickHouse: what leaves the server grows with groups × days, not
/// with spans (the issue's memory bound at 10M spans rests on it).
struct ClickHousePushDownTests {
    /// `calls` calls over seven days, twelve prompts, three versions and two models, half of
    /// them under a wrapper span that names the prompt (as Benchmarks/clickhouse.sh makes them).
    static func generate(_ calls: Int, database: String, endpoint: String) async throws {
        let sql = """
            INSERT INTO \(database).otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, SpanName, ServiceName, SpanAttributes, Duration, StatusCode)
            SELECT toDateTime64(1764460800 + intDiv(n * 604800, \(calls)), 9) AS Timestamp, leftPad(lower(hex(n + 1)), 32, '0'),
                leftPad(lower(hex(2 * n + 2 + k)), 16, '0'), if(k = 0 AND n % 2 = 0, leftPad(lower(hex(2 * n + 3)), 16, '0'), ''),
                if(k = 0, 'chat', 'triage_ticket'), 'support-app',
                if(k = 0,
                    mapUpdate(map('gen_ai.operation.name', 'chat', 'gen_ai.request.model', if(n % 5 = 0, 'gpt-4o-mini', 'gpt-4o'),
                        'gen_ai.usage.input_tokens', toString(100 + n % 300), 'gen_ai.usage.output_tokens', toString(1 + n % 5)),
                        if(n % 2 = 0, map(), map('gen_ai.prompt.name', concat('prompt_', toString(n % 12)), 'gen_ai.prompt.version', toString(1 + intDiv(n, 7) % 3)))),
                    map('gen_ai.prompt.name', concat('prompt_', toString(n % 12)), 'gen_ai.prompt.version', toString(1 + intDiv(n, 7) % 3))),
                toUInt64(300000000 + (n * 7919) % 1200000000), 'Unset'
            FROM (SELECT number AS n, arrayJoin(if(number % 2 = 0, [0, 1], [0])) AS k FROM numbers(\(calls)))
            """
        var request = URLRequest(url: URL(string: "\(endpoint)/?database=\(database)")!)
        request.httpMethod = "POST"
        request.httpBody = Data(sql.utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200, "\(String(decoding: data, as: UTF8.self))")
    }

    /// The size of the answer to the last query in the front's log.
    static func lastAnswerBytes(_ log: URL) throws -> Int {
        let heads = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("-- ") && $0.contains(" bytes ") }
        let head = try #require(heads.last)
        return try #require(Int(head.split(separator: " ")[3]))
    }

    @Test func theReportsAnswerDoesNotGrowWithSpans() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-pushdown-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = folder.appendingPathComponent("queries.log")
        let front = try ClickHouseFront(logQueries: log)
        defer { front.stop() }
        try Data().write(to: folder.appendingPathComponent("empty.jsonl"))
        var sizes: [Int] = []
        var reports: [String] = []
        for calls in [5_000, 50_000] {
            let database = ClickHouseFront.databaseName("pushdown")
            let url = front.url(database: database)
            let created = await CLI.run(["traces", "import", "empty.jsonl", "--to", url, "--create-tables"], in: folder)
            #expect(created.status == 0, "\(created.stderr)")
            try await Self.generate(calls, database: database, endpoint: "http://127.0.0.1:\(front.port)")
            let report = await CLI.run(["report", "--source", url, "--by", "prompt,version,model", "--format", "json"], in: folder)
            #expect(report.status == 0, "\(report.stderr)")
            #expect(report.stdout.contains("\"groups\" : ["), "\(report.stdout.prefix(300))")
            reports.append(report.stdout)
            sizes.append(try Self.lastAnswerBytes(log))
        }
        // Ten times the spans, the same groups and days: the answer stays within a few
        // percent (the numbers get longer); with the latencies sent along it was 10x.
        #expect(Double(sizes[1]) < 1.2 * Double(sizes[0]), "answers of \(sizes[0]) and \(sizes[1]) bytes")
        #expect(reports[1].contains("prompt_11") && reports[1].contains("gpt-4o-mini"))
    }

    /// `--approximate` takes ClickHouse's `quantile` (a sample) and says so; the numbers
    /// stay near the exact nearest rank. From files the percentiles stay exact, and the
    /// note says that instead.
    @Test func anApproximateReportSaysSo() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-approximate-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data().write(to: folder.appendingPathComponent("empty.jsonl"))
        let front = try ClickHouseFront.shared()
        let database = ClickHouseFront.databaseName("approximate")
        let url = front.url(database: database)
        let created = await CLI.run(["traces", "import", "empty.jsonl", "--to", url, "--create-tables"], in: folder)
        #expect(created.status == 0, "\(created.stderr)")
        try await Self.generate(20_000, database: database, endpoint: "http://127.0.0.1:\(front.port)")
        let exact = await CLI.run(["report", "--source", url, "--format", "json"], in: folder)
        let approximate = await CLI.run(["report", "--source", url, "--format", "json", "--approximate"], in: folder)
        #expect(exact.status == 0 && approximate.status == 0, "\(exact.stderr) \(approximate.stderr)")
        #expect(!exact.stderr.contains("approximate"), "\(exact.stderr)")
        #expect(approximate.stderr.contains("percentiles are approximate (ClickHouse's quantile)"), "\(approximate.stderr)")
        func percentiles(_ output: String) throws -> [String: Double] {
            let groups = try #require((try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])?["groups"] as? [[String: Any]])
            var result: [String: Double] = [:]
            for group in groups {
                for key in ["latency_p50_ms", "latency_p95_ms", "latency_p99_ms"] { result["\(group["group"] ?? "") \(key)"] = group[key] as? Double }
            }
            return result
        }
        let (left, right) = (try percentiles(exact.stdout), try percentiles(approximate.stdout))
        #expect(left.count == 36 * 3 && Set(left.keys) == Set(right.keys))
        for (key, value) in left {
            let other = try #require(right[key])
            #expect(abs(other - value) <= 0.1 * value, "\(key): exact \(value), approximate \(other)")
        }
        #expect(left != right, "a sample that equals the nearest rank everywhere is not the approximate path")

        let files = await CLI.run(["report", "empty.jsonl", "--approximate"], in: folder)
        #expect(files.stderr.contains("--approximate applies to a ClickHouse source: these percentiles are exact (nearest rank)"), "\(files.stderr)")
    }
}
