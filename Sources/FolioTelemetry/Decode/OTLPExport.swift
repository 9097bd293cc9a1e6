import Foundation
import SwiftProtobuf

/// One OTLP export request (a body of `/v1/traces` or `/v1/logs`, or a gRPC `Export`
/// message) decoded with the reader's decoder and limits, so that what `folio collect`
/// acknowledges is exactly what every reader reads.
package enum OTLPExport {
    package struct Malformed: Error, CustomStringConvertible, Sendable {
        package let reason: String
        package var description: String { reason }
    }

    package static func decode(_ body: Data, signal: TelemetryBatch.Signal, encoding: TelemetryBatch.Encoding) throws -> TelemetryBatch {
        let origin = Origin(file: "request", line: 0)
        switch (signal, encoding) {
        case (.traces, .protobuf):
            let request: OTLPProtobuf.TraceRequest
            do {
                request = try OTLPProtobuf.traceRequest(body)
            } catch let error as BinaryDecodingError {
                throw Malformed(reason: "the body is not an OTLP trace export that Folio can read (\(reason(error)))")
            }
            let (spans, rejected) = OTLPProtobuf.spans(in: request, origin: origin)
            let stored = rejected == 0 ? body : (try? OTLPProtobuf.withoutRejected(request).serializedBytes()) ?? body
            return TelemetryBatch(signal: signal, encoding: encoding, items: spans.map(TelemetryItem.span), body: stored, rejected: rejected)
        case (.logs, .protobuf):
            do {
                let records = OTLPProtobuf.logs(in: try OTLPProtobuf.logsRequest(body), origin: origin)
                return TelemetryBatch(signal: signal, encoding: encoding, items: records.map(TelemetryItem.log), body: body, rejected: 0)
            } catch let error as BinaryDecodingError {
                throw Malformed(reason: "the body is not an OTLP log export that Folio can read (\(reason(error)))")
            }
        case (.traces, .json), (.logs, .json):
            let root: JSONNode
            do {
                root = try JSONNode.parse(body)
            } catch {
                throw Malformed(reason: "the body is not valid JSON")
            }
            let key = signal == .traces ? "resourceSpans" : "resourceLogs"
            guard root[key]?.array != nil else {
                throw Malformed(reason: "the body is not an OTLP/JSON \(signal == .traces ? "trace" : "log") export: it has no \(key) array")
            }
            do {
                let (items, rejected) = try OTLPJSON.items(in: root, origin: origin)
                let stored = rejected == 0 ? body : Data(OTLPJSON.withoutRejected(root).serialized.utf8)
                return TelemetryBatch(signal: signal, encoding: encoding, items: items, body: stored, rejected: rejected)
            } catch let failure as OTLPJSON.Failure {
                throw Malformed(reason: failure.reason)
            }
        }
    }

    static func reason(_ error: BinaryDecodingError) -> String {
        switch error {
        case .messageDepthLimit: return "messages nested deeper than \(OTLPProtobuf.options.messageDepthLimit) levels"
        case .invalidUTF8: return "a string that is not UTF-8"
        case .truncated: return "the message is cut short"
        default: return "\(error)"
        }
    }
}
