import AsyncHTTPClient
import FolioModel
import FolioTelemetry
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// ClickHouse's HTTP interface, as documented: the query in the POST body (or `query=` for
/// an INSERT, whose rows are the body), every value from a user as a query parameter
/// (`{name:Type}` in the SQL, `param_name=value` in the URL: never spliced into SQL),
/// `database` and `default_format`, the user and password in `X-ClickHouse-User` and
/// `X-ClickHouse-Key`, and errors in `X-ClickHouse-Exception-Code` with the text in the body.
package struct ClickHouseClient: Sendable {
    package let url: ClickHouseURL
    let password: String?
    /// How long a query may run before it is cancelled.
    package var timeout: Duration = .seconds(600)
    /// For `clickhouses://`: the PEM file of the certificates to trust instead of the
    /// system's, from `SSL_CERT_FILE` as OpenSSL, curl, Python and Go read it (a server
    /// whose certificate a private CA signed).
    package let trustedCertificates: String?
    /// The TLS settings every request takes, read from `trustedCertificates` once (a CA
    /// bundle holds a hundred certificates, and `collect --to` sends a request per batch);
    /// a file that cannot be read fails the first request, not a plain HTTP one.
    private let tls: Result<TLSConfiguration?, ClickHouseError>

    package static let trustVariable = "SSL_CERT_FILE"

    package init(url: ClickHouseURL, password: String?, trustedCertificates: String? = nil) {
        self.url = url
        self.password = password
        self.trustedCertificates = trustedCertificates
        tls = Result { () throws(ClickHouseError) in try Self.tlsConfiguration(url: url, trusting: trustedCertificates) }
    }

    /// The password from the environment variable the URL's configuration names, and the
    /// certificates to trust from `SSL_CERT_FILE`.
    package init(url: ClickHouseURL, environment: [String: String]) {
        self.init(url: url, password: environment[url.passwordVariable], trustedCertificates: environment[Self.trustVariable].flatMap { $0.isEmpty ? nil : $0 })
    }

    /// The TLS settings of a request to a `clickhouses://` server with its own trusted
    /// certificates; nil for the system's (or plain HTTP).
    static func tlsConfiguration(url: ClickHouseURL, trusting path: String?) throws(ClickHouseError) -> TLSConfiguration? {
        guard url.secure, let path else { return nil }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw ClickHouseError(
                code: 0, status: 0, message: "cannot read the certificates to trust for \(url) in \(trustVariable) (\(path)): \(error)", url: url,
                hint: "set \(trustVariable) to a PEM file of the CA that signed the server's certificate, or unset it to trust the system's")
        }
        guard !certificates.isEmpty else {
            throw ClickHouseError(
                code: 0, status: 0, message: "\(trustVariable) (\(path)) holds no PEM certificate to trust for \(url)", url: url,
                hint: "set \(trustVariable) to a PEM file of the CA that signed the server's certificate, or unset it to trust the system's")
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(certificates)
        return configuration
    }

    /// Runs a statement that returns nothing (DDL, an INSERT … SELECT), in the URL's
    /// database, or in none (`inDatabase: false`: for `CREATE DATABASE`, since a server
    /// refuses a request for a database that does not exist yet).
    package func execute(_ sql: String, parameters: [String: String] = [:], inDatabase: Bool = true) async throws {
        _ = try await send(sql: sql, parameters: parameters, body: nil, inDatabase: inDatabase) { _ in }
    }

    /// The rows of a query in `JSONEachRow`, all in memory (aggregates and pages: a few
    /// rows per group and day).
    package func rows(_ sql: String, parameters: [String: String] = [:]) async throws -> [JSONNode] {
        var rows: [JSONNode] = []
        try await stream(sql, parameters: parameters) { rows.append($0) }
        return rows
    }

    /// The rows of a query in `JSONEachRow`, one at a time as they arrive: memory stays at
    /// one buffer however many rows come.
    package func stream(_ sql: String, parameters: [String: String] = [:], row: (JSONNode) throws -> Void) async throws {
        var pending = Data()
        func drain(final: Bool) throws {
            while let newline = pending.firstIndex(of: 0x0A) {
                let line = pending[pending.startIndex..<newline]
                if !line.isEmpty { try row(try parse(line)) }
                pending.removeSubrange(pending.startIndex...newline)
            }
            if final, !pending.isEmpty {
                try row(try parse(pending))
                pending.removeAll()
            }
        }
        try await send(sql: sql + "\nFORMAT JSONEachRow", parameters: parameters, body: nil) { chunk in
            pending.append(contentsOf: chunk.readableBytesView)
            try drain(final: false)
        }
        try drain(final: true)
    }

    func parse(_ line: Data) throws -> JSONNode {
        do {
            return try JSONNode.parse(line)
        } catch {
            throw ClickHouseError(code: 0, status: 200, message: "ClickHouse sent a row that is not JSON: \(String(decoding: line.prefix(200), as: UTF8.self))", url: url)
        }
    }

    /// Inserts `rows` (JSONEachRow lines) into a table; returns once ClickHouse has
    /// acknowledged them (the answer to the request).
    package func insert(into table: String, columns: [String], rows: Data) async throws {
        let statement = "INSERT INTO \(url.database).\(table) (\(columns.joined(separator: ", "))) FORMAT JSONEachRow"
        _ = try await send(sql: statement, parameters: [:], body: rows) { _ in }
    }

    /// A parameter's value as ClickHouse reads it: in the escaped (TabSeparated) format, so
    /// a backslash, tab or line break in the value arrives as itself.
    static func escaped(_ value: String) -> String {
        var result = ""
        for character in value.unicodeScalars {
            switch character {
            case "\\": result += "\\\\"
            case "\t": result += "\\t"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\0": result += "\\0"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    /// Whether the server answers `/ping`.
    package func ping() async throws {
        var request = HTTPClientRequest(url: url.endpoint.appendingPathComponent("ping").absoluteString)
        request.method = .GET
        request.tlsConfiguration = try tls.get()
        let response: HTTPClientResponse
        do {
            response = try await clickHouseHTTP.execute(request, timeout: .seconds(10))
        } catch {
            throw ClickHouseError(unreachable: url, error, trusting: trustedCertificates)
        }
        guard response.status == .ok else {
            throw ClickHouseError(code: 0, status: Int(response.status.code), message: "/ping answered HTTP \(response.status.code)", url: url)
        }
    }

    /// One request: `sql` in the body, or in `query=` with `body` as the rows of an INSERT.
    @discardableResult
    private func send(
        sql: String, parameters: [String: String], body: Data?, inDatabase: Bool = true, chunk: (ByteBuffer) throws -> Void
    ) async throws -> HTTPResponseStatus {
        var components = URLComponents(url: url.endpoint, resolvingAgainstBaseURL: false)!
        var items = inDatabase ? [URLQueryItem(name: "database", value: url.database)] : []
        if body != nil { items.append(URLQueryItem(name: "query", value: sql)) }
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) { items.append(URLQueryItem(name: "param_\(name)", value: Self.escaped(value))) }
        components.queryItems = items
        // `+` means a space in a query string: encode it, and every other reserved byte.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        var request = HTTPClientRequest(url: components.url!.absoluteString)
        request.method = .POST
        request.headers.add(name: "X-ClickHouse-User", value: url.user)
        if let password { request.headers.add(name: "X-ClickHouse-Key", value: password) }
        request.headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        request.body = .bytes(ByteBuffer(bytes: body ?? Data(sql.utf8)))
        request.tlsConfiguration = try tls.get()
        let response: HTTPClientResponse
        do {
            response = try await clickHouseHTTP.execute(request, timeout: TimeAmount(timeout))
        } catch {
            throw ClickHouseError(unreachable: url, error, trusting: trustedCertificates)
        }
        guard response.status == .ok else {
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            let code = Int(response.headers.first(name: "X-ClickHouse-Exception-Code") ?? "") ?? 0
            throw ClickHouseError(code: code, status: Int(response.status.code), message: text.trimmingCharacters(in: .whitespacesAndNewlines), url: url)
        }
        for try await buffer in response.body { try chunk(buffer) }
        return response.status
    }
}

/// A failure ClickHouse reported (its code and message), or a failure to reach it, with
/// what to do about it. Never holds the password: messages are ClickHouse's or Folio's.
package struct ClickHouseError: UserFacingError {
    package let code: Int
    package let status: Int
    /// ClickHouse's own text.
    package let detail: String
    /// The store, as `clickhouse://user@host:port/database?…` (no password).
    package let store: String
    package let passwordVariable: String
    /// What to do, where the failure says more than its code (a TLS handshake).
    let advice: String?

    package init(code: Int, status: Int, message: String, url: ClickHouseURL, hint: String? = nil) {
        self.code = code
        self.status = status
        detail = message
        store = url.description
        passwordVariable = url.passwordVariable
        advice = hint
    }

    /// No answer: the server is not there, or (`clickhouses://`) its certificate is not
    /// trusted or the handshake failed.
    init(unreachable url: ClickHouseURL, _ error: any Error, trusting path: String?) {
        guard url.secure, error is NIOSSLError || error is BoringSSLError else {
            self.init(code: 0, status: 0, message: "cannot reach ClickHouse at \(url): \(error)", url: url)
            return
        }
        let trusted = path.map { "the certificates in \(ClickHouseClient.trustVariable) (\($0))" } ?? "the system's certificates"
        self.init(
            code: 0, status: 0, message: "the TLS handshake with ClickHouse at \(url) failed, trusting \(trusted): \(error)", url: url,
            hint:
                "if a private CA signed the server's certificate, set \(ClickHouseClient.trustVariable) to its PEM file (the certificate must name the URL's host); if the port serves plain HTTP, write clickhouse://"
        )
    }

    package var message: String {
        if status == 0 && code == 0 { return detail }
        return "ClickHouse at \(store) answered: \(detail)"
    }

    package var hint: String? {
        if let advice { return advice }
        if isAccess { return "check the user in the URL and the password in the environment variable \(passwordVariable)" }
        if isMissingTable {
            return "create the tables with `folio collect --to <url> --create-tables` (or `folio traces import … --create-tables`), or name them with ?traces_table=…&logs_table=…"
        }
        if status == 0 && code == 0 { return "is ClickHouse running there? `curl http://host:port/ping` answers Ok. when it is" }
        return nil
    }

    package var exitCode: Int32 { 2 }

    /// Authentication failed (516) or the user may not do this (497).
    package var isAccess: Bool { code == 516 || code == 497 || status == 401 || status == 403 }
    /// The table or database is missing.
    package var isMissingTable: Bool { code == 60 || code == 81 }
}

/// The HTTP client every ClickHouse request goes through: `HTTPClient.shared`'s settings,
/// except that a connection that cannot be made fails at once (AsyncHTTPClient's default
/// retries it until the request's timeout, which held `folio collect`'s answer for as long
/// as ClickHouse was down, instead of a 503 the exporter retries), connecting has 10 s, and
/// up to 64 connections per server: a request waiting for a free connection fails after the
/// connect timeout, so with the default 8, a ninth concurrent query (`folio ui`'s pages,
/// `collect`'s batches) failed after 10 s while the server queued nothing. ClickHouse
/// queues queries itself (`max_concurrent_queries`), under the query's own timeout.
/// It lives as long as the process, as `HTTPClient.shared` does.
private let clickHouseHTTP: HTTPClient = {
    var configuration = HTTPClient.Configuration.singletonConfiguration
    configuration.connectionPool.retryConnectionEstablishment = false
    configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
    configuration.timeout.connect = .seconds(10)
    // No read timeout: ClickHouse sends nothing until a query's first block, and a report on
    // 10M spans computes for minutes; each request's own deadline (`timeout`) bounds it.
    configuration.timeout.read = nil
    return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
}()
