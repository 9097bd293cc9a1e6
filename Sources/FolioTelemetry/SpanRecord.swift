import Foundation

/// An OTLP `AnyValue`: every kind producers emit.
public enum AttributeValue: Sendable, Equatable {
    case string(String)
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case array([AttributeValue])
    case kvlist([String: AttributeValue])
    case bytes(Data)

    /// The value as text (numbers as written, lists and maps as JSON-ish text).
    public var text: String {
        switch self {
        case .string(let value): return value
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .double(let value): return value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .array(let values): return "[" + values.map(\.text).joined(separator: ", ") + "]"
        case .kvlist(let fields): return "{" + fields.keys.sorted().map { "\($0): \(fields[$0]!.text)" }.joined(separator: ", ") + "}"
        case .bytes(let data): return data.base64EncodedString()
        }
    }

    public var int: Int64? {
        switch self {
        case .int(let value): return value
        case .double(let value): return Int64(exactly: value.rounded()) ?? nil
        case .string(let value): return Int64(value)
        default: return nil
        }
    }

    public var double: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        case .string(let value): return Double(value)
        default: return nil
        }
    }
}

/// One span as read from OTLP JSON, with where it was read from.
public struct SpanRecord: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable {
        case unset, ok, error
    }

    /// Lowercase hex, whatever the producer wrote (hex or base64).
    public var traceID: String
    public var spanID: String
    public var parentSpanID: String?
    public var name: String
    /// Unix nanoseconds as the producer wrote them; nil when missing or not a 64-bit
    /// unsigned number (OTLP's `fixed64`).
    public var startNanoseconds: UInt64?
    public var endNanoseconds: UInt64?
    public var status: Status
    public var statusMessage: String?
    public var attributes: [String: AttributeValue]
    public var resource: [String: AttributeValue]
    public var events: [SpanEvent]
    public var file: String
    public var line: Int

    /// The start (the Unix epoch when unknown).
    public var start: Date { Date(timeIntervalSince1970: Double(startNanoseconds ?? 0) / 1e9) }
    public var end: Date { Date(timeIntervalSince1970: Double(endNanoseconds ?? 0) / 1e9) }

    /// Seconds from start to end; nil when either is unknown or the end is before the start.
    public var duration: TimeInterval? {
        guard let startNanoseconds, let endNanoseconds, endNanoseconds >= startNanoseconds else { return nil }
        return Double(endNanoseconds - startNanoseconds) / 1e9
    }

    /// Why the span's times cannot give a latency, or nil when they can.
    public var timeProblem: String? {
        guard duration == nil else { return nil }
        if startNanoseconds == nil || endNanoseconds == nil {
            return "span \(spanID) has a start or end time that is missing or not a 64-bit count of nanoseconds: its latency is n/a"
        }
        return "span \(spanID) ends before it starts: its latency is n/a"
    }
}

public struct SpanEvent: Sendable, Equatable {
    public var name: String
    public var time: Date
    public var attributes: [String: AttributeValue]
}
