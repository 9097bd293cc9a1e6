import FolioTelemetry
import Foundation

/// The SQL that turns the Collector's `otel_traces` (and `otel_logs`) into joined LLM calls,
/// in ClickHouse: each span's GenAI fields through the dialect table, then, trace by trace,
/// every call's chain of ancestors, from which it takes its prompt identity, the inherited
/// attributes and, without an output of its own, its wrapping call's; a call with another
/// call beneath it is a wrapper and left out (`TraceJoin`, in SQL).
struct ClickHouseCalls {
    let url: ClickHouseURL
    /// Attribute keys calls inherit (labels, `--where` keys, group keys), in this order.
    let inherited: [String]
    /// Whether to compute outputs (the report's verdicts need them).
    let outputs: Bool

    /// `WITH … calls AS (…)`: one row per joined call with the columns `trace`, `span`,
    /// `start` (Unix ns), `service`, `name`, `version` (Nullable), `labels`
    /// (Array(Nullable(String)) in `inherited`'s order), `model`, `provider`, `input_tokens`,
    /// `output_tokens`, `latency_ms`, `ttft_ms`, `status`, `is_error`, `output`, `evaluation`.
    /// Values of `filter` travel as parameters.
    func with(_ filter: TraceFilter, parameters: inout SQLParameters) -> String {
        let traces = "\(url.database).\(url.tracesTable)"
        let logs = "\(url.database).\(url.logsTable)"
        var window: [String] = []
        if let since = filter.since { window.append("Timestamp >= \(parameters.add(Self.time(since), as: "DateTime64(9)"))") }
        if let until = filter.until { window.append("Timestamp < \(parameters.add(Self.time(until), as: "DateTime64(9)"))") }
        let inWindow = window.isEmpty ? "" : "TraceId IN (SELECT TraceId FROM \(traces) WHERE \(window.joined(separator: " AND ")))"
        var traceFilters = [inWindow].filter { !$0.isEmpty }
        if let prompt = filter.prompt {
            let name = ClickHouseDialect.field(.promptName)
            traceFilters.append("TraceId IN (SELECT TraceId FROM \(traces) WHERE \(name) = \(parameters.add(prompt)))")
        }
        for condition in filter.conditions {
            let key = parameters.add(condition.key), value = parameters.add(condition.value)
            traceFilters.append("TraceId IN (SELECT TraceId FROM \(traces) WHERE SpanAttributes[\(key)] = \(value) OR ResourceAttributes[\(key)] = \(value))")
        }
        let spanWhere = traceFilters.isEmpty ? "" : "WHERE " + traceFilters.joined(separator: " AND ")
        // Records of traces outside the spans fall away in the join; the set of trace ids is
        // built only when the spans are a subset (0.2 s for 1M traces).
        let logsWhere = traceFilters.isEmpty ? "" : "TraceId IN (SELECT trace FROM spans) AND "
        let labels = inherited.map { key -> String in
            let name = parameters.add(key)
            return "if(mapContains(a, \(name)), a[\(name)], if(mapContains(r, \(name)), r[\(name)], CAST(NULL, 'Nullable(String)')))"
        }
        let contentNames = ContentEvent.names.map(literal).joined(separator: ", ")
        let outputNames = ContentEvent.outputEventNames.map(literal).joined(separator: ", ")
        let own = outputs ? ClickHouseDialect.ownOutput : "CAST(NULL, 'Nullable(String)')"
        let fromEvents = outputs ? ClickHouseDialect.eventOutput("content_events") : "CAST(NULL, 'Nullable(String)')"
        return """
            WITH
            spans AS (
                SELECT TraceId AS trace, SpanId AS span, ParentSpanId AS parent, toUnixTimestamp64Nano(Timestamp) AS start, Duration AS duration,
                    StatusCode AS status, ServiceName AS service, SpanAttributes AS a, ResourceAttributes AS r,
                    Events.Name AS event_names, Events.Attributes AS event_attributes
                FROM \(traces) \(spanWhere)
            ),
            content AS (
                SELECT TraceId AS trace, SpanId AS span,
                    arraySort(x -> x.1, groupArray((toUnixTimestamp64Nano(Timestamp), if(EventName != '', EventName, LogAttributes['event.name']), Body, LogAttributes))) AS records
                FROM \(logs)
                WHERE \(logsWhere)if(EventName != '', EventName, LogAttributes['event.name']) IN (\(contentNames))
                GROUP BY TraceId, SpanId
            ),
            fields AS (
                SELECT spans.trace AS trace, spans.span AS span, parent, start, duration, status, service, a,
                    \(ClickHouseDialect.field(.promptName)) AS name, \(ClickHouseDialect.field(.promptVersion)) AS version,
                    CAST([\(labels.joined(separator: ", "))], 'Array(Nullable(String))') AS labels,
                    arrayConcat(
                        arrayMap(x -> (x.2, x.3, x.4), content.records),
                        arrayMap(x -> (x.1, x.2['gen_ai.event.content'], x.2), arrayFilter(x -> x.1 IN (\(contentNames)), arrayZip(event_names, event_attributes)))
                    ) AS all_events,
                    arrayFilter(e -> e.1 IN (\(outputNames)), all_events) AS content_events,
                    \(ClickHouseDialect.field(.responseModel)) AS response_model, \(ClickHouseDialect.field(.requestModel)) AS request_model,
                    \(ClickHouseDialect.field(.provider)) AS provider,
                    \(ClickHouseDialect.tokens(.inputTokens, keys: ["input", "prompt_tokens", "input_tokens"])) AS input_tokens,
                    \(ClickHouseDialect.tokens(.outputTokens, keys: ["output", "completion_tokens", "output_tokens"])) AS output_tokens,
                    toFloat64OrNull(\(ClickHouseDialect.field(.timeToFirstChunk))) * 1000 AS ttft_ms,
                    upperUTF8(status) IN ('STATUS_CODE_ERROR', 'ERROR') OR mapContains(a, 'error.type') AS is_error,
                    \(ClickHouseDialect.evaluation) AS evaluation
                FROM spans LEFT JOIN content ON spans.trace = content.trace AND spans.span = content.span
            ),
            -- Each layer names one large expression once: ClickHouse analyses an alias again
            -- wherever it is used in the same SELECT, and a column of the layer below only once.
            classified AS (
                SELECT *,
                    (\(ClickHouseDialect.touchesDialect) OR length(all_events) > 0)
                        AND (\(ClickHouseDialect.hasCallFields) OR length(all_events) > 0 OR \(ClickHouseDialect.hasMessages)) AS is_call
                FROM fields
            ),
            answered AS (
                SELECT *, if(is_call, coalesce(\(own), \(fromEvents)), CAST(NULL, 'Nullable(String)')) AS output
                FROM classified
            ),
            -- A node's fields are taken as whole arrays (`nodes.3`, a subcolumn) and indexed
            -- there: `nodes[j].3` copies all eighteen fields of a node, and a lambda that names
            -- `nodes` copies the whole array for each element it runs on.
            per_trace AS (
                SELECT trace,
                    groupArray((span, parent, name, version, labels, is_call, output, start, duration, service, coalesce(response_model, request_model),
                        provider, input_tokens, output_tokens, ttft_ms, status, is_error, evaluation)) AS nodes,
                    nodes.1 AS ids, nodes.3 AS names, nodes.4 AS versions, nodes.5 AS label_sets, nodes.6 AS is_calls, nodes.7 AS outputs,
                    arrayMap(p -> indexOf(ids, p), nodes.2) AS parents,
                    arrayFilter(i -> is_calls[i], arrayEnumerate(ids)) AS call_indexes,
                    arrayMap(i -> arrayFold((chain, step) -> if(chain[-1] = 0, chain, arrayPushBack(chain, parents[chain[-1]])), range(least(length(ids), \(TraceJoin<Int>.maximumDepth))), [toUInt64(i)]), call_indexes) AS chains,
                    arrayDistinct(arrayFlatten(arrayMap(c -> arraySlice(c, 2), chains))) AS above
                FROM answered
                GROUP BY trace
            ),
            calls AS (
                SELECT trace, chain, arrayFilter(j -> j > 0, chain) AS up, chain[1] AS self,
                    arrayFirst(j -> isNotNull(names[j]) OR isNotNull(versions[j]), up) AS identity,
                    ids[self] AS span, nodes.8[self] AS start, nodes.10[self] AS service,
                    if(identity > 0, names[identity], CAST(NULL, 'Nullable(String)')) AS name,
                    if(identity > 0, versions[identity], CAST(NULL, 'Nullable(String)')) AS version,
                    arrayMap(p -> label_sets[arrayFirst(j -> isNotNull(label_sets[j][p]), up)][p], range(1, \(inherited.count + 1))) AS labels,
                    nodes.11[self] AS model, nodes.12[self] AS provider, nodes.13[self] AS input_tokens, nodes.14[self] AS output_tokens,
                    if(start > 0, nodes.9[self] / 1e6, CAST(NULL, 'Nullable(Float64)')) AS latency_ms, nodes.15[self] AS ttft_ms,
                    nodes.16[self] AS status, nodes.17[self] AS is_error,
                    coalesce(outputs[self], outputs[arrayFirst(j -> j != self AND is_calls[j] AND isNotNull(outputs[j]), up)]) AS output,
                    nodes.18[self] AS evaluation
                FROM per_trace
                ARRAY JOIN chains AS chain
                WHERE NOT has(above, chain[1])
            )
            """
    }

    /// The call-level conditions of `filter` (on the joined columns of `calls`).
    func conditions(_ filter: TraceFilter, parameters: inout SQLParameters) -> [String] {
        var result: [String] = []
        if let prompt = filter.prompt { result.append("name = \(parameters.add(prompt))") }
        if let version = filter.version { result.append("version = \(parameters.add(version))") }
        if let service = filter.service { result.append("service = \(parameters.add(service))") }
        if filter.errorsOnly { result.append("is_error") }
        if let since = filter.since { result.append("start >= \(parameters.add(String(Self.nanoseconds(since)), as: "UInt64"))") }
        if let until = filter.until { result.append("start < \(parameters.add(String(Self.nanoseconds(until)), as: "UInt64"))") }
        for condition in filter.conditions {
            guard let index = inherited.firstIndex(of: condition.key) else { continue }
            result.append("labels[\(index + 1)] = \(parameters.add(condition.value))")
        }
        return result
    }

    /// The label an inherited key holds, as SQL over `calls`.
    func label(_ key: String) -> String {
        guard let index = inherited.firstIndex(of: key) else { return "CAST(NULL, 'Nullable(String)')" }
        return "labels[\(index + 1)]"
    }

    /// A time as `DateTime64(9)` parameter text: Unix seconds with nanoseconds (no time zone).
    static func time(_ date: Date) -> String {
        let nanoseconds = self.nanoseconds(date)
        return "\(nanoseconds / 1_000_000_000).\(String(format: "%09llu", nanoseconds % 1_000_000_000))"
    }

    static func nanoseconds(_ date: Date) -> UInt64 {
        let seconds = date.timeIntervalSince1970
        guard seconds > 0 else { return 0 }
        return UInt64((seconds * 1e9).rounded())
    }
}
