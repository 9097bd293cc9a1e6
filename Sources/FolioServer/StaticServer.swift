import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix

/// A small static server for `dist/`: GET and HEAD, strong ETags and 304s, cache headers
/// for manifests and immutable version files, precompressed gzip, `/healthz`, no
/// directory listings, no path escapes, and an access log.
public struct StaticServer: Sendable {
    public let root: URL
    public let host: String
    public let port: Int
    let logger: Logger
    let onRequest: (@Sendable (_ method: String, _ path: String, _ status: Int) -> Void)?
    /// Event loop threads; nil shares NIO's group (one per core).
    public var threads: Int?

    /// - Parameter onRequest: called for each request as it is answered (method, path, status), e.g. for metrics.
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
    ///
    /// Hummingbird runs the server (listening, lifecycle, graceful shutdown); each
    /// connection is a `StaticHTTPChannel`, which answers on its event loop.
    public func run(handleSignals: Bool = true, onStarted: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let files = StaticFiles(root: root)
        let logger = self.logger
        let onRequest = self.onRequest
        let served: @Sendable (String, String, Int) -> Void = { method, path, status in
            logger.info("request", metadata: ["method": "\(method)", "path": "\(path)", "status": "\(status)"])
            onRequest?(method, path, status)
        }
        let group = threads.map { MultiThreadedEventLoopGroup(numberOfThreads: max(1, $0)) }
        let app = Application(
            // Never asked: the child channel answers every request itself.
            responder: CallbackResponder<BasicRequestContext> { _, _ in Response(status: .internalServerError) },
            server: HTTPServerBuilder { _ in StaticHTTPChannel(files: files, served: served) },
            configuration: .init(address: .hostname(host, port: port), serverName: "folio"),
            onServerRunning: { channel in await onStarted(channel.localAddress?.port ?? 0) },
            eventLoopGroupProvider: group.map { .shared($0) } ?? .singleton,
            logger: logger
        )
        do {
            try await app.runService(gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [])
        } catch {
            try? await group?.shutdownGracefully()
            throw error
        }
        try await group?.shutdownGracefully()
    }

    /// The answer to a request: status, headers (without `Date` and `Server`) and body
    /// (nil for none; a HEAD answer carries the GET body's length, and the body is not sent).
    struct Answer {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: ByteBuffer?
    }

    static func answer(method: String, path: String, ifNoneMatch: String?, acceptsGzip: Bool, files: StaticFiles) -> Answer {
        guard method == "GET" || method == "HEAD" else {
            return Answer(status: .methodNotAllowed, headers: [.allow: "GET, HEAD", .contentLength: "0"], body: nil)
        }
        if path == "/healthz" {
            return Answer(status: .ok, headers: [.contentType: "text/plain", .contentLength: "3"], body: ByteBuffer(string: "ok\n"))
        }
        guard let file = files.file(atRequestPath: path) else {
            return Answer(status: .notFound, headers: [.contentType: "text/plain", .contentLength: "10"], body: ByteBuffer(string: "not found\n"))
        }
        var headers: HTTPFields = [
            .cacheControl: cacheControl(for: path),
            .vary: "Accept-Encoding",
        ]
        var chosen = file
        var contentType = contentType(for: path)
        if acceptsGzip, !path.hasSuffix(".gz"), let compressed = files.file(atRequestPath: path + ".gz") {
            chosen = compressed
            headers[.contentEncoding] = "gzip"
        } else if path.hasSuffix(".gz") {
            contentType = "application/gzip"
        }
        headers[.eTag] = chosen.etag
        headers[.contentType] = contentType
        if let match = ifNoneMatch, match == chosen.etag || match.split(separator: ",").contains(where: {
            let tag = $0.trimmingCharacters(in: .whitespaces)
            return tag == chosen.etag || tag == "*"
        }) {
            return Answer(status: .notModified, headers: headers, body: nil)
        }
        headers[.contentLength] = String(chosen.body.readableBytes)
        return Answer(status: .ok, headers: headers, body: chosen.body)
    }

    static func pathWithoutQuery(_ path: String) -> String {
        guard let question = path.utf8.firstIndex(of: UInt8(ascii: "?")) else { return path }
        return String(path[..<question])
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
