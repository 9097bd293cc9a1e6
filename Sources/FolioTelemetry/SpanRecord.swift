import Foundation

/// An OTLP `AnyValue`: every kind producers emit.
package enum AttributeValue: Sendable, Equatable {
    case string(String)
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case array([AttributeValue])
    case kvlist([String: AttributeValue])
    case bytes(Data)

    /// The value as text (numbers as written, lists and maps as JSON-ish text).
    package var text: String {
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

    package var int: Int64? {
        switch self {
        case .int(let value): return value
        case .double(let value): return Int64(exactly: value.rounded()) ?? nil
        case .string(let value): return Int64(value)
        default: return nil
        }
    }

    package var double: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        case .string(let value): return Double(value)
        default: return nil
        }
    }
}

extension AttributeValue {
    /// A JSON value as an AnyValue (objects as key-value lists).
    init(json: JSONNode) {
        switch json {
        case .null: self = .string("")
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .int(number)
        case .double(let number): self = .double(number)
        case .string(let text): self = .string(text)
        case .array(let items): self = .array(items.map(AttributeValue.init(json:)))
        case .object(let members):
            var fields: [String: AttributeValue] = [:]
            for member in members { fields[member.key] = AttributeValue(json: member.value) }
            self = .kvlist(fields)
        }
    }
}

/// One span as read from OTLP JSON, with where it was read from.
package struct SpanRecord: Sendable, Equatable {
    package enum Status: String, Sendable, Equatable {
        case unset, ok, error
    }

    /// Lowercase hex, whatever the producer wrote (hex or base64).
    package var traceID: String
    package var spanID: String
    package var parentSpanID: String?
    package var name: String
    /// Unix nanoseconds as the producer wrote them; nil when missing or not a 64-bit
    /// unsigned number (OTLP's `fixed64`).
    package var startNanoseconds: UInt64?
    package var endNanoseconds: UInt64?
    package var status: Status
    package var statusMessage: String?
    package var attributes: [String: AttributeValue]
    package var resource: [String: AttributeValue]
    package var events: [SpanEvent]
    package var file: String
    package var line: Int

    /// The start (the Unix epoch when unknown).
    package var start: Date { Date(timeIntervalSince1970: Double(startNanoseconds ?? 0) / 1e9) }
    package var end: Date { Date(timeIntervalSince1970: Double(endNanoseconds ?? 0) / 1e9) }

    /// Seconds from start to end; nil when either is unknown or the end is before the start.
    package var duration: TimeInterval? {
        guard let startNanoseconds, let endNanoseconds, endNanoseconds >= startNanoseconds else { return nil }
        return Double(endNanoseconds - startNanoseconds) / 1e9
    }

    /// Span events that carry message content (older instrumentations record the
    /// `gen_ai.*.message` events on the span rather than as log records).
    package var contentEvents: [ContentEvent] {
        events.compactMap { event in
            guard ContentEvent.carriesContent(event.name) else { return nil }
            // A span event has no body: its content is in its attributes.
            let body: AttributeValue? =
                event.attributes["gen_ai.event.content"].flatMap { value in
                    (try? JSONNode.parse(value.text)).map(AttributeValue.init(json:))
                } ?? .kvlist(event.attributes)
            return ContentEvent(name: event.name, time: event.timeNanoseconds, body: body, attributes: event.attributes)
        }
    }

    /// Why the span's times cannot give a latency, or nil when they can.
    package var timeProblem: String? {
        guard duration == nil else { return nil }
        if startNanoseconds == nil || endNanoseconds == nil {
            return "span \(spanID) has a start or end time that is missing or not a 64-bit count of nanoseconds: its latency is n/a"
        }
        return "span \(spanID) ends before it starts: its latency is n/a"
    }
}

package struct SpanEvent: Sendable, Equatable {
    package var name: String
    package var time: Date
    package var timeNanoseconds: UInt64?
    package var attributes: [String: AttributeValue]

    package init(name: String, time: Date, timeNanoseconds: UInt64? = nil, attributes: [String: AttributeValue]) {
        self.name = name
        self.time = time
        self.timeNanoseconds = timeNanoseconds
        self.attributes = attributes
    }
}

/// One OTLP log record, as read: an event (`eventName`, or the older `event.name`
/// attribute) with a body, tied to a span by trace and span id when it has them.
package struct LogEntry: Sendable, Equatable {
    package var traceID: String?
    package var spanID: String?
    package var eventName: String?
    package var time: UInt64?
    package var body: AttributeValue?
    package var attributes: [String: AttributeValue]
    package var file: String
    package var line: Int

    /// The record as content for its span, if its event carries content.
    package var contentEvent: ContentEvent? {
        guard let eventName, ContentEvent.carriesContent(eventName) else { return nil }
        return ContentEvent(name: eventName, time: time, body: body, attributes: attributes)
    }
}

/// What a trace file holds: spans and log records.
package enum TelemetryItem: Sendable {
    case span(SpanRecord)
    case log(LogEntry)
}
