import FolioModel
import FolioOTLP
import Foundation
import SwiftProtobuf

/// OTLP protobuf (what the stock OTLP/HTTP exporters send, and what the file exporter's
/// protobuf format holds) into the same records as OTLP JSON.
package enum OTLPProtobuf {
    package typealias TraceRequest = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest
    package typealias LogsRequest = Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceRequest

    /// Messages nested deeper than this are refused while decoding.
    static let options: BinaryDecodingOptions = {
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

    /// Checks a trace export's wire structure and counts the spans with a missing or
    /// malformed id (what `spans` leaves out), decoding only the ids (`Folio_Otlp_TraceIds`):
    /// the collector's check, several times cheaper than a full decode. Throws for a body
    /// that is not a protobuf message of that shape.
    package static func rejectedSpans(inTraceExport bytes: Data) throws -> Int {
        var options = BinaryDecodingOptions()
        options.messageDepthLimit = 64
        options.discardUnknownFields = true
        let ids = try Folio_Otlp_TraceIds(serializedBytes: bytes, options: options)
        var rejected = 0
        for resourceSpans in ids.resourceSpans {
            for scope in resourceSpans.scopeSpans {
                for span in scope.spans where !isValid(trace: span.traceID, span: span.spanID) { rejected += 1 }
            }
        }
        return rejected
    }

    static func isValid(trace: Data, span: Data) -> Bool {
        trace.count == 16 && span.count == 8 && trace.contains(where: { $0 != 0 })
    }

    /// The spans of a trace export, each with the problems that make it unusable (an id of
    /// the wrong length): those are left out and counted.
    package static func spans(in request: TraceRequest, file: String, line: Int) -> (spans: [SpanRecord], rejected: Int) {
        var records: [SpanRecord] = []
        var rejected = 0
        for resourceSpans in request.resourceSpans {
            let resource = attributes(resourceSpans.resource.attributes)
            for scope in resourceSpans.scopeSpans {
                for span in scope.spans {
                    guard isValid(trace: span.traceID, span: span.spanID) else {
                        rejected += 1
                        continue
                    }
                    let status: SpanRecord.Status =
                        switch span.status.code {
                        case .error: .error
                        case .ok: .ok
                        default: .unset
                        }
                    records.append(
                        SpanRecord(
                            traceID: Hex.encode(span.traceID), spanID: Hex.encode(span.spanID),
                            parentSpanID: span.parentSpanID.count == 8 ? Hex.encode(span.parentSpanID) : nil,
                            name: span.name,
                            startNanoseconds: span.startTimeUnixNano == 0 ? nil : span.startTimeUnixNano,
                            endNanoseconds: span.endTimeUnixNano == 0 ? nil : span.endTimeUnixNano,
                            status: status, statusMessage: span.status.message.isEmpty ? nil : span.status.message,
                            attributes: attributes(span.attributes), resource: resource,
                            events: span.events.map {
                                SpanEvent(name: $0.name, time: Date(timeIntervalSince1970: Double($0.timeUnixNano) / 1e9), timeNanoseconds: $0.timeUnixNano, attributes: attributes($0.attributes))
                            },
                            file: file, line: line
                        ))
                }
            }
        }
        return (records, rejected)
    }

    package static func logs(in request: LogsRequest, file: String, line: Int) -> [LogEntry] {
        var entries: [LogEntry] = []
        for resourceLogs in request.resourceLogs {
            for scope in resourceLogs.scopeLogs {
                for record in scope.logRecords {
                    let attributes = attributes(record.attributes)
                    let time = record.timeUnixNano != 0 ? record.timeUnixNano : record.observedTimeUnixNano
                    entries.append(
                        LogEntry(
                            traceID: record.traceID.count == 16 ? Hex.encode(record.traceID) : nil,
                            spanID: record.spanID.count == 8 ? Hex.encode(record.spanID) : nil,
                            eventName: record.eventName.isEmpty ? attributes["event.name"]?.text : record.eventName,
                            time: time == 0 ? nil : time,
                            body: record.hasBody ? anyValue(record.body) : nil,
                            attributes: attributes, file: file, line: line
                        ))
                }
            }
        }
        return entries
    }

    static func attributes(_ pairs: [Opentelemetry_Proto_Common_V1_KeyValue]) -> [String: AttributeValue] {
        var result: [String: AttributeValue] = Dictionary(minimumCapacity: pairs.count)
        for pair in pairs {
            guard let value = anyValue(pair.value) else { continue }
            result[pair.key] = value
        }
        return result
    }

    static func anyValue(_ value: Opentelemetry_Proto_Common_V1_AnyValue, depth: Int = 0) -> AttributeValue? {
        guard depth < 32 else { return nil }
        switch value.value {
        case .stringValue(let text)?: return .string(text)
        case .boolValue(let flag)?: return .bool(flag)
        case .intValue(let number)?: return .int(number)
        case .doubleValue(let number)?: return .double(number)
        case .arrayValue(let array)?: return .array(array.values.compactMap { anyValue($0, depth: depth + 1) })
        case .kvlistValue(let list)?:
            var fields: [String: AttributeValue] = [:]
            for pair in list.values { fields[pair.key] = anyValue(pair.value, depth: depth + 1) }
            return .kvlist(fields)
        case .bytesValue(let data)?: return .bytes(data)
        case .stringValueStrindex?, nil: return nil
        }
    }
}
