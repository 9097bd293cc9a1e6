import FolioOTLP
import FolioTelemetry
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// `folio collect`: an OTLP receiver for traces and logs, over HTTP (protobuf and JSON,
/// gzip or not) and gRPC, as the OTLP specification defines it: `POST /v1/traces` and
/// `POST /v1/logs` answer 200 with an `Export…ServiceResponse` (with `partial_success` when
/// some spans were refused for their ids, and not stored), 400 for a body the reader could
/// not read, 413 past the size limit, 415 naming what is accepted, 503 with `Retry-After`
/// when the store cannot take the batch now. Every body is decoded with the reader's
/// decoder and limits before it is stored (`OTLPExport`), so what is acknowledged is what
/// every reader reads; a batch is answered only once the sink has it (`TraceSink`: synced to
/// disk, or acknowledged by ClickHouse). A request's head must arrive within the header
/// timeout of its first byte, and its body within the body timeout.
package struct TraceCollector: Sendable {
    package struct Configuration: Sendable {
        package var host = "127.0.0.1"
        package var port = 4318
        /// The OTLP/gRPC port (4317), or nil for none; 0 picks a free one.
        package var grpcPort: Int?
        /// Largest request body, compressed or not (413 beyond).
        package var maxBodyBytes = 16 << 20
        /// A request's head must be complete this long after its first byte.
        package var headerTimeout: Duration = .seconds(10)
        /// A request's body must be complete this long after its head.
        package var bodyTimeout: Duration = .seconds(30)
        package var idleTimeout: Duration = .seconds(60)
        package var maxConnections = 1024

        package init() {}
    }

    package let sink: any TraceSink
    package let configuration: Configuration
    let logger: Logger

    package init(sink: any TraceSink, configuration: Configuration = Configuration(), logger: Logger = Logger(label: "folio.collect")) {
        self.sink = sink
        self.configuration = configuration
        self.logger = logger
    }

    /// Serves until SIGINT/SIGTERM (with `handleSignals`) or cancellation; in-flight
    /// batches finish first. `onStarted` gets the HTTP port and the gRPC port, if any.
    package func run(handleSignals: Bool = true, onStarted: @escaping @Sendable (_ http: Int, _ grpc: Int?) async -> Void = { _, _ in }) async throws {
        let collector = self
        let router = Router()
        router.get("/healthz") { _, _ in Self.text(.ok, "ok\n") }
        router.head("/healthz") { _, _ in Self.text(.ok, "ok\n") }
        router.post("/v1/traces") { request, _ in await collector.receive(request, signal: .traces) }
        router.post("/v1/logs") { request, _ in await collector.receive(request, signal: .logs) }
        let limits = configuration
        let channel = HTTP1Channel.Configuration(additionalChannelHandlers: [RequestHeadDeadline.Marker()], idleTimeout: TimeAmount(limits.idleTimeout))
        let grpc = limits.grpcPort.map { OTLPGRPCServer(collector: collector, host: limits.host, port: $0) }
        let ports = PortsReady(waitingForGRPC: grpc != nil, onStarted: onStarted)
        let app = Application(
            router: router,
            server: HTTPServerBuilder { responder in
                DeadlineHTTP1Channel(inner: HTTP1Channel(responder: responder, configuration: channel), headerTimeout: TimeAmount(limits.headerTimeout))
            },
            configuration: .init(
                address: .hostname(limits.host, port: limits.port), serverName: "folio-collect",
                availableConnectionsDelegate: MaximumAvailableConnections(StaticServer.connectionCap(limits.maxConnections), logger: logger)),
            onServerRunning: { channel in await ports.http(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        defer { Task { await sink.close() } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let grpc {
                group.addTask { try await grpc.run { await ports.grpc($0) } }
            }
            group.addTask { try await app.runService(gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : []) }
            // The HTTP server returns on a signal: stop gRPC too.
            try await group.next()
            group.cancelAll()
        }
        await sink.close()
    }

    /// Reports the ports once every server listens.
    actor PortsReady {
        var httpPort: Int?
        var grpcPort: Int?
        let waitingForGRPC: Bool
        let onStarted: @Sendable (Int, Int?) async -> Void

        init(waitingForGRPC: Bool, onStarted: @escaping @Sendable (Int, Int?) async -> Void) {
            self.waitingForGRPC = waitingForGRPC
            self.onStarted = onStarted
        }

        func http(_ port: Int) async {
            httpPort = port
            await report()
        }

        func grpc(_ port: Int) async {
            grpcPort = port
            await report()
        }

        private func report() async {
            guard let httpPort, !waitingForGRPC || grpcPort != nil else { return }
            await onStarted(httpPort, grpcPort)
        }
    }

    /// What a store's answer to one export is, whichever transport brought it.
    enum Outcome {
        case stored(rejected: Int)
        case malformed(String)
        case unavailable(String, retryAfter: Int)
    }

    /// Decodes and stores one export: the path HTTP and gRPC share.
    func accept(_ body: Data, signal: TelemetryBatch.Signal, encoding: TelemetryBatch.Encoding) async -> Outcome {
        let batch: TelemetryBatch
        do {
            batch = try OTLPExport.decode(body, signal: signal, encoding: encoding)
        } catch {
            return .malformed("\(error)")
        }
        do {
            try await sink.store(batch)
        } catch let failure as TraceSinkUnavailable {
            logger.warning("cannot store a batch", metadata: ["reason": "\(failure.reason)"])
            return .unavailable(failure.reason, retryAfter: failure.retryAfter)
        } catch {
            logger.warning("cannot store a batch", metadata: ["error": "\(error)"])
            return .unavailable("the collector cannot store the batch", retryAfter: 5)
        }
        return .stored(rejected: batch.rejected)
    }

    func receive(_ request: Request, signal: TelemetryBatch.Signal) async -> Response {
        let contentType = (request.headers[.contentType] ?? "").lowercased()
        let encoding: TelemetryBatch.Encoding
        if contentType.hasPrefix("application/x-protobuf") || contentType.hasPrefix("application/protobuf") {
            encoding = .protobuf
        } else if contentType.hasPrefix("application/json") {
            encoding = .json
        } else {
            return Self.text(
                .unsupportedMediaType, "Content-Type '\(contentType)' is not accepted: send application/x-protobuf or application/json (OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf or http/json)\n")
        }
        var body: Data
        switch await collect(request) {
        case .body(let data): body = data
        case .tooLarge: return status(.contentTooLarge, "the body is larger than \(configuration.maxBodyBytes) bytes: export smaller batches", encoding: encoding)
        case .timedOut: return status(.requestTimeout, "the body did not arrive within \(configuration.bodyTimeout)", encoding: encoding, close: true)
        }
        let compression = (request.headers[.contentEncoding] ?? "identity").lowercased()
        if compression == "gzip" {
            do {
                body = try Gunzip.inflate(body, limit: configuration.maxBodyBytes)
            } catch Gunzip.Failure.tooLarge {
                return status(.contentTooLarge, "the body inflates to more than \(configuration.maxBodyBytes) bytes: export smaller batches", encoding: encoding)
            } catch {
                return status(.badRequest, "the gzip body is damaged", encoding: encoding)
            }
        } else if compression != "identity" {
            return Self.text(.unsupportedMediaType, "Content-Encoding '\(compression)' is not accepted: use gzip or none\n")
        }
        switch await accept(body, signal: signal, encoding: encoding) {
        case .stored(let rejected): return success(signal: signal, encoding: encoding, rejected: rejected)
        case .malformed(let reason): return status(.badRequest, reason, encoding: encoding)
        case .unavailable(let reason, let retryAfter):
            // Retryable, as the specification says of 503; the exporter waits Retry-After.
            var response = status(.serviceUnavailable, reason, encoding: encoding)
            response.headers[.retryAfter] = String(retryAfter)
            return response
        }
    }

    enum Collected {
        case body(Data)
        case tooLarge
        case timedOut
    }

    /// The body, within the size limit and the body timeout.
    func collect(_ request: Request) async -> Collected {
        let limit = configuration.maxBodyBytes
        let timeout = configuration.bodyTimeout
        return await withTaskGroup(of: Collected?.self) { group in
            group.addTask {
                do {
                    return .body(Data(try await request.body.collect(upTo: limit).readableBytesView))
                } catch {
                    return Task.isCancelled ? nil : .tooLarge
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return Task.isCancelled ? nil : .timedOut
            }
            defer { group.cancelAll() }
            while let next = await group.next() {
                if let next { return next }
            }
            return .timedOut
        }
    }

    /// The `Export…ServiceResponse`, in the request's encoding.
    func success(signal: TelemetryBatch.Signal, encoding: TelemetryBatch.Encoding, rejected: Int) -> Response {
        let bytes = Self.exportResponse(signal: signal, rejected: rejected, json: encoding == .json)
        return Response(
            status: .ok, headers: [.contentType: encoding == .protobuf ? "application/x-protobuf" : "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func rejectedReason(_ rejected: Int) -> String {
        "\(rejected) span(s) have a missing or malformed trace or span id and were not stored"
    }

    static func exportResponse(signal: TelemetryBatch.Signal, rejected: Int, json: Bool) -> Data {
        switch signal {
        case .traces:
            var response = Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceResponse()
            if rejected > 0 {
                response.partialSuccess.rejectedSpans = Int64(rejected)
                response.partialSuccess.errorMessage = rejectedReason(rejected)
            }
            return (json ? try? response.jsonUTF8Data() : try? response.serializedBytes()) ?? Data()
        case .logs:
            let response = Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceResponse()
            return (json ? try? response.jsonUTF8Data() : try? response.serializedBytes()) ?? Data()
        }
    }

    /// A failure as the specification asks: a `google.rpc.Status` (code and message) in the
    /// request's encoding.
    func status(_ status: HTTPResponse.Status, _ message: String, encoding: TelemetryBatch.Encoding, close: Bool = false) -> Response {
        let code: Int32 =
            switch status {
            case .badRequest: 3  // INVALID_ARGUMENT
            case .contentTooLarge: 8  // RESOURCE_EXHAUSTED
            case .requestTimeout: 4  // DEADLINE_EXCEEDED
            default: 14  // UNAVAILABLE
            }
        let bytes: Data
        switch encoding {
        case .json:
            var escaped = ""
            AttributeText.quote(message, into: &escaped)
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
        var headers: HTTPFields = [.contentType: encoding == .protobuf ? "application/x-protobuf" : "application/json"]
        if close { headers[.connection] = "close" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
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
