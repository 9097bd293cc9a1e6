import FolioModel
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOHTTP1

/// One JSON POST with a deadline, mapping HTTP statuses to `ProviderError` kinds.
struct HTTPTransport: Sendable {
    let provider: String
    let timeout: Double
    /// Values that must never appear in an error message (the API key).
    let secrets: [String]
    static let maximumBytes = 16 * 1024 * 1024

    /// One client for every provider. AsyncHTTPClient's shared client keeps at most 8
    /// connections per host, which would cap a provider's `concurrency:` at 8; this one
    /// allows what folio.yaml asks for (the limiter does the capping).
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        // AsyncHTTPClient would retry a failed connect until the request's deadline (a
        // refused connection took the whole `timeout:`); the provider's own retries decide.
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    func post(_ url: String, json body: Data, headers: [(String, String)]) async throws -> (data: Data, latency: Double) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let clock = ContinuousClock()
        let start = clock.now
        let response: HTTPClientResponse
        let data: Data
        do {
            response = try await Self.client.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            data = Data(try await response.body.collect(upTo: Self.maximumBytes).readableBytesView)
        } catch let error as HTTPClientError where [.deadlineExceeded, .readTimeout, .connectTimeout].contains(error) {
            throw ProviderError(
                .timeout, provider: provider, "provider '\(provider)' did not answer within \(Self.seconds(timeout)) (\(url))", hint: "raise `timeout:` for this provider in folio.yaml")
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if let reason = Self.unreachable(error) {
                throw ProviderError(
                    .unreachable, provider: provider, "cannot reach provider '\(provider)' at \(Self.address(url)): \(reason) (\(url))",
                    hint: "check `base_url` in folio.yaml and that the server is up")
            }
            throw ProviderError(
                .transport, provider: provider, "cannot reach provider '\(provider)' at \(url): \(redacted(String(describing: error)))",
                hint: "check `base_url` in folio.yaml and that the server is up")
        }
        let latency = (clock.now - start).inSeconds
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            throw failure(status: status, body: data, retryAfter: response.headers.first(name: "Retry-After"), url: url)
        }
        return (data, latency)
    }

    /// Why nothing can be reached at the address (refused, no route, unknown host), or nil
    /// for failures that may pass.
    static func unreachable(_ error: Error) -> String? {
        var errors: [Error] = [error]
        if let connection = error as? NIOConnectionError {
            errors += connection.connectionErrors.map { $0.error }
            if let dns = connection.dnsAError ?? connection.dnsAAAAError { errors.append(dns) }
        }
        for error in errors {
            if let io = error as? IOError {
                switch io.errnoCode {
                case ECONNREFUSED: return "the connection was refused (nothing listens there)"
                case EHOSTUNREACH, ENETUNREACH: return "there is no route to the host"
                default: continue
                }
            }
            if case .unknown? = error as? SocketAddressError { return "the host name does not resolve" }
        }
        // NIO's resolver failure (EAI_NONAME) reaches here inside AsyncHTTPClient's own type.
        if String(describing: error).contains("SocketAddressError.UnknownHost") { return "the host name does not resolve" }
        return nil
    }

    /// `host:port` of a URL, for messages.
    static func address(_ url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host else { return url }
        let port = components.port ?? (components.scheme == "https" ? 443 : 80)
        return "\(host):\(port)"
    }

    private func failure(status: Int, body: Data, retryAfter: String?, url: String) -> ProviderError {
        // Redacted whole, then cut: a key that straddles the cut must not survive in part.
        let snippet = Redaction.truncated(redacted(String(decoding: body, as: UTF8.self)), limit: 300).replacingOccurrences(of: "\n", with: " ")
        let what = "provider '\(provider)' answered HTTP \(status) (\(url))" + (snippet.isEmpty ? "" : ": \(snippet)")
        let wait = RetryAfter.seconds(retryAfter)
        switch status {
        case 429: return ProviderError(.rateLimited, provider: provider, status: status, retryAfter: wait, what)
        case 503, 529: return ProviderError(.overloaded, provider: provider, status: status, retryAfter: wait, what)
        case 500...599: return ProviderError(.server, provider: provider, status: status, retryAfter: wait, what)
        case 401, 403: return ProviderError(.client, provider: provider, status: status, what, hint: "check the API key in the environment variable folio.yaml names (`api_key_env:`)")
        default: return ProviderError(.client, provider: provider, status: status, what)
        }
    }

    func redacted(_ text: String) -> String { Redaction.redact(text, secrets: secrets) }

    func malformed(_ url: String, _ detail: String, body: Data) -> ProviderError {
        let snippet = Redaction.truncated(redacted(String(decoding: body, as: UTF8.self)), limit: 200)
        return ProviderError(.malformed, provider: provider, "provider '\(provider)' sent an answer that is not a chat completion (\(url)): \(detail); it began: \(snippet)")
    }

    static func withoutTrailingSlash(_ url: String) -> String {
        url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }
}

/// Provider requests and answers, as `JSONValue`.
enum JSONBody {
    /// The answer when it is a JSON object.
    static func object(_ data: Data) -> JSONValue? {
        guard let value = JSONValue.decode(data), case .object = value else { return nil }
        return value
    }

    /// The messages as chat APIs take them.
    static func messages(_ messages: [LLMMessage]) -> JSONValue {
        .array(messages.map { .object(["role": .string($0.role), "content": .string($0.content)]) })
    }
}
