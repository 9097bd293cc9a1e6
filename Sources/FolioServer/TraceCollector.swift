import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `folio collect`: an OTLP/HTTP receiver (`POST /v1/traces`, JSON, optionally gzip) that
/// appends each accepted batch as one line to JSON Lines files, rotated by size, so a team
/// can start without an OpenTelemetry Collector. A batch is answered 200 only after it is
/// written; on SIGINT/SIGTERM in-flight requests finish and the file is synced and closed.
public struct TraceCollector: Sendable {
    public let folder: URL
    public let host: String
    public let port: Int
    /// Largest request body, compressed or not (413 beyond).
    public let maxBodyBytes: Int
    /// A file is closed and a new one started once it holds this many bytes.
    public let rotateBytes: Int
    let logger: Logger

    public init(folder: URL, host: String = "127.0.0.1", port: Int = 4318, maxBodyBytes: Int = 16 << 20, rotateBytes: Int = 64 << 20, logger: Logger = Logger(label: "folio.collect")) {
        self.folder = folder
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.rotateBytes = rotateBytes
        self.logger = logger
    }

    public func run(handleSignals: Bool = true, onStarted: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let writer = BatchWriter(folder: folder, rotateBytes: rotateBytes)
        let collector = self
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            await collector.respond(to: request, writer: writer)
        }
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: port), serverName: "folio-collect"),
            onServerRunning: { channel in await onStarted(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        do {
            try await app.runService(gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [])
        } catch {
            await writer.close()
            throw error
        }
        await writer.close()
    }

    func respond(to request: Request, writer: BatchWriter) async -> Response {
        let path = request.uri.path
        if path == "/healthz", request.method == .get || request.method == .head { return text(.ok, "ok\n") }
        guard path == "/v1/traces" else { return text(.notFound, "not found: send OTLP/HTTP JSON to POST /v1/traces\n") }
        guard request.method == .post else { return Response(status: .methodNotAllowed, headers: [.allow: "POST"]) }
        let contentType = (request.headers[.contentType] ?? "").lowercased()
        if contentType.hasPrefix("application/x-protobuf") || contentType.hasPrefix("application/protobuf") {
            return text(.unsupportedMediaType, "protobuf bodies are not supported: set the exporter to OTLP/HTTP JSON (OTEL_EXPORTER_OTLP_PROTOCOL=http/json)\n")
        }
        guard contentType.hasPrefix("application/json") else {
            return text(.unsupportedMediaType, "send Content-Type: application/json (OTLP/HTTP JSON)\n")
        }
        var body: Data
        do {
            body = Data(try await request.body.collect(upTo: maxBodyBytes).readableBytesView)
        } catch {
            return text(.contentTooLarge, "the body is larger than \(maxBodyBytes) bytes: export smaller batches\n")
        }
        let encoding = (request.headers[.contentEncoding] ?? "identity").lowercased()
        if encoding == "gzip" {
            do {
                body = try Gunzip.inflate(body, limit: maxBodyBytes)
            } catch Gunzip.Failure.tooLarge {
                return text(.contentTooLarge, "the body inflates to more than \(maxBodyBytes) bytes: export smaller batches\n")
            } catch {
                return text(.badRequest, "the gzip body is damaged\n")
            }
        } else if encoding != "identity" {
            return text(.unsupportedMediaType, "Content-Encoding \(encoding) is not supported: use gzip or none\n")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any], object["resourceSpans"] is [Any] else {
            return text(.badRequest, "the body is not an OTLP JSON trace export ({\"resourceSpans\": […]})\n")
        }
        do {
            try await writer.append(Self.oneLine(body))
        } catch {
            logger.error("cannot write a batch", metadata: ["error": "\(error)"])
            return text(.serviceUnavailable, "the collector cannot write to its folder\n")
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{\"partialSuccess\":{}}")))
    }

    /// Valid JSON holds no raw line breaks inside strings, so replacing them with spaces
    /// keeps the document and makes it one JSON Lines line.
    static func oneLine(_ body: Data) -> Data {
        var line = Data(body.map { $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 })
        line.append(0x0A)
        return line
    }

    private func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: message)))
    }
}

/// Appends lines to `spans-<time>-<n>.jsonl`, starting a new file past `rotateBytes`.
actor BatchWriter {
    let folder: URL
    let rotateBytes: Int
    private var handle: FileHandle?
    private var written = 0
    private var sequence = 0

    init(folder: URL, rotateBytes: Int) {
        self.folder = folder
        self.rotateBytes = rotateBytes
    }

    func append(_ line: Data) throws {
        if handle == nil || (written > 0 && written + line.count > rotateBytes) { try rotate() }
        try handle!.write(contentsOf: line)
        written += line.count
    }

    private func rotate() throws {
        if let handle {
            try? handle.synchronize()
            try? handle.close()
        }
        sequence += 1
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss"
        var url = folder.appendingPathComponent("spans-\(formatter.string(from: Date()))-\(sequence).jsonl")
        while FileManager.default.fileExists(atPath: url.path) {
            sequence += 1
            url = folder.appendingPathComponent("spans-\(formatter.string(from: Date()))-\(sequence).jsonl")
        }
        FileManager.default.createFile(atPath: url.path, contents: nil)
        handle = try FileHandle(forWritingTo: url)
        written = 0
    }

    func close() {
        try? handle?.synchronize()
        try? handle?.close()
        handle = nil
    }
}
