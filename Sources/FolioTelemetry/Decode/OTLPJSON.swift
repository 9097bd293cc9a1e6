import FolioModel
import Foundation

/// One OTLP/JSON export (`{"resourceSpans": …}` or `{"resourceLogs": …}`) into spans and
/// log records, tolerating what real producers write: hex or base64 ids, int64 as strings
/// or numbers, every AnyValue kind. An object with a duplicate key is refused whole: which
/// of the two a reader would take is a guess, and a guess loses spans.
package enum OTLPJSON {
    package struct Failure: Error, Sendable {
        package let reason: String
    }

    /// The records of one export, and how many spans were left out (a missing or malformed
    /// trace or span id).
    package static func items(in root: JSONNode, origin: Origin) throws -> (items: [TelemetryItem], rejected: Int) {
        guard root.isObject else { throw Failure(reason: "not a JSON object") }
        if let duplicate = root.firstDuplicateKey() {
            throw Failure(reason: "the key \"\(duplicate)\" appears twice in one object: send each key once")
        }
        if root["resourceLogs"] != nil || root["resource_logs"] != nil {
            return (try logs(in: root, origin: origin).map(TelemetryItem.log), 0)
        }
        let (spans, rejected) = try spans(in: root, origin: origin)
        return (spans.map(TelemetryItem.span), rejected)
    }

    /// The export without the spans `items` refuses (a missing or malformed id): what a
    /// file keeps of a batch that was partly refused, so that what is stored is what was
    /// acknowledged.
    package static func withoutRejected(_ root: JSONNode) -> JSONNode {
        func keep(_ node: JSONNode, path: ArraySlice<[String]>) -> JSONNode {
            guard case .object(let members) = node else { return node }
            return .object(
                members.map { member in
                    guard let level = path.first, level.contains(member.key), case .array(let items) = member.value else { return member }
                    if path.count == 1 {
                        return (member.key, .array(items.filter { traceID($0["traceId"] ?? $0["trace_id"]) != nil && spanID($0["spanId"] ?? $0["span_id"]) != nil }))
                    }
                    return (member.key, .array(items.map { keep($0, path: path.dropFirst()) }))
                })
        }
        return keep(root, path: [["resourceSpans", "resource_spans"], ["scopeSpans", "scope_spans", "instrumentationLibrarySpans"], ["spans"]][...])
    }

    static func spans(in root: JSONNode, origin: Origin) throws -> (spans: [Span], rejected: Int) {
        guard let resourceSpans = (root["resourceSpans"] ?? root["resource_spans"])?.array else {
            throw Failure(reason: "no resourceSpans or resourceLogs array: not OTLP trace or log data")
        }
        var spans: [Span] = []
        var rejected = 0
        for resourceSpan in resourceSpans {
            let resource = attributes(resourceSpan["resource"]?["attributes"])
            let scopes = (resourceSpan["scopeSpans"] ?? resourceSpan["scope_spans"] ?? resourceSpan["instrumentationLibrarySpans"])?.array ?? []
            for scope in scopes {
                let library = scope["scope"] ?? scope["instrumentationLibrary"]
                for node in scope["spans"]?.array ?? [] {
                    guard var span = span(node, resource: resource, origin: origin) else {
                        rejected += 1
                        continue
                    }
                    span.scopeName = library?["name"]?.string ?? ""
                    span.scopeVersion = library?["version"]?.string ?? ""
                    spans.append(span)
                }
            }
        }
        return (spans, rejected)
    }

    static func span(_ node: JSONNode, resource: [String: String], origin: Origin) -> Span? {
        guard let trace = traceID(node["traceId"] ?? node["trace_id"]), let id = spanID(node["spanId"] ?? node["span_id"]) else { return nil }
        let status = node["status"]
        let code: Span.Status
        switch status?["code"] {
        case .int(let number)?: code = number == 2 ? .error : number == 1 ? .ok : .unset
        case .string(let text)?: code = text.uppercased().hasSuffix("ERROR") ? .error : text.uppercased().hasSuffix("OK") ? .ok : .unset
        default: code = .unset
        }
        let start = nanoseconds(node["startTimeUnixNano"] ?? node["start_time_unix_nano"])
        let end = nanoseconds(node["endTimeUnixNano"] ?? node["end_time_unix_nano"])
        let events = (node["events"]?.array ?? []).map { event in
            SpanEvent(name: event["name"]?.string ?? "", time: nanoseconds(event["timeUnixNano"] ?? event["time_unix_nano"]), attributes: attributes(event["attributes"]))
        }
        var span = Span(
            trace: trace, id: id, parent: spanID(node["parentSpanId"] ?? node["parent_span_id"]), name: node["name"]?.string ?? "",
            kind: kind(node["kind"]), start: start, duration: Span.duration(start: start, end: end), status: code,
            statusMessage: status?["message"]?.string ?? "", attributes: attributes(node["attributes"]), resource: resource, events: events, origin: origin)
        span.traceState = (node["traceState"] ?? node["trace_state"])?.string ?? ""
        span.links = (node["links"]?.array ?? []).map { link in
            Span.Link(
                trace: traceID(link["traceId"] ?? link["trace_id"]), span: spanID(link["spanId"] ?? link["span_id"]),
                traceState: (link["traceState"] ?? link["trace_state"])?.string ?? "", attributes: attributes(link["attributes"]))
        }
        return span
    }

    static let kinds = ["SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"]

    static func kind(_ value: JSONNode?) -> String {
        switch value {
        case .int(let number)?: return number >= 0 && number < kinds.count ? kinds[Int(number)] : ""
        case .string(let text)?: return kinds.contains(text) ? text : Int(text).flatMap { $0 >= 0 && $0 < kinds.count ? kinds[$0] : nil } ?? ""
        default: return kinds[0]
        }
    }

    static func logs(in root: JSONNode, origin: Origin) throws -> [LogRecord] {
        guard let resourceLogs = (root["resourceLogs"] ?? root["resource_logs"])?.array else {
            throw Failure(reason: "no resourceLogs array: not OTLP log data")
        }
        var records: [LogRecord] = []
        for resourceLog in resourceLogs {
            let resource = attributes(resourceLog["resource"]?["attributes"])
            for scope in (resourceLog["scopeLogs"] ?? resourceLog["scope_logs"])?.array ?? [] {
                for node in (scope["logRecords"] ?? scope["log_records"])?.array ?? [] {
                    let attributes = attributes(node["attributes"])
                    let time = nanoseconds(node["timeUnixNano"] ?? node["time_unix_nano"])
                    var record = LogRecord(
                        trace: traceID(node["traceId"] ?? node["trace_id"]), span: spanID(node["spanId"] ?? node["span_id"]),
                        time: time.flatMap { $0 == 0 ? nil : $0 } ?? nanoseconds(node["observedTimeUnixNano"] ?? node["observed_time_unix_nano"]),
                        eventName: ((node["eventName"] ?? node["event_name"])?.string).flatMap { $0.isEmpty ? nil : $0 } ?? attributes["event.name"],
                        body: node["body"].map { AttributeText.text(value($0, depth: 0)) } ?? "", attributes: attributes, origin: origin)
                    record.resource = resource
                    record.severityText = (node["severityText"] ?? node["severity_text"])?.string ?? ""
                    record.severityNumber = Int((node["severityNumber"] ?? node["severity_number"])?.int64 ?? 0)
                    record.traceFlags = UInt32(truncatingIfNeeded: node["flags"]?.int64 ?? 0)
                    record.scopeName = scope["scope"]?["name"]?.string ?? ""
                    record.scopeVersion = scope["scope"]?["version"]?.string ?? ""
                    record.scopeAttributes = self.attributes(scope["scope"]?["attributes"])
                    record.resourceSchemaURL = (resourceLog["schemaUrl"] ?? resourceLog["schema_url"])?.string ?? ""
                    record.scopeSchemaURL = (scope["schemaUrl"] ?? scope["schema_url"])?.string ?? ""
                    records.append(record)
                }
            }
        }
        return records
    }

    /// `[{"key": k, "value": AnyValue}]` as text values (the last of a repeated key wins,
    /// as it does in a Go map).
    static func attributes(_ node: JSONNode?) -> [String: String] {
        guard let entries = node?.array else { return [:] }
        var result: [String: String] = Dictionary(minimumCapacity: entries.count)
        for entry in entries {
            guard let key = entry["key"]?.string else { continue }
            result[key] = AttributeText.text(entry["value"].map { value($0, depth: 0) } ?? .empty)
        }
        return result
    }

    /// A JSON AnyValue (`{"stringValue": …}`, `{"intValue": "5"}`, …).
    static func value(_ node: JSONNode, depth: Int = 0) -> AttributeText.Value {
        guard depth < 64, case .object(let fields) = node else { return .empty }
        for (key, member) in fields {
            switch key {
            case "stringValue", "string_value": return member.string.map(AttributeText.Value.string) ?? .empty
            case "boolValue", "bool_value": if case .bool(let flag) = member { return .bool(flag) }
            case "intValue", "int_value": if let number = member.int64 { return .int(number) }
            case "doubleValue", "double_value":
                if let number = member.double { return .double(number) }
                if let text = member.string { return .double(Double(text) ?? .nan) }
            case "bytesValue", "bytes_value": return .bytes(member.string.flatMap { Data(base64Encoded: $0) } ?? Data())
            case "arrayValue", "array_value": return .array((member["values"]?.array ?? []).map { value($0, depth: depth + 1) })
            case "kvlistValue", "kvlist_value":
                return .map((member["values"]?.array ?? []).compactMap { entry in entry["key"]?.string.map { ($0, entry["value"].map { value($0, depth: depth + 1) } ?? .empty) } })
            default: continue
            }
        }
        return .empty
    }

    /// Hex (as the OTLP JSON encoding and the file exporter write) or base64 (protobuf's
    /// JSON mapping).
    static func traceID(_ node: JSONNode?) -> TraceID? {
        guard let text = node?.string, !text.isEmpty else { return nil }
        return TraceID(hex: text) ?? Data(base64Encoded: text).flatMap(TraceID.init(bytes:))
    }

    static func spanID(_ node: JSONNode?) -> SpanID? {
        guard let text = node?.string, !text.isEmpty else { return nil }
        return SpanID(hex: text) ?? Data(base64Encoded: text).flatMap(SpanID.init(bytes:))
    }

    /// Unix nanoseconds as a string or a number (OTLP's `fixed64`); nil when missing, zero,
    /// or outside 0...UInt64.max, never a trap.
    static func nanoseconds(_ node: JSONNode?) -> UInt64? {
        let value: UInt64?
        switch node {
        case .string(let text)?:
            if let exact = UInt64(text) {
                value = exact
            } else if let number = Double(text) {
                value = UInt64(exactly: number.rounded()) ?? nil
            } else {
                value = nil
            }
        case .int(let number)?: value = UInt64(exactly: number)
        case .double(let number)?: value = number.isFinite && number >= 0 && number < 18_446_744_073_709_551_616 ? UInt64(number) : nil
        default: value = nil
        }
        return value == 0 ? nil : value
    }
}
