import FolioTelemetry
import Foundation

/// Spans and log records as rows of the Collector's tables, both ways: written as
/// `JSONEachRow` lines in `traces_insert.sql`'s column order (what `folio collect --to`
/// inserts and what the tests load fixtures with), and read back from a `SELECT` of
/// `spanColumns` or `logColumns`.
enum ClickHouseRows {
    // MARK: - Writing

    static func line(_ span: Span) -> String {
        var row = "{"
        func field(_ name: String, _ value: String) {
            if row.count > 1 { row += "," }
            AttributeText.quote(name, into: &row)
            row += ":" + value
        }
        field("Timestamp", time(span.start))
        field("TraceId", string(span.trace.hex))
        field("SpanId", string(span.id.hex))
        field("ParentSpanId", string(span.parent?.hex ?? ""))
        field("TraceState", string(span.traceState))
        field("SpanName", string(span.name))
        field("SpanKind", string(span.kind))
        field("ServiceName", string(span.service))
        field("ResourceAttributes", map(span.resource))
        field("ScopeName", string(span.scopeName))
        field("ScopeVersion", string(span.scopeVersion))
        field("SpanAttributes", map(span.attributes))
        field("Duration", String(span.duration ?? 0))
        field("StatusCode", string(span.status.exported))
        field("StatusMessage", string(span.statusMessage))
        field("Events.Timestamp", "[" + span.events.map { time($0.time) }.joined(separator: ",") + "]")
        field("Events.Name", "[" + span.events.map { string($0.name) }.joined(separator: ",") + "]")
        field("Events.Attributes", "[" + span.events.map { map($0.attributes) }.joined(separator: ",") + "]")
        field("Links.TraceId", "[" + span.links.map { string($0.trace?.hex ?? "") }.joined(separator: ",") + "]")
        field("Links.SpanId", "[" + span.links.map { string($0.span?.hex ?? "") }.joined(separator: ",") + "]")
        field("Links.TraceState", "[" + span.links.map { string($0.traceState) }.joined(separator: ",") + "]")
        field("Links.Attributes", "[" + span.links.map { map($0.attributes) }.joined(separator: ",") + "]")
        return row + "}\n"
    }

    static func line(_ record: LogRecord) -> String {
        var row = "{"
        func field(_ name: String, _ value: String) {
            if row.count > 1 { row += "," }
            AttributeText.quote(name, into: &row)
            row += ":" + value
        }
        field("Timestamp", time(record.time))
        field("TraceId", string(record.trace?.hex ?? ""))
        field("SpanId", string(record.span?.hex ?? ""))
        field("TraceFlags", String(record.traceFlags & 0xFF))
        field("SeverityText", string(record.severityText))
        field("SeverityNumber", String(max(0, min(255, record.severityNumber))))
        field("ServiceName", string(record.service))
        field("Body", string(record.body))
        field("ResourceSchemaUrl", string(record.resourceSchemaURL))
        field("ResourceAttributes", map(record.resource))
        field("ScopeSchemaUrl", string(record.scopeSchemaURL))
        field("ScopeName", string(record.scopeName))
        field("ScopeVersion", string(record.scopeVersion))
        field("ScopeAttributes", map(record.scopeAttributes))
        field("LogAttributes", map(record.attributes))
        field("EventName", string(record.eventName ?? ""))
        return row + "}\n"
    }

    static func string(_ text: String) -> String {
        var output = ""
        AttributeText.quote(text, into: &output)
        return output
    }

    static func map(_ attributes: [String: String]) -> String {
        "{" + attributes.keys.sorted().map { string($0) + ":" + string(attributes[$0]!) }.joined(separator: ",") + "}"
    }

    /// A `DateTime64(9)` as Unix seconds with nanoseconds (read the same in any time zone).
    static func time(_ nanoseconds: UInt64?) -> String {
        let value = nanoseconds ?? 0
        return "\"\(value / 1_000_000_000).\(String(format: "%09llu", value % 1_000_000_000))\""
    }

    // MARK: - Reading

    /// The columns `span(_:)` reads.
    static let spanColumns = """
        TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName, ResourceAttributes, ScopeName, ScopeVersion, SpanAttributes,
        toUnixTimestamp64Nano(Timestamp) AS start, Duration, StatusCode, StatusMessage,
        arrayMap(t -> toUnixTimestamp64Nano(t), Events.Timestamp) AS event_times, Events.Name AS event_names, Events.Attributes AS event_attributes
        """

    static func span(_ row: JSONNode, origin: Origin) -> Span? {
        guard let trace = row["TraceId"]?.string.flatMap({ TraceID(hex: $0) }), let id = row["SpanId"]?.string.flatMap({ SpanID(hex: $0) }) else { return nil }
        let start = unsigned(row["start"]).flatMap { $0 == 0 ? nil : $0 }
        let names = row["event_names"]?.array ?? []
        let times = row["event_times"]?.array ?? []
        let attributes = row["event_attributes"]?.array ?? []
        var span = Span(
            trace: trace, id: id, parent: row["ParentSpanId"]?.string.flatMap { SpanID(hex: $0) }, name: row["SpanName"]?.string ?? "",
            kind: row["SpanKind"]?.string ?? "", start: start, duration: start == nil ? nil : unsigned(row["Duration"]),
            status: Span.Status(exported: row["StatusCode"]?.string ?? ""), statusMessage: row["StatusMessage"]?.string ?? "",
            attributes: map(row["SpanAttributes"]), resource: map(row["ResourceAttributes"]),
            events: names.indices.map { index in
                SpanEvent(
                    name: names[index].string ?? "", time: index < times.count ? unsigned(times[index]).flatMap { $0 == 0 ? nil : $0 } : nil,
                    attributes: index < attributes.count ? map(attributes[index]) : [:])
            },
            origin: origin)
        span.traceState = row["TraceState"]?.string ?? ""
        span.scopeName = row["ScopeName"]?.string ?? ""
        span.scopeVersion = row["ScopeVersion"]?.string ?? ""
        return span
    }

    static let logColumns = """
        TraceId, SpanId, toUnixTimestamp64Nano(Timestamp) AS time, EventName, Body, LogAttributes, ResourceAttributes, SeverityText, SeverityNumber
        """

    static func log(_ row: JSONNode, origin: Origin) -> LogRecord {
        let attributes = map(row["LogAttributes"])
        let eventName = row["EventName"]?.string
        var record = LogRecord(
            trace: row["TraceId"]?.string.flatMap { TraceID(hex: $0) }, span: row["SpanId"]?.string.flatMap { SpanID(hex: $0) },
            time: unsigned(row["time"]).flatMap { $0 == 0 ? nil : $0 }, eventName: (eventName?.isEmpty ?? true) ? attributes["event.name"] : eventName,
            body: row["Body"]?.string ?? "", attributes: attributes, origin: origin)
        record.resource = map(row["ResourceAttributes"])
        record.severityText = row["SeverityText"]?.string ?? ""
        record.severityNumber = Int(row["SeverityNumber"]?.int64 ?? 0)
        return record
    }

    static func map(_ node: JSONNode?) -> [String: String] {
        guard case .object(let members)? = node else { return [:] }
        var result: [String: String] = Dictionary(minimumCapacity: members.count)
        for member in members { result[member.key] = member.value.string ?? "" }
        return result
    }

    /// A UInt64 as ClickHouse writes it in JSON: a number, or a string when 64-bit
    /// integers are quoted.
    static func unsigned(_ node: JSONNode?) -> UInt64? {
        switch node {
        case .int(let value)?: return UInt64(exactly: value)
        case .double(let value)?: return value >= 0 && value < 1.8446744073709552e19 ? UInt64(value) : nil
        case .string(let text)?: return UInt64(text)
        default: return nil
        }
    }
}
