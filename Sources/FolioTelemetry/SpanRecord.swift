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
    public var start: Date
    public var end: Date
    public var status: Status
    public var statusMessage: String?
    public var attributes: [String: AttributeValue]
    public var resource: [String: AttributeValue]
    public var events: [SpanEvent]
    public var file: String
    public var line: Int

    public var duration: TimeInterval { end.timeIntervalSince(start) }
}

public struct SpanEvent: Sendable, Equatable {
    public var name: String
    public var time: Date
    public var attributes: [String: AttributeValue]
}
