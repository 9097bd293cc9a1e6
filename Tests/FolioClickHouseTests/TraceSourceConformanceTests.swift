import FolioClickHouse
import FolioModel
import FolioTelemetry
import FolioTestSupport
import Foundation
import Testing

/// One suite, two stores: every `TraceSource` operation answers the same from the trace
/// files as from the Collector's tables in ClickHouse (the real engine, loaded in the
/// exporter's row format), for the instrumentation fixtures, every dialect, and traffic
/// over versions, days, labels and errors.
struct TraceSourceConformanceTests {
    /// Spans to compare on, and what to ask of them.
    struct Dataset: Sendable, CustomTestStringConvertible {
        let name: String
        let paths: [String]
        let label: String
        let selectors: (String, String)
        let condition: TraceFilter.Condition
        var testDescription: String { name }
    }

    static let datasets: [Dataset] = {
        let fixtures = Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures")
        var sets = ["seed", "openai-v2", "openllmetry", "openinference"].map { name in
            Dataset(
                name: name, paths: [fixtures.appendingPathComponent("instrumentations/\(name)").path], label: "triage.expected", selectors: ("1", "2"),
                condition: .init(key: "triage.expected", value: "technical"))
        }
        sets.append(
            Dataset(
                name: "otel-python", paths: [fixtures.appendingPathComponent("otel-python/spans.jsonl").path], label: "app.expected", selectors: ("1", "2"),
                condition: .init(key: "app.expected", value: "billing")))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-conformance-\(UUID())")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // Generated traffic, written as trace files; the label is app.expected in each.
        for (name, spans, condition) in [
            ("dialects", dialectTraffic, TraceFilter.Condition(key: "app.tenant", value: "acme")), ("versions", versionTraffic, .init(key: "app.region", value: "eu")),
            ("long", longConversations, .init(key: "app.expected", value: "billing")), ("answers", answerShapes, .init(key: "app.expected", value: "billing")),
        ] {
            let file = folder.appendingPathComponent("\(name).jsonl")
            try! TraceFixtures.lines(spans).write(to: file, atomically: true, encoding: .utf8)
            sets.append(Dataset(name: name, paths: [file.path], label: "app.expected", selectors: ("1", "2"), condition: condition))
        }
        return sets
    }()

    static let base: UInt64 = 1_790_000_000_000_000_000

    /// Each dialect's call under a wrapper span that carries the label (and, for every
    /// other one, the prompt version the call lacks), half a day apart, with a spread of
    /// latencies and one error.
    static var dialectTraffic: [TraceFixtures.Spec] {
        TraceFixtures.dialects.enumerated().flatMap { index, dialect -> [TraceFixtures.Spec] in
            let trace = String(format: "%032x", 0xD1A1_0000 + index)
            let start = base + UInt64(index) * 43_200_000_000_000
            var call = dialect.attributes
            var wrapper = ["app.expected": index % 3 == 0 ? "technical" : "billing", "app.tenant": index % 2 == 0 ? "acme" : "globex"]
            if index % 2 == 1, call["gen_ai.prompt.version"] != nil {
                call["gen_ai.prompt.version"] = nil
                wrapper["gen_ai.prompt.version"] = "2"
            }
            return [
                TraceFixtures.Spec(trace: trace, span: String(format: "%016x", 0xA000 + index), name: "triage", start: start, duration: 900_000_000, attributes: wrapper),
                TraceFixtures.Spec(
                    trace: trace, span: String(format: "%016x", 0xB000 + index), parent: String(format: "%016x", 0xA000 + index), name: "chat gpt-4o",
                    start: start + 1_000_000, duration: UInt64(300 + 97 * index) * 1_000_000, attributes: call, error: index == 4),
            ]
        }
    }

    /// Three versions over five days, two models, labels on the calls, a region on a
    /// wrapper for some, and an unpriced model.
    static var versionTraffic: [TraceFixtures.Spec] {
        (0..<60).flatMap { index -> [TraceFixtures.Spec] in
            let version = String(1 + index % 3)
            let model = ["gpt-4o", "gpt-4o-mini", "house-model"][index % 5 == 0 ? 2 : index % 2]
            let trace = String(format: "%032x", 0xE000_0000 + index)
            let start = base + UInt64(index % 5) * 86_400_000_000_000 + UInt64(index) * 7_000_000_000
            let output = index % 4 == 0 ? "technical" : "billing"
            var call: [String: String] = [
                "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": model,
                "gen_ai.prompt.name": index % 7 == 0 ? "refund_policy" : "support_ticket_triage", "gen_ai.prompt.version": version,
                "gen_ai.input.messages": #"[{"role": "user", "parts": [{"type": "text", "content": "ticket \#(index)"}]}]"#,
                "gen_ai.output.messages": #"[{"role": "assistant", "parts": [{"type": "text", "content": "\#(output)"}]}]"#,
                "app.expected": index % 3 == 0 ? "technical" : "billing",
            ]
            if index % 6 != 5 { call["gen_ai.usage.input_tokens"] = String(80 + index) }
            call["gen_ai.usage.output_tokens"] = String(1 + index % 3)
            if index % 4 == 1 { call["gen_ai.response.time_to_first_chunk"] = String(Double(index) / 100) }
            let callSpan = TraceFixtures.Spec(
                trace: trace, span: String(format: "%016x", 0xC000 + index), parent: index % 2 == 0 ? String(format: "%016x", 0xF000 + index) : nil,
                name: "chat \(model)", start: start + 2_000_000, duration: UInt64(200 + (index * 37) % 900) * 1_000_000, attributes: call, error: index % 11 == 0,
                service: index % 9 == 0 ? "batch-app" : "support-app")
            guard index % 2 == 0 else { return [callSpan] }
            return [
                TraceFixtures.Spec(
                    trace: trace, span: String(format: "%016x", 0xF000 + index), name: "handle ticket", start: start, duration: 2_000_000_000,
                    attributes: ["app.region": index % 4 == 0 ? "eu" : "us"]),
                callSpan,
            ]
        }
    }

    /// Flattened messages past 64 (the ClickHouse count once stopped there and failed the
    /// whole query), a gap that ends them, and a call with none.
    static var longConversations: [TraceFixtures.Spec] {
        func flattened(_ prefix: String, _ content: String, _ count: Int, skipping: Int? = nil) -> [String: String] {
            Dictionary(uniqueKeysWithValues: (0..<count).filter { $0 != skipping }.map { ("\(prefix).\($0).\(content)", "line \($0)") })
        }
        let openLLMetry = ["llm.request.type": "chat", "gen_ai.system": "openai", "llm.request.model": "gpt-4o", "traceloop.prompt.key": "triage"]
        let openInference = ["openinference.span.kind": "LLM", "llm.model_name": "gpt-4o", "gen_ai.prompt.name": "triage"]
        let calls: [[String: String]] = [
            openLLMetry.merging(flattened("gen_ai.completion", "content", 70)) { $1 }.merging(["traceloop.prompt.version": "1", "app.expected": "billing"]) { $1 },
            openInference.merging(flattened("llm.output_messages", "message.content", 65)) { $1 }.merging(["llm.prompt_template.version": "2"]) { $1 }
                .merging(flattened("llm.input_messages", "message.content", 80)) { $1 }.merging(["app.expected": "line 0"]) { $1 },
            openLLMetry.merging(flattened("gen_ai.completion", "content", 5, skipping: 2)) { $1 }.merging(["traceloop.prompt.version": "2", "app.expected": "technical"]) { $1 },
            openLLMetry.merging(["traceloop.prompt.version": "1", "app.expected": "billing"]) { $1 },
        ]
        return calls.enumerated().map { index, attributes in
            TraceFixtures.Spec(
                trace: String(format: "%032x", 0x1049_0000 + index), span: String(format: "%016x", 0x1000 + index), name: "chat gpt-4o",
                start: base + UInt64(index) * 3_600_000_000_000, duration: UInt64(100 + index) * 1_000_000, attributes: attributes)
        }
    }

    /// Answers in `gen_ai.output.messages`: the shapes ClickHouse takes by one regular
    /// expression (`ClickHouseDialect.oneTextPart`) and near misses that take the general one.
    static var answerShapes: [TraceFixtures.Spec] {
        let outputs = [
            #"[{"role": "assistant", "parts": [{"type": "text", "content": "billing"}], "finish_reason": "stop"}]"#,
            #"[{"role":"assistant","parts":[{"type":"text","content":"technical"}]}]"#,
            #"[{"parts": [{"type": "text", "content": "facturación, l'équipe"}]}]"#,
            #"[{"role": "assistant", "parts": [{"type": "text", "content": ""}]}]"#,
            #"[{"role": "assistant", "parts": [{"type": "text", "content": "bill\"ing\n"}]}]"#,
            #"[{"role": "assistant", "parts": [{"type": "text", "content": "\u0062illing"}]}]"#,
            "[\n  {\"role\": \"assistant\", \"parts\": [{\"type\": \"text\", \"content\": \"billing\"}]}\n]",
            #" [{"role": "assistant", "parts": [{"type": "text", "content": "billing"}]}]"#,
            #"[{"role": "Assistant", "parts": [{"type": "text", "content": "billing"}]}]"#,
            #"[{"role": "assistant", "parts": [{"type": "text", "content": "bill"}, {"type": "text", "content": "ing"}]}]"#,
            #"[{"role": "assistant", "parts": [{"type": "tool_call", "content": "billing"}]}]"#,
            #"[{"role": "assistant", "parts": [{"type": "text", "content": "billing"}]}, {"role": "assistant", "parts": []}]"#,
            #"[{"role": "assistant", "parts": [{"type": "text", "content": "billing"}], "finish_reason": "stop"}"#,
            #"[{"role": "assistant", "parts": [{"type": "text", "content": "billing", "content": "technical"}]}]"#,
        ]
        return outputs.enumerated().map { index, output in
            TraceFixtures.Spec(
                trace: String(format: "%032x", 0xA115_0000 + index), span: String(format: "%016x", 0x2000 + index), name: "chat gpt-4o",
                start: base + UInt64(index) * 3_600_000_000_000, duration: UInt64(100 + index) * 1_000_000,
                attributes: [
                    "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o", "gen_ai.prompt.name": "triage", "gen_ai.prompt.version": String(1 + index % 2),
                    "gen_ai.output.messages": output, "app.expected": index % 3 == 0 ? "technical" : "billing",
                ])
        }
    }

    /// Loads a dataset into a fresh database of the shared ClickHouse front.
    static func clickHouse(_ dataset: Dataset) async throws -> ClickHouseTraceSource {
        let front = try ClickHouseFront.shared()
        let url = try ClickHouseURL(front.url(database: ClickHouseFront.databaseName(dataset.name.replacingOccurrences(of: "-", with: "_"))))
        let client = ClickHouseClient(url: url, password: nil)
        try await ClickHouseWriter.createTables(client, ttlDays: nil)
        try await ClickHouseWriter.load(dataset.paths, into: client)
        return ClickHouseTraceSource(client: client)
    }

    /// Every answer the suite asks for, as text to compare.
    static func answers(_ source: any TraceSource, _ dataset: Dataset) async throws -> [String: String] {
        var answers: [String: String] = [:]
        func report(_ name: String, _ request: ReportRequest) async throws {
            let result = try await source.report(request)
            let data = try JSONSerialization.data(withJSONObject: result.report.json(), options: [.sortedKeys, .prettyPrinted])
            answers["report " + name] = String(decoding: data, as: UTF8.self)
        }
        let all = try await source.calls(CallsRequest(limit: 10_000, attributes: [dataset.label]))
        #expect(!all.rows.isEmpty, "\(dataset.name): no calls")
        #expect(all.next == nil)
        let starts = all.rows.map(\.start).sorted()
        let middle = Date(timeIntervalSince1970: Double(starts[starts.count / 2]) / 1e9)
        let prompt = all.rows.compactMap(\.promptName).sorted().first

        try await report("by prompt and version", ReportRequest(labelAttribute: dataset.label))
        try await report("by model and label, ungrouped prices", ReportRequest(groupBy: [.model, .attribute(dataset.label)], prices: ["house-model": ModelPrice(input: 1, output: 2)]))
        try await report(
            "compare", ReportRequest(selectors: [(.version, dataset.selectors.0), (.version, dataset.selectors.1)], labelAttribute: dataset.label))
        try await report("where", ReportRequest(filter: TraceFilter(conditions: [dataset.condition]), labelAttribute: dataset.label))
        try await report("since", ReportRequest(filter: TraceFilter(prompt: prompt, since: middle)))
        try await report("until, one version", ReportRequest(filter: TraceFilter(version: dataset.selectors.1, until: middle)))
        try await report("service, errors", ReportRequest(filter: TraceFilter(service: "support-app", errorsOnly: true), groupBy: []))
        try await report("window", ReportRequest(window: 86_400))

        answers["calls"] = all.rows.map { "\($0)" }.joined(separator: "\n")
        // Two pages of three follow on from each other as the whole list does.
        let first = try await source.calls(CallsRequest(limit: 3, attributes: [dataset.label]))
        let second = try await source.calls(CallsRequest(limit: 3, cursor: first.next, attributes: [dataset.label]))
        #expect(first.rows + second.rows == Array(all.rows.prefix(6)), "\(dataset.name)")
        #expect((first.next == nil) == (all.rows.count <= 3))
        let filtered = try await source.calls(CallsRequest(filter: TraceFilter(since: middle, conditions: [dataset.condition]), limit: 5))
        answers["calls filtered"] = filtered.rows.map { "\($0)" }.joined(separator: "\n") + "\nnext: \(filtered.next.map(String.init(describing:)) ?? "-")"

        // The newest, the oldest, and one between.
        for row in Set([0, all.rows.count / 2, all.rows.count - 1]).sorted().map({ all.rows[$0] }) {
            let detail = try #require(try await source.call(row.span, inherited: [dataset.label]))
            answers["call \(row.span.hex)"] = [
                "prompt: \(detail.promptName ?? "-")@\(detail.promptVersion ?? "-")", "attributes: \(detail.attributes.sorted { $0.key < $1.key })",
                "variables: \(detail.variables.sorted { $0.key < $1.key })", "output: \(detail.output ?? "-")",
                "messages: \(detail.call.systemInstructions + detail.call.inputMessages)", "model: \(detail.call.model ?? "-")",
            ].joined(separator: "\n")
            let trace = try #require(try await source.trace(row.trace))
            answers["trace \(row.trace.hex)"] =
                trace.spans.map { "\($0.id.hex) < \($0.parent?.hex ?? "-") \($0.name) \($0.start) \($0.duration ?? 0) \($0.attributes.count)" }.sorted()
                .joined(separator: "\n") + "\nlogs: \(trace.logs.count)"
        }
        let details = try await source.details(CallsRequest(filter: TraceFilter(conditions: [dataset.condition]), limit: 3, attributes: [dataset.label]))
        answers["details"] = details.map { "\($0.call.span.id.hex) \($0.promptName ?? "-") \($0.variables.sorted { $0.key < $1.key }) \($0.output ?? "-")" }
            .joined(separator: "\n")
        #expect(try await source.call(SpanID(hex: "0123456789abcdef")!, inherited: []) == nil)
        #expect(try await source.trace(TraceID(hex: "0123456789abcdef0123456789abcdef")!) == nil)
        return answers
    }

    @Test(arguments: datasets)
    func clickHouseAnswersAsTheFilesDo(_ dataset: Dataset) async throws {
        let files = try await Self.answers(FileTraceSource(paths: dataset.paths), dataset)
        let clickHouse = try await Self.answers(try await Self.clickHouse(dataset), dataset)
        #expect(files.keys.sorted() == clickHouse.keys.sorted())
        for key in files.keys.sorted() where clickHouse[key] != files[key] {
            let left = (files[key] ?? "").split(separator: "\n", omittingEmptySubsequences: false)
            let right = (clickHouse[key] ?? "").split(separator: "\n", omittingEmptySubsequences: false)
            let differing = zip(left, right).enumerated().filter { $1.0 != $1.1 }.prefix(3).map { index, pair in
                let (a, b) = (Array(pair.0), Array(pair.1))
                let common = zip(a, b).prefix { $0 == $1 }.count
                return "line \(index) at \(common): files …\(String(a.dropFirst(max(0, common - 40)).prefix(160))) | clickhouse …\(String(b.dropFirst(max(0, common - 40)).prefix(160)))"
            }
            Issue.record("\(dataset.name): \(key) differs (\(left.count) and \(right.count) lines): \(differing.joined(separator: "; "))")
        }
    }
}
