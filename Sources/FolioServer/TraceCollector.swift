import FolioOTLP
import FolioTelemetry
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import SwiftProtobuf

/// `folio collect`: an OTLP/HTTP receiver for traces and logs, in protobuf and JSON, gzip or
/// not, as the OTLP specification defines it: `POST /v1/traces` and `POST /v1/logs` answer
/// 200 with an `Export…ServiceResponse` (with `partial_success` when some records were
/// refused), 400 for a malformed body, 413 past the size limit, 415 naming what is
/// accepted. Each batch is appended to a file, as received: JSON as one JSON Lines line,
/// protobuf as one length-delimited record (the file exporter's formats). A batch is
/// answered only once written and synced (`BatchFile`, with group commit).
package struct TraceCollector: Sendable {
    package let folder: URL
    package let host: String
    package let port: Int
    /// Largest request body, compressed or not (413 beyond).
    package let maxBodyBytes: Int
    /// A file is closed and a new one started once it holds this many bytes.
    package let rotateBytes: Int
    let logger: Logger

    package init(folder: URL, host: String = "127.0.0.1", port: Int = 4318, maxBodyBytes: Int = 16 << 20, rotateBytes: Int = 64 << 20, logger: Logger = Logger(label: "folio.collect")) {
        self.folder = folder
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.rotateBytes = rotateBytes
        self.logger = logger
    }

    /// What a request carries.
    enum Signal: String {
        case traces = "spans", logs
    }

    enum Encoding {
        case protobuf, json
    }

    package func run(handleSignals: Bool = true, onStarted: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let files = BatchFiles(folder: folder, rotateBytes: rotateBytes)
        let collector = self
        let router = Router()
        router.get("/healthz") { _, _ in Self.text(.ok, "ok\n") }
        router.head("/healthz") { _, _ in Self.text(.ok, "ok\n") }
        router.post("/v1/traces") { request, _ in await collector.receive(request, signal: .traces, files: files) }
        router.post("/v1/logs") { request, _ in await collector.receive(request, signal: .logs, files: files) }
        let app = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .seconds(60))),
            configuration: .init(
                address: .hostname(host, port: port), serverName: "folio-collect",
                availableConnectionsDelegate: MaximumAvailableConnections(StaticServer.connectionCap(1024), logger: logger)),
            onServerRunning: { channel in await onStarted(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        do {
            try await app.runService(gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [])
        } catch {
            await files.close()
            throw error
        }
        await files.close()
    }

    func receive(_ request: Request, signal: Signal, files: BatchFiles) async -> Response {
        let contentType = (request.headers[.contentType] ?? "").lowercased()
        let encoding: Encoding
        if contentType.hasPrefix("application/x-protobuf") || contentType.hasPrefix("application/protobuf") {
            encoding = .protobuf
        } else if contentType.hasPrefix("application/json") {
            encoding = .json
        } else {
            return Self.text(
                .unsupportedMediaType, "Content-Type '\(contentType)' is not accepted: send application/x-protobuf or application/json (OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf or http/json)\n")
        }
        var body: Data
        do {
            body = Data(try await request.body.collect(upTo: maxBodyBytes).readableBytesView)
        } catch {
            return status(.contentTooLarge, "the body is larger than \(maxBodyBytes) bytes: export smaller batches", encoding: encoding)
        }
        let compression = (request.headers[.contentEncoding] ?? "identity").lowercased()
        if compression == "gzip" {
            do {
                body = try Gunzip.inflate(body, limit: maxBodyBytes)
            } catch Gunzip.Failure.tooLarge {
                return status(.contentTooLarge, "the body inflates to more than \(maxBodyBytes) bytes: export smaller batches", encoding: encoding)
            } catch {
                return status(.badRequest, "the gzip body is damaged", encoding: encoding)
            }
        } else if compression != "identity" {
            return Self.text(.unsupportedMediaType, "Content-Encoding '\(compression)' is not accepted: use gzip or none\n")
        }
        let rejected: Int
        do {
            rejected = try Self.validate(body, signal: signal, encoding: encoding)
        } catch let failure as Malformed {
            return status(.badRequest, failure.reason, encoding: encoding)
        } catch {
            return status(.badRequest, "the body is not an OTLP \(signal == .traces ? "trace" : "log") export", encoding: encoding)
        }
        do {
            try await files.append(BatchFiles.record(body, encoding: encoding), signal: signal, encoding: encoding)
        } catch {
            logger.error("cannot write a batch", metadata: ["error": "\(error)"])
            // Retryable, as the specification says of 503.
            return status(.serviceUnavailable, "the collector cannot write to its folder", encoding: encoding)
        }
        return success(signal: signal, encoding: encoding, rejected: rejected)
    }

    struct Malformed: Error {
        let reason: String
    }

    /// Checks that the body is an export of the signal and counts the spans it cannot use
    /// (a missing or malformed id), which are refused as a partial success.
    static func validate(_ body: Data, signal: Signal, encoding: Encoding) throws -> Int {
        switch (signal, encoding) {
        case (.traces, .protobuf):
            return try OTLPProtobuf.rejectedSpans(inTraceExport: body)
        case (.logs, .protobuf):
            _ = try OTLPProtobuf.logsRequest(body)
            return 0
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
            return signal == .traces ? OTLPDecoder.rejectedSpans(in: root) : 0
        }
    }

    /// The `Export…ServiceResponse`, in the request's encoding.
    func success(signal: Signal, encoding: Encoding, rejected: Int) -> Response {
        let reason = "\(rejected) span(s) have a missing or malformed trace or span id and were not stored"
        let bytes: Data
        switch signal {
        case .traces:
            var response = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse()
            if rejected > 0 {
                response.partialSuccess.rejectedSpans = Int64(rejected)
                response.partialSuccess.errorMessage = reason
            }
            bytes = (encoding == .protobuf ? try? response.serializedBytes() : try? response.jsonUTF8Data()) ?? Data()
        case .logs:
            let response = Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceResponse()
            bytes = (encoding == .protobuf ? try? response.serializedBytes() : try? response.jsonUTF8Data()) ?? Data()
        }
        return Response(
            status: .ok, headers: [.contentType: encoding == .protobuf ? "application/x-protobuf" : "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A failure as the specification asks: a `google.rpc.Status` (code and message) in the
    /// request's encoding.
    func status(_ status: HTTPResponse.Status, _ message: String, encoding: Encoding) -> Response {
        let code: Int32 = status == .badRequest ? 3 : status == .contentTooLarge ? 8 : 14  // INVALID_ARGUMENT, RESOURCE_EXHAUSTED, UNAVAILABLE
        let bytes: Data
        switch encoding {
        case .json:
            let escaped = String(decoding: (try? JSONEncoder().encode(message)) ?? Data("\"\"".utf8), as: UTF8.self)
            bytes = Data("{\"code\":\(code),\"message\":\(escaped)}".utf8)
        case .protobuf:
            // Status { int32 code = 1; string message = 2; }
            var data = Data([0x08])
            data.append(contentsOf: Self.varint(UInt64(code)))
            let text = Data(message.utf8)
            data.append(0x12)
            data.append(contentsOf: Self.varint(UInt64(text.count)))
            data.append(text)
            bytes = data
        }
        return Response(
            status: status, headers: [.contentType: encoding == .protobuf ? "application/x-protobuf" : "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        repeat {
            var byte = UInt8(value & 0x7F)
            value >>= 7
            if value != 0 { byte |= 0x80 }
            bytes.append(byte)
        } while value != 0
        return bytes
    }

    static func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: message)))
    }
}
