import Foundation

/// Turns one OTLP/JSON `{"resourceSpans": …}` object into span records, tolerating what
/// real producers write: hex or base64 ids, int64 as strings or numbers, every AnyValue kind.
enum OTLPDecoder {
    struct Failure: Error {
        let reason: String
    }

    static func spans(in object: Any, file: String, line: Int) throws -> [SpanRecord] {
        guard let root = object as? [String: Any] else { throw Failure(reason: "not a JSON object") }
        guard let resourceSpans = (root["resourceSpans"] ?? root["resource_spans"]) as? [[String: Any]] else {
            throw Failure(reason: "no resourceSpans array: not OTLP trace data")
        }
        var records: [SpanRecord] = []
        for resourceSpan in resourceSpans {
            let resource = attributes((resourceSpan["resource"] as? [String: Any])?["attributes"])
            let scopes = (resourceSpan["scopeSpans"] ?? resourceSpan["scope_spans"] ?? resourceSpan["instrumentationLibrarySpans"]) as? [[String: Any]] ?? []
            for scope in scopes {
                for span in scope["spans"] as? [[String: Any]] ?? [] {
                    records.append(try record(span, resource: resource, file: file, line: line))
                }
            }
        }
        return records
    }

    static func record(_ span: [String: Any], resource: [String: AttributeValue], file: String, line: Int) throws -> SpanRecord {
        guard let traceID = id(span["traceId"] ?? span["trace_id"], bytes: 16), let spanID = id(span["spanId"] ?? span["span_id"], bytes: 8) else {
            throw Failure(reason: "a span has a missing or malformed traceId/spanId")
        }
        let status = span["status"] as? [String: Any]
        let code: SpanRecord.Status
        switch status?["code"] {
        case let number as NSNumber: code = number.intValue == 2 ? .error : number.intValue == 1 ? .ok : .unset
        case let text as String: code = text.uppercased().hasSuffix("ERROR") ? .error : text.uppercased().hasSuffix("OK") ? .ok : .unset
        default: code = .unset
        }
        let events = (span["events"] as? [[String: Any]] ?? []).map { event in
            SpanEvent(name: event["name"] as? String ?? "", time: time(event["timeUnixNano"] ?? event["time_unix_nano"]), attributes: attributes(event["attributes"]))
        }
        return SpanRecord(
            traceID: traceID, spanID: spanID,
            parentSpanID: id(span["parentSpanId"] ?? span["parent_span_id"], bytes: 8),
            name: span["name"] as? String ?? "",
            start: time(span["startTimeUnixNano"] ?? span["start_time_unix_nano"]),
            end: time(span["endTimeUnixNano"] ?? span["end_time_unix_nano"]),
            status: code, statusMessage: status?["message"] as? String,
            attributes: attributes(span["attributes"]), resource: resource, events: events,
            file: file, line: line
        )
    }

    /// `[{"key": k, "value": AnyValue}]` → dictionary.
    static func attributes(_ value: Any?) -> [String: AttributeValue] {
        var result: [String: AttributeValue] = [:]
        for entry in value as? [[String: Any]] ?? [] {
            guard let key = entry["key"] as? String, let decoded = anyValue(entry["value"]) else { continue }
            result[key] = decoded
        }
        return result
    }

    static func anyValue(_ value: Any?) -> AttributeValue? {
        guard let fields = value as? [String: Any] else { return nil }
        if let text = fields["stringValue"] as? String { return .string(text) }
        if let flag = fields["boolValue"] as? Bool { return .bool(flag) }
        if let number = fields["intValue"] {
            if let text = number as? String, let parsed = Int64(text) { return .int(parsed) }
            if let parsed = number as? NSNumber { return .int(parsed.int64Value) }
        }
        if let number = fields["doubleValue"] {
            if let text = number as? String, let parsed = Double(text) { return .double(parsed) }
            if let parsed = number as? NSNumber { return .double(parsed.doubleValue) }
        }
        if let array = fields["arrayValue"] as? [String: Any] {
            return .array((array["values"] as? [Any] ?? []).compactMap(anyValue))
        }
        if let list = fields["kvlistValue"] as? [String: Any] {
            return .kvlist(attributes(list["values"]))
        }
        if let bytes = fields["bytesValue"] as? String {
            return .bytes(Data(base64Encoded: bytes) ?? Data(bytes.utf8))
        }
        return nil
    }

    /// Hex (as the file exporter writes) or base64 (protobuf's JSON mapping) → lowercase hex.
    static func id(_ value: Any?, bytes: Int) -> String? {
        guard let text = value as? String, !text.isEmpty else { return nil }
        if text.count == bytes * 2, text.allSatisfy(\.isHexDigit) { return text.lowercased() }
        guard let data = Data(base64Encoded: text), data.count == bytes else { return nil }
        return data.map { String(format: "%02x", $0) }.joined()
    }

    /// Unix nanoseconds as a string or a number.
    static func time(_ value: Any?) -> Date {
        let nanoseconds: Double
        switch value {
        case let text as String: nanoseconds = Double(text) ?? 0
        case let number as NSNumber: nanoseconds = number.doubleValue
        default: nanoseconds = 0
        }
        return Date(timeIntervalSince1970: nanoseconds / 1e9)
    }
}
