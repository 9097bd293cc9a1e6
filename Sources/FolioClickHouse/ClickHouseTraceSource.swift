import FolioModel
import FolioTelemetry
import Foundation

/// The OpenTelemetry Collector's tables in ClickHouse (`otel_traces`, `otel_logs`, the
/// `clickhouseexporter`'s schema) as a `TraceSource`. The report runs there: filters, the
/// trace join and every aggregate are SQL (`ClickHouseCalls`), so what comes back grows with
/// groups × days × models, not with spans; prices are applied here to token sums per model.
/// A listing, a call and a trace fetch their spans and finish the join here with the same
/// code the files use (`FileTraceSource.detail`).
package struct ClickHouseTraceSource: TraceSource {
    package let client: ClickHouseClient

    package init(client: ClickHouseClient) {
        self.client = client
    }

    package var name: String { client.url.description }
    var url: ClickHouseURL { client.url }

    // MARK: - Report

    package func report(_ request: ReportRequest) async throws -> ReportResult {
        var parameters = SQLParameters()
        let calls = ClickHouseCalls(url: url, inherited: request.inherited, outputs: request.labelAttribute != nil)
        let with = calls.with(request.filter, parameters: &parameters)
        var conditions = calls.conditions(request.filter, parameters: &parameters)
        if let window = request.window {
            let span = parameters.add(String(UInt64((window * 1e9).rounded())), as: "UInt64")
            conditions.append("start >= (SELECT max(start) FROM calls WHERE \(conditions.isEmpty ? "1" : conditions.joined(separator: " AND "))) - \(span)")
        }
        let groups: [String]
        if let selectors = request.selectors {
            let matches = selectors.enumerated().map { index, selector in
                "if(ifNull(\(Self.value(of: selector.key, calls: calls)), '-') = \(parameters.add(selector.value)), ['\(index)'], CAST([], 'Array(String)'))"
            }
            groups = ["arrayJoin(arrayConcat(\(matches.joined(separator: ", "))))"]
        } else if request.groupBy.isEmpty {
            groups = ["''"]
        } else {
            groups = request.groupBy.map { "ifNull(\(Self.value(of: $0, calls: calls)), '-')" }
        }
        let label = request.labelAttribute.map { calls.label($0) } ?? "CAST(NULL, 'Nullable(String)')"
        let verdict = """
            if(isNotNull(expected) AND isNotNull(output), \(ClickHouseDialect.normalized("output")) = \(ClickHouseDialect.normalized("expected")), evaluation)
            """
        let percentiles = request.approximate ? Self.approximatePercentiles : Self.exactPercentiles
        let groupNames = groups.indices.map { "g\($0)" }
        // The sorted arrays feed the percentiles and stay in the server: what leaves it is a
        // few numbers per group, day and model, whatever the number of spans.
        let sql = """
            \(with)
            SELECT * EXCEPT (latencies, firsts) FROM (
            SELECT \(groups.enumerated().map { "\($1) AS g\($0)" }.joined(separator: ", ")),
                formatDateTime(fromUnixTimestamp64Nano(toInt64(start), 'UTC'), '%Y-%m-%d', 'UTC') AS day, ifNull(model, '') AS model_key,
                grouping(day) AS all_days, grouping(model_key) AS all_models,
                count() AS calls, countIf(is_error) AS errors,
                countIf(isNotNull(input_tokens)) AS input_count, sumIf(input_tokens, isNotNull(input_tokens)) AS input_sum,
                countIf(isNotNull(output_tokens)) AS output_count, sumIf(output_tokens, isNotNull(output_tokens)) AS output_sum,
                countIf(isNotNull(input_tokens) AND isNotNull(output_tokens)) AS priced_count,
                sumIf(input_tokens, isNotNull(input_tokens) AND isNotNull(output_tokens)) AS priced_input,
                sumIf(output_tokens, isNotNull(input_tokens) AND isNotNull(output_tokens)) AS priced_output,
                arraySort(groupArrayIf(latency_ms, isNotNull(latency_ms))) AS latencies, length(latencies) AS latency_count, arraySum(latencies) AS latency_sum,
                arraySort(groupArrayIf(ttft_ms, isNotNull(ttft_ms))) AS firsts, length(firsts) AS ttft_count, arraySum(firsts) AS ttft_sum,
                \(percentiles),
                countIf(isNotNull(verdict)) AS labelled, countIf(verdict = 1) AS correct,
                countIf(isNotNull(expected)) AS with_label, countIf(isNotNull(output)) AS with_output
            FROM (
                -- The verdict as a column: used three times, analysed once.
                SELECT *, \(label) AS expected, \(verdict) AS verdict FROM calls
                \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            )
            GROUP BY GROUPING SETS ((\(groupNames.joined(separator: ", "))), (\(groupNames.joined(separator: ", ")), day),
                (\(groupNames.joined(separator: ", ")), model_key), (\(groupNames.joined(separator: ", ")), day, model_key))
            )
            """
        let rows = try await client.rows(sql, parameters: parameters.values)
        var notes = ReadNotes()
        notes.calls = rows.filter { $0["all_days"]?.int64 == 1 && $0["all_models"]?.int64 == 1 }.reduce(0) { $0 + Int($1["calls"]?.int64 ?? 0) }
        return ReportResult(report: Self.report(rows, groups: groupNames.count, prices: request.prices), notes: notes, approximatePercentiles: request.approximate)
    }

    /// Nearest rank, exactly as `Measure.percentile`: the value at rank ⌈p × n⌉ of the
    /// sorted values (the arrays hold only the calls that have the value).
    static let exactPercentiles = [("p50", "latencies", 0.5), ("p95", "latencies", 0.95), ("p99", "latencies", 0.99), ("ttft_p95", "firsts", 0.95)]
        .map { name, array, fraction in "if(length(\(array)) = 0, NULL, \(array)[toUInt64(greatest(1, ceil(\(fraction) * length(\(array)))))]) AS \(name)" }
        .joined(separator: ", ")

    /// ClickHouse's `quantile` (a sample): for very large groups, when the report may say
    /// "approximate".
    static let approximatePercentiles = [("p50", "latency_ms", 0.5), ("p95", "latency_ms", 0.95), ("p99", "latency_ms", 0.99), ("ttft_p95", "ttft_ms", 0.95)]
        .map { name, column, fraction in "quantileIf(\(fraction))(\(column), isNotNull(\(column))) AS \(name)" }
        .joined(separator: ", ")

    static func value(of key: GroupKey, calls: ClickHouseCalls) -> String {
        switch key {
        case .prompt: return "name"
        case .version: return "version"
        case .model: return "model"
        case .attribute(let name): return calls.label(name)
        }
    }

    /// The rows of the grouping sets as a report: the metrics from the sets without a
    /// model, the cost from those with one (each model's price on its token sums).
    static func report(_ rows: [JSONNode], groups: Int, prices: [String: ModelPrice]) -> TraceReport {
        struct Key: Hashable {
            let group: String
            let day: String?
        }
        var metrics: [Key: JSONNode] = [:]
        var costs: [Key: (count: Int, sum: Double)] = [:]
        // Grouping by constants alone answers an empty selection with a row of zeros.
        for row in rows where (row["calls"]?.int64 ?? 0) > 0 {
            let group = (0..<groups).map { row["g\($0)"]?.string ?? "-" }.joined(separator: " ")
            let key = Key(group: group, day: row["all_days"]?.int64 == 1 ? nil : row["day"]?.string)
            if row["all_models"]?.int64 == 1 {
                metrics[key] = row
                continue
            }
            guard let model = row["model_key"]?.string, !model.isEmpty, let price = PriceTable.price(of: model, overrides: prices) else { continue }
            let count = Int(row["priced_count"]?.int64 ?? 0)
            guard count > 0 else { continue }
            let input = row["priced_input"]?.double ?? 0, output = row["priced_output"]?.double ?? 0
            let cost = (input * price.input + output * price.output) / 1_000_000
            costs[key, default: (0, 0)].count += count
            costs[key, default: (0, 0)].sum += cost
        }
        var report = TraceReport()
        for (key, row) in metrics {
            func int(_ name: String) -> Int { Int(row[name]?.int64 ?? 0) }
            func number(_ name: String) -> Double? { row[name]?.double }
            func percentiles(_ names: [(Double, String)]) -> [Double: Double] {
                var result: [Double: Double] = [:]
                for (fraction, name) in names { if let value = number(name) { result[fraction] = value } }
                return result
            }
            let cost = costs[key]
            let values = SpanMetrics(
                spans: int("calls"), errors: int("errors"),
                inputTokens: Measure(count: int("input_count"), sum: number("input_sum") ?? 0),
                outputTokens: Measure(count: int("output_count"), sum: number("output_sum") ?? 0),
                costs: Measure(count: cost?.count ?? 0, sum: cost?.sum ?? 0),
                latencies: Measure(count: int("latency_count"), sum: number("latency_sum") ?? 0, percentiles: percentiles([(0.5, "p50"), (0.95, "p95"), (0.99, "p99")])),
                firstChunk: Measure(count: int("ttft_count"), sum: number("ttft_sum") ?? 0, percentiles: percentiles([(0.95, "ttft_p95")])),
                labelled: int("labelled"), correct: int("correct"), withLabel: int("with_label"), withOutput: int("with_output"))
            report.set(values, group: key.group, day: key.day)
        }
        return report
    }

    // MARK: - Listing

    package func calls(_ request: CallsRequest) async throws -> CallPage {
        let (rows, next, wrapperOutputs) = try await page(request)
        let keys = rows.map { (trace: $0.trace, span: $0.span) }
        let spans = try await self.spans(keys)
        let logs = try await self.logs(keys)
        var result: [CallRow] = []
        for var row in rows {
            let key = SpanKey(trace: row.trace, span: row.span)
            if let span = spans[key], var call = GenAISpan(span, contentEvents: span.contentEvents) {
                call.contentEvents += (logs[key] ?? []).compactMap(\.contentEvent)
                let summary = CallSummary(call)
                row.input = FileTraceSource.excerpt(call.inputMessages)
                row.output = summary.output(with: call.contentEvents, wrapper: wrapperOutputs[key])
                row.costUSD = summary.cost(prices: request.prices)
            }
            result.append(row)
        }
        var notes = ReadNotes()
        notes.calls = result.count
        return CallPage(rows: result, next: next, notes: notes)
    }

    /// A page of joined calls in SQL (newest first), with the ids to fetch.
    func page(_ request: CallsRequest) async throws -> (rows: [CallRow], next: CallCursor?, wrapperOutputs: [SpanKey: String]) {
        var parameters = SQLParameters()
        let inherited = Array(Set(request.filter.attributeKeys + request.attributes)).sorted()
        let calls = ClickHouseCalls(url: url, inherited: inherited, outputs: true)
        let with = calls.with(request.filter, parameters: &parameters)
        var conditions = calls.conditions(request.filter, parameters: &parameters)
        if let cursor = request.cursor {
            let start = parameters.add(String(cursor.start), as: "UInt64"), span = parameters.add(cursor.span.hex)
            conditions.append("(start < \(start) OR (start = \(start) AND span < \(span)))")
        }
        let limit = parameters.add(String(request.limit + 1), as: "UInt64")
        let sql = """
            \(with)
            SELECT trace, span, start, service, name, version, labels, model, provider, input_tokens, output_tokens, latency_ms, ttft_ms, status, is_error, output
            FROM calls
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY start DESC, span DESC
            LIMIT \(limit)
            """
        let rows = try await client.rows(sql, parameters: parameters.values)
        var result: [CallRow] = []
        var wrapperOutputs: [SpanKey: String] = [:]
        for row in rows.prefix(request.limit) {
            guard let trace = row["trace"]?.string.flatMap({ TraceID(hex: $0) }), let span = row["span"]?.string.flatMap({ SpanID(hex: $0) }) else { continue }
            let labels = row["labels"]?.array ?? []
            var attributes: [String: String] = [:]
            for (index, key) in inherited.enumerated() where request.attributes.contains(key) {
                if index < labels.count, let value = labels[index].string { attributes[key] = value }
            }
            if let output = row["output"]?.string { wrapperOutputs[SpanKey(trace: trace, span: span)] = output }
            result.append(
                CallRow(
                    trace: trace, span: span, start: ClickHouseRows.unsigned(row["start"]) ?? 0, promptName: row["name"]?.string,
                    promptVersion: row["version"]?.string, service: row["service"]?.string ?? "", model: row["model"]?.string,
                    provider: row["provider"]?.string, inputTokens: row["input_tokens"]?.int64, outputTokens: row["output_tokens"]?.int64,
                    latencyMs: row["latency_ms"]?.double, timeToFirstChunkMs: row["ttft_ms"]?.double, status: Span.Status(exported: row["status"]?.string ?? ""),
                    isError: row["is_error"].map { $0 == .bool(true) || $0.int64 == 1 } ?? false, input: nil, output: row["output"]?.string, costUSD: nil,
                    attributes: attributes))
        }
        let next = rows.count > request.limit ? result.last.map { CallCursor(start: $0.start, span: $0.span) } : nil
        return (result, next, wrapperOutputs)
    }

    /// `TraceId IN … AND SpanId IN …` for `keys`, the ids as array parameters (rows of other
    /// pairs that match both lists are harmless: results are looked up by their own key).
    static func matching(_ keys: [(trace: TraceID, span: SpanID)], _ parameters: inout SQLParameters) -> String {
        let traces = parameters.add("[" + keys.map { "'\($0.trace.hex)'" }.joined(separator: ",") + "]", as: "Array(String)")
        let spans = parameters.add("[" + keys.map { "'\($0.span.hex)'" }.joined(separator: ",") + "]", as: "Array(String)")
        return "TraceId IN \(traces) AND SpanId IN \(spans)"
    }

    /// Spans by (trace, span) id, in one query.
    func spans(_ keys: [(trace: TraceID, span: SpanID)]) async throws -> [SpanKey: Span] {
        guard !keys.isEmpty else { return [:] }
        var parameters = SQLParameters()
        let sql = "SELECT \(ClickHouseRows.spanColumns) FROM \(url.database).\(url.tracesTable) WHERE \(Self.matching(keys, &parameters))"
        var result: [SpanKey: Span] = [:]
        try await client.stream(sql, parameters: parameters.values) { row in
            if let span = ClickHouseRows.span(row, origin: Origin(file: name, line: 0)) { result[SpanKey(trace: span.trace, span: span.id)] = span }
        }
        return result
    }

    /// Content log records by (trace, span) id.
    func logs(_ keys: [(trace: TraceID, span: SpanID)]) async throws -> [SpanKey: [LogRecord]] {
        guard !keys.isEmpty else { return [:] }
        var parameters = SQLParameters()
        let sql = "SELECT \(ClickHouseRows.logColumns) FROM \(url.database).\(url.logsTable) WHERE \(Self.matching(keys, &parameters)) ORDER BY Timestamp"
        var result: [SpanKey: [LogRecord]] = [:]
        try await client.stream(sql, parameters: parameters.values) { row in
            let record = ClickHouseRows.log(row, origin: Origin(file: name, line: 0))
            if let trace = record.trace, let span = record.span { result[SpanKey(trace: trace, span: span), default: []].append(record) }
        }
        return result
    }

    // MARK: - One call, one trace

    package func call(_ id: SpanID, inherited: [String]) async throws -> CallDetail? {
        var parameters = SQLParameters()
        let sql = "SELECT TraceId FROM \(url.database).\(url.tracesTable) WHERE SpanId = \(parameters.add(id.hex)) LIMIT 1"
        guard let trace = try await client.rows(sql, parameters: parameters.values).first?["TraceId"]?.string.flatMap({ TraceID(hex: $0) }),
            let detail = try await self.trace(trace)
        else { return nil }
        var notes = ReadNotes()
        notes.spans = detail.spans.count
        notes.logs = detail.logs.count
        return FileTraceSource.detail(of: id, in: detail, inherited: inherited, notes: notes)
    }

    package func details(_ request: CallsRequest) async throws -> [CallDetail] {
        let (rows, _, _) = try await page(request)
        var result: [CallDetail] = []
        var traces: [TraceID: TraceDetail] = [:]
        let inherited = Array(Set(request.filter.attributeKeys + request.attributes)).sorted()
        for row in rows {
            if traces[row.trace] == nil { traces[row.trace] = try await trace(row.trace) }
            guard let trace = traces[row.trace], let detail = FileTraceSource.detail(of: row.span, in: trace, inherited: inherited, notes: ReadNotes()) else { continue }
            result.append(detail)
        }
        return result
    }

    package func trace(_ id: TraceID) async throws -> TraceDetail? {
        var parameters = SQLParameters()
        let trace = parameters.add(id.hex)
        var spans: [Span] = []
        try await client.stream("SELECT \(ClickHouseRows.spanColumns) FROM \(url.database).\(url.tracesTable) WHERE TraceId = \(trace)", parameters: parameters.values) { row in
            if let span = ClickHouseRows.span(row, origin: Origin(file: name, line: 0)) { spans.append(span) }
        }
        var logs: [LogRecord] = []
        try await client.stream(
            "SELECT \(ClickHouseRows.logColumns) FROM \(url.database).\(url.logsTable) WHERE TraceId = \(trace) ORDER BY Timestamp", parameters: parameters.values
        ) { row in
            logs.append(ClickHouseRows.log(row, origin: Origin(file: name, line: 0)))
        }
        guard !spans.isEmpty || !logs.isEmpty else { return nil }
        spans.sort { ($0.start ?? 0, $0.id) < ($1.start ?? 0, $1.id) }
        return TraceDetail(spans: spans, logs: logs)
    }
}
