import Foundation

/// Where a span or log record was read: a file and line (or record number), or a store.
package struct Origin: Sendable, Equatable, CustomStringConvertible {
    package var file: String
    package var line: Int

    package init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    package var description: String { line > 0 ? "\(file):\(line)" : file }
}

/// One span, decoded once at the boundary (OTLP JSON, OTLP protobuf, or a row of the
/// Collector's `otel_traces`). Attribute values are text exactly as the OpenTelemetry
/// Collector's ClickHouse exporter stores them (`pcommon.Value.AsString`: numbers as
/// written, maps and lists as JSON), so a span reads the same from a file as from ClickHouse.
package struct Span: Sendable, Equatable {
    package enum Status: String, Sendable, Equatable {
        case unset, ok, error

        /// As the exporter writes `StatusCode` (`STATUS_CODE_ERROR`, from contrib's
        /// `traceutil.StatusCodeStr`; pdata's own `String()` spells it `Error`, which other
        /// writers use: both are read).
        package var exported: String { "STATUS_CODE_\(rawValue.uppercased())" }

        package init(exported: String) {
            switch exported.uppercased() {
            case "STATUS_CODE_ERROR", "ERROR": self = .error
            case "STATUS_CODE_OK", "OK": self = .ok
            default: self = .unset
            }
        }
    }

    package struct Link: Sendable, Equatable {
        package var trace: TraceID?
        package var span: SpanID?
        package var traceState: String
        package var attributes: [String: String]
    }

    package var trace: TraceID
    package var id: SpanID
    package var parent: SpanID?
    package var name: String
    /// `SPAN_KIND_CLIENT` and so on, as the exporter writes it.
    package var kind: String
    /// Unix nanoseconds; nil when missing or not a 64-bit count.
    package var start: UInt64?
    /// Nanoseconds from start to end; nil when either is unknown or the end is first.
    package var duration: UInt64?
    package var status: Status
    package var statusMessage: String
    package var attributes: [String: String]
    package var resource: [String: String]
    package var events: [SpanEvent]
    package var traceState: String = ""
    package var scopeName: String = ""
    package var scopeVersion: String = ""
    package var links: [Link] = []
    package var origin: Origin

    package init(
        trace: TraceID, id: SpanID, parent: SpanID?, name: String, kind: String = "SPAN_KIND_INTERNAL", start: UInt64?, duration: UInt64?,
        status: Status = .unset, statusMessage: String = "", attributes: [String: String], resource: [String: String] = [:],
        events: [SpanEvent] = [], origin: Origin
    ) {
        self.trace = trace
        self.id = id
        self.parent = parent
        self.name = name
        self.kind = kind
        self.start = start
        self.duration = duration
        self.status = status
        self.statusMessage = statusMessage
        self.attributes = attributes
        self.resource = resource
        self.events = events
        self.origin = origin
    }

    /// The resource's `service.name` (the exporter's `ServiceName`).
    package var service: String { resource["service.name"] ?? "" }

    /// The start as a date (the Unix epoch when unknown).
    package var startDate: Date { Date(timeIntervalSince1970: Double(start ?? 0) / 1e9) }

    /// Milliseconds from start to end; nil when the span's times cannot say.
    package var latencyMs: Double? { duration.map { Double($0) / 1e6 } }

    /// A start and end as OTLP gives them: the duration when both are known and in order.
    package static func duration(start: UInt64?, end: UInt64?) -> UInt64? {
        guard let start, let end, end >= start else { return nil }
        return end - start
    }

    /// Why the span's times cannot give a latency, or nil when they can.
    package var timeProblem: String? {
        guard duration == nil else { return nil }
        return "span \(id) has a start or end time that is missing, not a 64-bit count of nanoseconds, or in the wrong order: its latency is n/a"
    }
}

package struct SpanEvent: Sendable, Equatable {
    package var name: String
    /// Unix nanoseconds.
    package var time: UInt64?
    package var attributes: [String: String]

    package init(name: String, time: UInt64?, attributes: [String: String]) {
        self.name = name
        self.time = time
        self.attributes = attributes
    }
}

/// One OTLP log record: an event (`EventName`, or the older `event.name` attribute) with a
/// body (as text, the exporter's `Body`), tied to a span by trace and span id when it has them.
package struct LogRecord: Sendable, Equatable {
    package var trace: TraceID?
    package var span: SpanID?
    /// Unix nanoseconds: the record's time, or when it was observed.
    package var time: UInt64?
    package var eventName: String?
    package var body: String
    package var attributes: [String: String]
    package var resource: [String: String] = [:]
    package var severityText: String = ""
    package var severityNumber: Int = 0
    package var traceFlags: UInt32 = 0
    package var scopeName: String = ""
    package var scopeVersion: String = ""
    package var scopeAttributes: [String: String] = [:]
    package var resourceSchemaURL: String = ""
    package var scopeSchemaURL: String = ""
    package var origin: Origin

    package init(trace: TraceID?, span: SpanID?, time: UInt64?, eventName: String?, body: String, attributes: [String: String], origin: Origin) {
        self.trace = trace
        self.span = span
        self.time = time
        self.eventName = eventName
        self.body = body
        self.attributes = attributes
        self.origin = origin
    }

    package var service: String { resource["service.name"] ?? "" }
}

/// What a trace file or store holds: spans and log records.
package enum TelemetryItem: Sendable {
    case span(Span)
    case log(LogRecord)
}
