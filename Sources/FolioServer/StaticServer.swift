import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A small static server for `dist/`: GET and HEAD, strong ETags and 304s, cache headers
/// for manifests and immutable version files, precompressed gzip, `/healthz`, no
/// directory listings, no path escapes, and an access log.
public struct StaticServer: Sendable {
    public let root: URL
    public let host: String
    public let port: Int
    let logger: Logger
    let onRequest: (@Sendable (_ method: String, _ path: String, _ status: Int) -> Void)?

    /// - Parameter onRequest: called after each response (method, path, status), e.g. for metrics.
    public init(root: URL, host: String = "127.0.0.1", port: Int = 8080, logger: Logger = Logger(label: "folio.serve"),
                onRequest: (@Sendable (_ method: String, _ path: String, _ status: Int) -> Void)? = nil) {
        self.root = root
        self.host = host
        self.port = port
        self.logger = logger
        self.onRequest = onRequest
    }

    /// Serves until cancelled or, with `signals`, until SIGINT/SIGTERM; in-flight requests
    /// finish first. `onStarted` gets the bound port (useful with port 0).
    public func run(handleSignals: Bool = true, onStarted: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let files = StaticFiles(root: root)
        let logger = self.logger
        let onRequest = self.onRequest
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let response = Self.respond(to: request, files: files)
            logger.info("request", metadata: [
                "method": "\(request.method)", "path": "\(request.uri.path)", "status": "\(response.status.code)",
            ])
            onRequest?("\(request.method)", request.uri.path, Int(response.status.code))
            return response
        }
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: port), serverName: "folio"),
            onServerRunning: { channel in await onStarted(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        try await app.runService(gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [])
    }

    static func respond(to request: Request, files: StaticFiles) -> Response {
        guard request.method == .get || request.method == .head else {
            return Response(status: .methodNotAllowed, headers: [.allow: "GET, HEAD"])
        }
        let path = request.uri.path
        if path == "/healthz" {
            return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        guard let file = files.file(atRequestPath: path) else {
            return Response(status: .notFound, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "not found\n")))
        }
        var headers: HTTPFields = [
            .cacheControl: cacheControl(for: path),
            .vary: "Accept-Encoding",
        ]
        var chosen = file
        var contentType = contentType(for: path)
        let acceptsGzip = request.headers[.acceptEncoding].map { $0.contains("gzip") } ?? false
        if acceptsGzip, !path.hasSuffix(".gz"), let compressed = files.file(atRequestPath: path + ".gz") {
            chosen = compressed
            headers[.contentEncoding] = "gzip"
        } else if path.hasSuffix(".gz") {
            contentType = "application/gzip"
        }
        headers[.eTag] = chosen.etag
        headers[.contentType] = contentType
        if let match = request.headers[.ifNoneMatch], match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == chosen.etag || $0.trimmingCharacters(in: .whitespaces) == "*" }) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(chosen.body.readableBytes)
        if request.method == .head {
            return Response(status: .ok, headers: headers, body: ResponseBody(contentLength: chosen.body.readableBytes) { _ in })
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: chosen.body))
    }

    static func cacheControl(for path: String) -> String {
        if path.hasPrefix("/prompts/") { return "public, max-age=31536000, immutable" }
        if path.hasSuffix("/manifest.json") || path.hasSuffix("/manifest.json.sig") || path.hasSuffix("/manifest.json.gz") { return "public, max-age=300" }
        return "no-cache"
    }

    static func contentType(for path: String) -> String {
        if path.hasSuffix(".json") { return "application/json" }
        if path.hasSuffix(".sig") { return "text/plain; charset=utf-8" }
        return "application/octet-stream"
    }
}
