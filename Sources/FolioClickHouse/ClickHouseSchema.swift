import Foundation

/// The OpenTelemetry Collector's ClickHouse exporter's tables, exactly: its own SQL
/// templates (exporter/clickhouseexporter/internal/sqltemplates in
/// opentelemetry-collector-contrib, Apache-2.0; the files and their commits are vendored in
/// Tests/Fixtures/clickhouseexporter, and a test holds these copies to them), rendered as the
/// exporter renders them for a single server: the MergeTree engine, no cluster, the
/// bloom-filter indexes, and a TTL in days when one is asked for. Folio never needs a column
/// of its own.
package enum ClickHouseSchema {
    /// `traces_table.sql`.
    package static let tracesTemplate = #"""
        CREATE TABLE IF NOT EXISTS {{ident .Database}}.{{ident .TableName}} {{.ClusterString}} (
            Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
            TraceId String CODEC(ZSTD(1)),
            SpanId String CODEC(ZSTD(1)),
            ParentSpanId String CODEC(ZSTD(1)),
            TraceState String CODEC(ZSTD(1)),
            SpanName LowCardinality(String) CODEC(ZSTD(1)),
            SpanKind LowCardinality(String) CODEC(ZSTD(1)),
            ServiceName LowCardinality(String) CODEC(ZSTD(1)),
            ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
            ScopeName String CODEC(ZSTD(1)),
            ScopeVersion String CODEC(ZSTD(1)),
            SpanAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
            Duration UInt64 CODEC(T64, ZSTD(1)),
            StatusCode LowCardinality(String) CODEC(ZSTD(1)),
            StatusMessage String CODEC(ZSTD(1)),
            Events Nested (
                Timestamp DateTime64(9),
                Name LowCardinality(String),
                Attributes Map(LowCardinality(String), String)
            ) CODEC(ZSTD(1)),
            Links Nested (
                TraceId String,
                SpanId String,
                TraceState String,
                Attributes Map(LowCardinality(String), String)
            ) CODEC(ZSTD(1)),
            ResourceAttributeItems Array(String) ALIAS arrayMap(kv -> concat(kv.1, '=', kv.2), CAST(ResourceAttributes, 'Array(Tuple(String, String))')),
            SpanAttributeItems Array(String) ALIAS arrayMap(kv -> concat(kv.1, '=', kv.2), CAST(SpanAttributes, 'Array(Tuple(String, String))')),
        {{- if .HasFullTextSearch}}
            INDEX idx_trace_id TraceId TYPE text(tokenizer = 'array'),
            INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE text(tokenizer = 'array'),
            INDEX idx_res_attr_items ResourceAttributeItems TYPE text(tokenizer = 'array'),
            INDEX idx_span_attr_key mapKeys(SpanAttributes) TYPE text(tokenizer = 'array'),
            INDEX idx_span_attr_items SpanAttributeItems TYPE text(tokenizer = 'array'),
        {{- else}}
            INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
            INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
            INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
            INDEX idx_span_attr_key mapKeys(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
            INDEX idx_span_attr_value mapValues(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
        {{- end}}
            INDEX idx_duration Duration TYPE minmax GRANULARITY 1,
            INDEX idx_lower_span_name lower(SpanName) TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8
        ) ENGINE = {{.Engine}}
        PARTITION BY toDate(Timestamp)
        PRIMARY KEY (ServiceName, SpanName, toDateTime(Timestamp))
        ORDER BY (ServiceName, SpanName, toDateTime(Timestamp), Timestamp)
        {{.TTL}}
        SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1
        """#

    /// `logs_table.sql`.
    package static let logsTemplate = #"""
        CREATE TABLE IF NOT EXISTS %q.%q %s (
            Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
            TimestampTime DateTime DEFAULT toDateTime(Timestamp),
            TraceId String CODEC(ZSTD(1)),
            SpanId String CODEC(ZSTD(1)),
            TraceFlags UInt8,
            SeverityText LowCardinality(String) CODEC(ZSTD(1)),
            SeverityNumber UInt8,
            ServiceName LowCardinality(String) CODEC(ZSTD(1)),
            Body String CODEC(ZSTD(1)),
            ResourceSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),
            ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
            ScopeSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),
            ScopeName String CODEC(ZSTD(1)),
            ScopeVersion LowCardinality(String) CODEC(ZSTD(1)),
            ScopeAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
            LogAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
            EventName String CODEC(ZSTD(1)),

            INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
            INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
            INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
            INDEX idx_scope_attr_key mapKeys(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
            INDEX idx_scope_attr_value mapValues(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
            INDEX idx_log_attr_key mapKeys(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
            INDEX idx_log_attr_value mapValues(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
            INDEX idx_body Body TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8
        ) ENGINE = %s
        PARTITION BY toDate(TimestampTime)
        PRIMARY KEY (ServiceName, TimestampTime)
        ORDER BY (ServiceName, TimestampTime, Timestamp)
        %s
        SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1
        """#

    /// The columns of `traces_insert.sql`, in its order: the exporter's row format.
    package static let tracesColumns = [
        "Timestamp", "TraceId", "SpanId", "ParentSpanId", "TraceState", "SpanName", "SpanKind", "ServiceName", "ResourceAttributes",
        "ScopeName", "ScopeVersion", "SpanAttributes", "Duration", "StatusCode", "StatusMessage", "Events.Timestamp", "Events.Name",
        "Events.Attributes", "Links.TraceId", "Links.SpanId", "Links.TraceState", "Links.Attributes",
    ]

    /// The columns of `logs_insert.sql`, then the `EventName` its `%s` adds.
    package static let logsColumns = [
        "Timestamp", "TraceId", "SpanId", "TraceFlags", "SeverityText", "SeverityNumber", "ServiceName", "Body", "ResourceSchemaUrl",
        "ResourceAttributes", "ScopeSchemaUrl", "ScopeName", "ScopeVersion", "ScopeAttributes", "LogAttributes", "EventName",
    ]

    /// `CREATE TABLE` for the traces table.
    package static func tracesTable(database: String, table: String, ttlDays: Int? = nil) -> String {
        var text = tracesTemplate
        text = text.replacingOccurrences(of: "{{ident .Database}}.{{ident .TableName}} {{.ClusterString}}", with: "`\(database)`.`\(table)`")
        // The bloom-filter branch: the full-text indexes need ClickHouse's experimental text index.
        let branch = text.range(of: "{{- if .HasFullTextSearch}}")!
        let otherwise = text.range(of: "{{- else}}")!
        let end = text.range(of: "{{- end}}")!
        text = String(text[..<branch.lowerBound].dropLast()) + String(text[otherwise.upperBound..<end.lowerBound].dropLast()) + String(text[end.upperBound...])
        text = text.replacingOccurrences(of: "{{.Engine}}", with: "MergeTree()")
        text = text.replacingOccurrences(of: "{{.TTL}}", with: ttlDays.map { "TTL toDateTime(Timestamp) + toIntervalDay(\($0))" } ?? "")
        return text
    }

    /// `CREATE TABLE` for the logs table.
    package static func logsTable(database: String, table: String, ttlDays: Int? = nil) -> String {
        var pieces = logsTemplate.components(separatedBy: "%q")
        precondition(pieces.count == 3)
        let head = pieces[0] + "`\(database)`" + pieces[1] + "`\(table)`"
        pieces = pieces[2].components(separatedBy: "%s")
        precondition(pieces.count == 4)
        return head + pieces[0] + "" + pieces[1] + "MergeTree()" + pieces[2] + (ttlDays.map { "TTL TimestampTime + toIntervalDay(\($0))" } ?? "") + pieces[3]
    }
}
