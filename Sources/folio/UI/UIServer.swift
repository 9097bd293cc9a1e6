import FolioModel
import FolioTelemetry
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// `folio ui`'s HTTP server: Hummingbird on 127.0.0.1, every page rendered here from the
/// repository and the trace source. `UIGuard` stands in front of every route.
struct UIServer {
    let app: UIApp
    let host: String
    let port: Int

    func run(onStarted: @escaping @Sendable (Int) async -> Void) async throws {
        let router = Router()
        router.add(middleware: UIGuard(session: app.session))
        let app = self.app
        router.get("/") { _, _ in UIResponse.redirect("/traces") }
        router.get("/assets/ui.css") { _, _ in UIResponse.asset(UIAssets.css, type: "text/css; charset=utf-8") }
        router.get("/assets/ui.js") { _, _ in UIResponse.asset(UIAssets.javascript, type: "text/javascript; charset=utf-8") }
        router.get("/traces") { request, _ in try await UIResponse.page { try await app.traces(UIQuery(request.uri)) } }
        router.get("/calls/{span}") { request, context in
            try await UIResponse.page { try await app.call(context.parameters.get("span") ?? "") }
        }
        router.get("/prompts") { _, _ in try await UIResponse.page { try app.prompts() } }
        router.get("/prompts/new") { request, _ in try await UIResponse.page { try await app.newPrompt(UIQuery(request.uri)) } }
        router.post("/prompts/preview") { request, _ in
            let form = try await UIForm(request, session: app.session)
            return UIResponse.text(try await app.previewPrompt(form))
        }
        router.post("/prompts") { request, _ in
            try await UIResponse.page { try await app.createPrompt(try await UIForm(request, session: app.session)) }
        }
        router.get("/prompts/{name}") { request, context in
            try await UIResponse.page { try app.prompt(context.parameters.get("name") ?? "", UIQuery(request.uri)) }
        }
        router.post("/prompts/{name}/run") { request, context in
            let form = try await UIForm(request, session: app.session)
            return app.run(prompt: context.parameters.get("name") ?? "", form)
        }
        router.post("/goldensets/add") { request, _ in
            try await UIResponse.page { try await app.addToGoldenSet(try await UIForm(request, session: app.session)) }
        }
        router.get("/promotions") { _, _ in try await UIResponse.page { try app.promotions(notice: nil) } }
        router.post("/promotions") { request, _ in
            try await UIResponse.page { try app.promote(try await UIForm(request, session: app.session)) }
        }
        router.get("/dashboard") { request, _ in try await UIResponse.page { try await app.dashboard(UIQuery(request.uri)) } }

        var logger = Logger(label: "folio.ui")
        logger.logLevel = .warning
        let application = Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "folio-ui"),
            onServerRunning: { channel in await onStarted(channel.localAddress?.port ?? 0) }, logger: logger)
        try await application.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}

/// The session: a random token in the URL `folio ui` prints (kept in a cookie once used, as
/// Jupyter does), the names the server may be reached by, and the CSRF token forms carry.
struct UISession: Sendable {
    let token: String
    let csrf: String
    /// The host names a request's Host may carry (any port).
    var hosts: Set<String> = []

    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    static let cookie = "folio_ui"
}

/// Refuses what did not come from this session's browser tab: a Host that is not ours
/// (DNS rebinding), an Origin that is not ours (another site's page), and a request without
/// the token (in the URL once, then in an HttpOnly, SameSite=Strict cookie). Every answer
/// carries a Content-Security-Policy that forbids inline script and anything from elsewhere.
struct UIGuard<Context: RequestContext>: RouterMiddleware {
    let session: UISession

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await check(request, context: context, next: next)
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"  // no-referrer would make form posts send Origin: null
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[.cacheControl] = "no-store"
        return response
    }

    private func check(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let host = request.head.authority, session.hosts.contains(Self.hostname(host)) else {
            return UIResponse.refused(.misdirectedRequest, "This server answers only as \(session.hosts.sorted().joined(separator: " or ")).")
        }
        if let origin = request.headers[.origin], origin != "http://\(host)" {
            return UIResponse.refused(.forbidden, "Requests from other sites are refused.")
        }
        if let token = UIQuery(request.uri).value("token") {
            guard Self.same(token, session.token) else { return UIResponse.refused(.unauthorized, "That token is not this session's: open the URL `folio ui` printed.") }
            // Into the cookie, and out of the address bar (and of history and referrers).
            var response = UIResponse.redirect(request.uri.path)
            response.headers[.setCookie] = "\(UISession.cookie)=\(session.token); Path=/; HttpOnly; SameSite=Strict"
            return response
        }
        guard let cookie = Self.cookie(request.headers[.cookie]), Self.same(cookie, session.token) else {
            return UIResponse.refused(.unauthorized, "Open the URL `folio ui` printed: it carries this session's token.")
        }
        return try await next(request, context)
    }

    /// `Host` without its port, lowercased (`[::1]` keeps its brackets).
    static func hostname(_ authority: String) -> String {
        let lowered = authority.lowercased()
        if lowered.hasPrefix("["), let end = lowered.firstIndex(of: "]") { return String(lowered[...end]) }
        return String(lowered.split(separator: ":", maxSplits: 1).first ?? "")
    }

    static func cookie(_ header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0] == UISession.cookie { return String(pair[1]) }
        }
        return nil
    }

    /// Compares in time that does not depend on where the strings differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8), right = Array(b.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// A request's query values.
struct UIQuery {
    let items: [URLQueryItem]

    init(_ uri: URI) {
        items = URLComponents(string: "/?" + (uri.query ?? ""))?.queryItems ?? []
    }

    func value(_ name: String) -> String? {
        items.first { $0.name == name }?.value.flatMap { $0.isEmpty ? nil : $0 }
    }

    func values(_ name: String) -> [String] { items.filter { $0.name == name }.compactMap(\.value).filter { !$0.isEmpty } }
}

/// A form POST (`application/x-www-form-urlencoded`, at most 1 MiB) whose CSRF token is this
/// session's; anything else is refused before a handler sees it.
struct UIForm: Sendable {
    let items: [(String, String)]

    init(_ request: Request, session: UISession) async throws {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 20)
        items = Self.decode(String(buffer: body))
        guard let token = items.first(where: { $0.0 == "csrf" })?.1, UIGuard<BasicRequestContext>.same(token, session.csrf) else {
            throw HTTPError(.forbidden, message: "The form's CSRF token is missing or not this session's: reload the page and try again.")
        }
    }

    /// `application/x-www-form-urlencoded`: pairs split on `&` and the first `=`, `+` as a
    /// space, then percent-decoding (a malformed escape keeps its text). Never traps.
    static func decode(_ body: String) -> [(String, String)] {
        func text(_ part: Substring) -> String {
            let spaced = part.replacingOccurrences(of: "+", with: " ")
            return spaced.removingPercentEncoding ?? spaced
        }
        return body.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (text(parts[0]), parts.count > 1 ? text(parts[1]) : "")
        }
    }

    func value(_ name: String) -> String? {
        items.first { $0.0 == name }.map { $0.1.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    func values(_ name: String) -> [String] { items.filter { $0.0 == name }.map(\.1).filter { !$0.isEmpty } }
}

enum UIResponse {
    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ path: String) -> Response {
        Response(status: .seeOther, headers: [.location: path.hasPrefix("/") ? path : "/"])
    }

    static func refused(_ status: HTTPResponse.Status, _ message: String) -> Response {
        html(HTML.page(title: "Refused", active: "", body: "<p class=\"problem\">\(HTML.escape(message))</p>"), status: status)
    }

    /// A page, or the error a user can act on as a page of its own (never a stack trace).
    static func page(_ render: () async throws -> String) async throws -> Response {
        do {
            return html(try await render())
        } catch let error as HTTPError {
            throw error
        } catch let error as any UserFacingError {
            return html(HTML.page(title: "Cannot do that", active: "", body: "<pre class=\"problem\">\(HTML.escape(error.description))</pre>"), status: .badRequest)
        } catch {
            return html(HTML.page(title: "Something failed", active: "", body: "<pre class=\"problem\">\(HTML.escape("\(error)"))</pre>"), status: .internalServerError)
        }
    }
}
