import FolioModel
import Foundation

/// Turns one OTLP/JSON `{"resourceSpans": …}` object into span records, tolerating what
/// real producers write: hex or base64 ids, int64 as strings or numbers, every AnyValue kind.
package enum OTLPDecoder {
    package struct Failure: Error {
        package let reason: String
    }

    /// The spans and log records of one OTLP JSON export (`resourceSpans` or `resourceLogs`).
    /// The records of one export, and how many spans were left out (a missing or malformed
    /// trace or span id).
    package static func items(in root: JSONNode, file: String, line: Int) throws -> (items: [TelemetryItem], rejected: Int) {
        guard root.isObject else { throw Failure(reason: "not a JSON object") }
        if root["resourceLogs"] != nil || root["resource_logs"] != nil {
            return (try logs(in: root, file: file, line: line).map(TelemetryItem.log), 0)
        }
        let (spans, rejected) = try spans(in: root, file: file, line: line)
        return (spans.map(TelemetryItem.span), rejected)
    }

    /// How many spans of a JSON trace export have a missing or malformed id (what `spans`
    /// leaves out), without converting any.
    package static func rejectedSpans(in root: JSONNode) -> Int {
        var rejected = 0
        for resourceSpan in (root["resourceSpans"] ?? root["resource_spans"])?.array ?? [] {
            for scope in (resourceSpan["scopeSpans"] ?? resourceSpan["scope_spans"] ?? resourceSpan["instrumentationLibrarySpans"])?.array ?? [] {
                for span in scope["spans"]?.array ?? [] where id(span["traceId"] ?? span["trace_id"], bytes: 16) == nil || id(span["spanId"] ?? span["span_id"], bytes: 8) == nil {
                    rejected += 1
                }
            }
        }
        return rejected
    }

    static func spans(in root: JSONNode, file: String, line: Int) throws -> (spans: [SpanRecord], rejected: Int) {
        guard root.isObject else { throw Failure(reason: "not a JSON object") }
        guard let resourceSpans = (root["resourceSpans"] ?? root["resource_spans"])?.array else {
            throw Failure(reason: "no resourceSpans or resourceLogs array: not OTLP trace or log data")
        }
        var records: [SpanRecord] = []
        var rejected = 0
        for resourceSpan in resourceSpans {
            let resource = attributes(resourceSpan["resource"]?["attributes"])
            let scopes = (resourceSpan["scopeSpans"] ?? resourceSpan["scope_spans"] ?? resourceSpan["instrumentationLibrarySpans"])?.array ?? []
            for scope in scopes {
                for span in scope["spans"]?.array ?? [] {
                    do {
                        records.append(try record(span, resource: resource, file: file, line: line))
                    } catch {
                        rejected += 1
                    }
                }
            }
        }
        return (records, rejected)
    }

    static func record(_ span: JSONNode, resource: [String: AttributeValue], file: String, line: Int) throws -> SpanRecord {
        guard let traceID = id(span["traceId"] ?? span["trace_id"], bytes: 16), let spanID = id(span["spanId"] ?? span["span_id"], bytes: 8) else {
            throw Failure(reason: "a span has a missing or malformed traceId/spanId")
        }
        let status = span["status"]
        let code: SpanRecord.Status
        switch status?["code"] {
        case .int(let number)?: code = number == 2 ? .error : number == 1 ? .ok : .unset
        case .string(let text)?: code = text.uppercased().hasSuffix("ERROR") ? .error : text.uppercased().hasSuffix("OK") ? .ok : .unset
        default: code = .unset
        }
        let events = (span["events"]?.array ?? []).map { event in
            let time = nanoseconds(event["timeUnixNano"] ?? event["time_unix_nano"])
            return SpanEvent(
                name: event["name"]?.string ?? "", time: Date(timeIntervalSince1970: Double(time ?? 0) / 1e9), timeNanoseconds: time,
                attributes: attributes(event["attributes"]))
        }
        return SpanRecord(
            traceID: traceID, spanID: spanID,
            parentSpanID: id(span["parentSpanId"] ?? span["parent_span_id"], bytes: 8),
            name: span["name"]?.string ?? "",
            startNanoseconds: nanoseconds(span["startTimeUnixNano"] ?? span["start_time_unix_nano"]),
            endNanoseconds: nanoseconds(span["endTimeUnixNano"] ?? span["end_time_unix_nano"]),
            status: code, statusMessage: status?["message"]?.string,
            attributes: attributes(span["attributes"]), resource: resource, events: events,
            file: file, line: line
        )
    }

    static func logs(in root: JSONNode, file: String, line: Int) throws -> [LogEntry] {
        guard let resourceLogs = (root["resourceLogs"] ?? root["resource_logs"])?.array else {
            throw Failure(reason: "no resourceLogs array: not OTLP log data")
        }
        var entries: [LogEntry] = []
        for resourceLog in resourceLogs {
            for scope in (resourceLog["scopeLogs"] ?? resourceLog["scope_logs"])?.array ?? [] {
                for record in (scope["logRecords"] ?? scope["log_records"])?.array ?? [] {
                    let attributes = attributes(record["attributes"])
                    let time = nanoseconds(record["timeUnixNano"] ?? record["time_unix_nano"])
                    entries.append(
                        LogEntry(
                            traceID: id(record["traceId"] ?? record["trace_id"], bytes: 16), spanID: id(record["spanId"] ?? record["span_id"], bytes: 8),
                            eventName: (record["eventName"] ?? record["event_name"])?.string ?? attributes["event.name"]?.text,
                            time: time.flatMap { $0 == 0 ? nil : $0 } ?? nanoseconds(record["observedTimeUnixNano"] ?? record["observed_time_unix_nano"]),
                            body: anyValue(record["body"]), attributes: attributes, file: file, line: line
                        ))
                }
            }
        }
        return entries
    }

    /// `[{"key": k, "value": AnyValue}]` → dictionary.
    static func attributes(_ value: JSONNode?) -> [String: AttributeValue] {
        guard let entries = value?.array else { return [:] }
        var result: [String: AttributeValue] = Dictionary(minimumCapacity: entries.count)
        for entry in entries {
            guard let key = entry["key"]?.string, let decoded = anyValue(entry["value"]) else { continue }
            result[key] = decoded
        }
        return result
    }

    static func anyValue(_ value: JSONNode?) -> AttributeValue? {
        guard case .object(let fields)? = value, let field = fields.first else { return nil }
        switch (field.key, field.value) {
        case ("stringValue", .string(let text)): return .string(text)
        case ("boolValue", .bool(let flag)): return .bool(flag)
        case ("intValue", let number): return number.int64.map { .int($0) }
        case ("doubleValue", let number): return number.double.map { .double($0) }
        case ("arrayValue", let array): return .array((array["values"]?.array ?? []).compactMap(anyValue))
        case ("kvlistValue", let list): return .kvlist(attributes(list["values"]))
        case ("bytesValue", .string(let bytes)): return .bytes(Data(base64Encoded: bytes) ?? Data(bytes.utf8))
        default:
            // A producer that writes several fields or an unusual order: look each kind up.
            for kind in ["stringValue", "boolValue", "intValue", "doubleValue", "arrayValue", "kvlistValue", "bytesValue"] {
                if let member = value?[kind], kind != field.key { return anyValue(.object([(kind, member)])) }
            }
            return nil
        }
    }

    /// Hex (as the file exporter writes) or base64 (protobuf's JSON mapping) → lowercase hex.
    static func id(_ value: JSONNode?, bytes: Int) -> String? {
        guard let text = value?.string, !text.isEmpty else { return nil }
        if text.utf8.count == bytes * 2, text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) { return text }
        if text.utf8.count == bytes * 2, text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x46) || ($0 >= 0x61 && $0 <= 0x66) }) { return text.lowercased() }
        guard let data = Data(base64Encoded: text), data.count == bytes else { return nil }
        return Hex.encode(data)
    }

    /// Unix nanoseconds as a string or a number (OTLP's `fixed64`); nil when missing or
    /// outside 0...UInt64.max, never a trap.
    static func nanoseconds(_ value: JSONNode?) -> UInt64? {
        switch value {
        case .string(let text)?:
            if let exact = UInt64(text) { return exact }
            guard let number = Double(text) else { return nil }
            return UInt64(exactly: number.rounded()) ?? nil
        case .int(let number)?:
            return UInt64(exactly: number)
        case .double(let number)?:
            guard number.isFinite, number >= 0, number < 18_446_744_073_709_551_616 else { return nil }
            return UInt64(number)
        default:
            return nil
        }
    }
}
