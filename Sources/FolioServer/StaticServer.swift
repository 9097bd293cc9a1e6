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
///
/// It is Hummingbird's server, router and middleware: `/healthz` is a route,
/// `StaticFileMiddleware` answers everything else from `StaticFiles`, and each connection
/// is Hummingbird's HTTP/1 channel with an idle timeout, a deadline for a request's head
/// (`RequestHeadDeadline`) and a cap on open connections.
package struct StaticServer: Sendable {
    /// Limits on connections. Every value has a default that no SDK polling a manifest
    /// comes near.
    package struct Configuration: Sendable {
        /// Event loop threads; nil shares NIO's group (one per core).
        package var threads: Int?
        /// A keep-alive connection with no request in progress is closed after this long
        /// (nginx's `keepalive_timeout` is 75 s).
        package var idleTimeout: Duration
        /// A request's head (request line and headers) must arrive whole within this long
        /// of its first byte (nginx's `client_header_timeout` is 60 s).
        package var headerTimeout: Duration
        /// Connections open at once; past it, new ones wait in the listen backlog. Capped
        /// below the process's file descriptor limit, so that accepting never fails.
        package var maxConnections: Int

        package init(threads: Int? = nil, idleTimeout: Duration = .seconds(60), headerTimeout: Duration = .seconds(10), maxConnections: Int = 4096) {
            self.threads = threads
            self.idleTimeout = idleTimeout
            self.headerTimeout = headerTimeout
            self.maxConnections = maxConnections
        }
    }

    package let root: URL
    package let host: String
    package let port: Int
    package var configuration: Configuration
    let logger: Logger
    let onRequest: (@Sendable (_ method: String, _ path: String, _ status: Int) -> Void)?

    /// - Parameter onRequest: called for each request as it is answered (method, path, status), e.g. for metrics.
    package init(
        root: URL, host: String = "127.0.0.1", port: Int = 8080, configuration: Configuration = .init(),
        logger: Logger = Logger(label: "folio.serve"),
        onRequest: (@Sendable (_ method: String, _ path: String, _ status: Int) -> Void)? = nil
    ) {
        self.root = root
        self.host = host
        self.port = port
        self.configuration = configuration
        self.logger = logger
        self.onRequest = onRequest
    }

    /// Serves until cancelled or, with `signals`, until SIGINT/SIGTERM; in-flight requests
    /// finish first. `onStarted` gets the bound port (useful with port 0).
    package func run(handleSignals: Bool = true, onStarted: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let logger = self.logger
        let onRequest = self.onRequest
        let router = Router()
        router.add(
            middleware: AccessLogMiddleware { method, path, status in
                logger.info("request", metadata: ["method": "\(method)", "path": "\(path)", "status": "\(status)"])
                onRequest?(method, path, status)
            })
        router.add(middleware: StaticFileMiddleware(files: StaticFiles(root: root)))
        router.get("/healthz") { _, _ in Self.healthy }
        router.head("/healthz") { _, _ in Self.healthy }

        let limits = configuration
        let channel = HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestHeadDeadline.Marker()],
            idleTimeout: TimeAmount(limits.idleTimeout)
        )
        let group = limits.threads.map { MultiThreadedEventLoopGroup(numberOfThreads: max(1, $0)) }
        let app = Application(
            router: router,
            server: HTTPServerBuilder { responder in
                DeadlineHTTP1Channel(inner: HTTP1Channel(responder: responder, configuration: channel), headerTimeout: TimeAmount(limits.headerTimeout))
            },
            configuration: .init(
                address: .hostname(host, port: port), serverName: "folio",
                availableConnectionsDelegate: MaximumAvailableConnections(Self.connectionCap(limits.maxConnections), logger: logger)
            ),
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

    static var healthy: Response {
        Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
    }

    /// The cap actually used: at most the file descriptor limit less some for the
    /// listener, the files being read and the logs.
    static func connectionCap(_ requested: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < rlim_t(Int32.max) else { return max(1, requested) }
        return max(1, min(requested, Int(limit.rlim_cur) - 64))
    }

    /// The answer to a request: status, headers (without `Date` and `Server`) and body
    /// (nil for none; a HEAD answer carries the GET body's length, and the body is not sent).
    struct Answer {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: ByteBuffer?
    }

    static func answer(method: HTTPRequest.Method, path: String, ifNoneMatch: String?, acceptsGzip: Bool, files: StaticFiles) -> Answer {
        guard method == .get || method == .head else {
            return Answer(status: .methodNotAllowed, headers: [.allow: "GET, HEAD", .contentLength: "0"], body: nil)
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
        if let match = ifNoneMatch,
            match == chosen.etag
                || match.split(separator: ",").contains(where: {
                    let tag = $0.trimmingCharacters(in: .whitespaces)
                    return tag == chosen.etag || tag == "*"
                })
        {
            return Answer(status: .notModified, headers: headers, body: nil)
        }
        headers[.contentLength] = String(chosen.body.readableBytes)
        return Answer(status: .ok, headers: headers, body: chosen.body)
    }

    static func cacheControl(for path: String) -> String {
        if path.hasPrefix("/prompts/") || path.contains("/signatures/") { return "public, max-age=31536000, immutable" }
        if path.hasSuffix("/manifest.json") || path.hasSuffix("/manifest.json.sig") || path.hasSuffix("/manifest.json.gz") { return "public, max-age=300" }
        return "no-cache"
    }

    static func contentType(for path: String) -> String {
        if path.hasSuffix(".json") { return "application/json" }
        if path.hasSuffix(".sig") { return "text/plain; charset=utf-8" }
        return "application/octet-stream"
    }
}
