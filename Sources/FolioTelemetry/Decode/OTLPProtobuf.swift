import FolioModel
import FolioOTLP
import Foundation
import SwiftProtobuf

/// OTLP protobuf (what the stock OTLP exporters send over HTTP and gRPC, and what the file
/// exporter's protobuf format holds) into the same spans and log records as OTLP JSON.
package enum OTLPProtobuf {
    package typealias TraceRequest = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest
    package typealias LogsRequest = Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceRequest

    /// The decoder's limits, the same for `folio collect` and every reader: messages nested
    /// deeper than this are refused while decoding, so what is acknowledged can be read.
    package static let options: BinaryDecodingOptions = {
        var options = BinaryDecodingOptions()
        options.messageDepthLimit = 64
        options.discardUnknownFields = true
        return options
    }()

    package static func traceRequest(_ bytes: Data) throws -> TraceRequest {
        try TraceRequest(serializedBytes: bytes, options: options)
    }

    package static func logsRequest(_ bytes: Data) throws -> LogsRequest {
        try LogsRequest(serializedBytes: bytes, options: options)
    }

    /// The spans of a trace export; spans with a missing or malformed id are left out and
    /// counted.
    package static func spans(in request: TraceRequest, origin: Origin) -> (spans: [Span], rejected: Int) {
        var spans: [Span] = []
        var rejected = 0
        for resourceSpans in request.resourceSpans {
            let resource = attributes(resourceSpans.resource.attributes)
            for scope in resourceSpans.scopeSpans {
                for span in scope.spans {
                    guard let trace = TraceID(bytes: span.traceID), let id = SpanID(bytes: span.spanID) else {
                        rejected += 1
                        continue
                    }
                    let status: Span.Status =
                        switch span.status.code {
                        case .error: .error
                        case .ok: .ok
                        default: .unset
                        }
                    let start = span.startTimeUnixNano == 0 ? nil : span.startTimeUnixNano
                    let end = span.endTimeUnixNano == 0 ? nil : span.endTimeUnixNano
                    var decoded = Span(
                        trace: trace, id: id, parent: SpanID(bytes: span.parentSpanID), name: span.name, kind: kind(span.kind.rawValue),
                        start: start, duration: Span.duration(start: start, end: end), status: status, statusMessage: span.status.message,
                        attributes: attributes(span.attributes), resource: resource,
                        events: span.events.map { SpanEvent(name: $0.name, time: $0.timeUnixNano == 0 ? nil : $0.timeUnixNano, attributes: attributes($0.attributes)) },
                        origin: origin)
                    decoded.traceState = span.traceState
                    decoded.scopeName = scope.scope.name
                    decoded.scopeVersion = scope.scope.version
                    decoded.links = span.links.map {
                        Span.Link(trace: TraceID(bytes: $0.traceID), span: SpanID(bytes: $0.spanID), traceState: $0.traceState, attributes: attributes($0.attributes))
                    }
                    spans.append(decoded)
                }
            }
        }
        return (spans, rejected)
    }

    /// The export without the spans `spans` refuses (a missing or malformed id).
    package static func withoutRejected(_ request: TraceRequest) -> TraceRequest {
        var kept = request
        for index in kept.resourceSpans.indices {
            for scope in kept.resourceSpans[index].scopeSpans.indices {
                kept.resourceSpans[index].scopeSpans[scope].spans.removeAll { TraceID(bytes: $0.traceID) == nil || SpanID(bytes: $0.spanID) == nil }
            }
        }
        return kept
    }

    static func kind(_ value: Int) -> String {
        value >= 0 && value < OTLPJSON.kinds.count ? OTLPJSON.kinds[value] : ""
    }

    package static func logs(in request: LogsRequest, origin: Origin) -> [LogRecord] {
        var records: [LogRecord] = []
        for resourceLogs in request.resourceLogs {
            let resource = attributes(resourceLogs.resource.attributes)
            for scope in resourceLogs.scopeLogs {
                let scopeAttributes = attributes(scope.scope.attributes)
                for log in scope.logRecords {
                    let attributes = attributes(log.attributes)
                    let time = log.timeUnixNano != 0 ? log.timeUnixNano : log.observedTimeUnixNano
                    var record = LogRecord(
                        trace: TraceID(bytes: log.traceID), span: SpanID(bytes: log.spanID), time: time == 0 ? nil : time,
                        eventName: log.eventName.isEmpty ? attributes["event.name"] : log.eventName,
                        body: log.hasBody ? AttributeText.text(value(log.body)) : "", attributes: attributes, origin: origin)
                    record.resource = resource
                    record.severityText = log.severityText
                    record.severityNumber = log.severityNumber.rawValue
                    record.traceFlags = log.flags
                    record.scopeName = scope.scope.name
                    record.scopeVersion = scope.scope.version
                    record.scopeAttributes = scopeAttributes
                    record.resourceSchemaURL = resourceLogs.schemaURL
                    record.scopeSchemaURL = scope.schemaURL
                    records.append(record)
                }
            }
        }
        return records
    }

    static func attributes(_ pairs: [Opentelemetry_Proto_Common_V1_KeyValue]) -> [String: String] {
        var result: [String: String] = Dictionary(minimumCapacity: pairs.count)
        for pair in pairs { result[pair.key] = AttributeText.text(value(pair.value)) }
        return result
    }

    static func value(_ value: Opentelemetry_Proto_Common_V1_AnyValue) -> AttributeText.Value {
        switch value.value {
        case .stringValue(let text)?: return .string(text)
        case .boolValue(let flag)?: return .bool(flag)
        case .intValue(let number)?: return .int(number)
        case .doubleValue(let number)?: return .double(number)
        case .arrayValue(let array)?: return .array(array.values.map(Self.value))
        case .kvlistValue(let list)?: return .map(list.values.map { ($0.key, Self.value($0.value)) })
        case .bytesValue(let data)?: return .bytes(data)
        case .stringValueStrindex?, nil: return .empty
        }
    }
}
