import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// HTTP GETs with bounded attempts, conditional requests and a size cap. Each attempt has a
/// deadline that covers the body as well as the head (AsyncHTTPClient's own deadline ends
/// once the head arrives, so a server sending one byte a second would hold a load for as
/// long as it likes), and the attempts of one load share one budget (`loadTimeout`).
struct ManifestFetcher: Sendable {
    enum Outcome: Sendable {
        case fresh(Data, etag: String?)
        case notModified
    }

    /// One attempt, from connecting to the last byte.
    let timeout: Duration
    let attempts: Int
    /// Every attempt of one load (manifest and signature) together.
    var loadTimeout: Duration = .seconds(5)
    /// The largest body accepted, enforced while it arrives and at once from a larger
    /// `Content-Length`.
    var maximumBytes = ManifestFetcher.defaultMaximumBytes
    static let defaultMaximumBytes = 32 * 1024 * 1024

    /// The point a load started now must end by.
    func loadDeadline() -> ContinuousClock.Instant { .now + loadTimeout }

    func get(_ url: URL, etag: String? = nil, until deadline: ContinuousClock.Instant? = nil) async throws -> Outcome {
        let deadline = deadline ?? loadDeadline()
        var lastError: Error?
        for attempt in 0..<attempts {
            if attempt > 0 {
                let pause = Duration.milliseconds(100 << min(attempt, 5))
                guard ContinuousClock.now + pause < deadline else { break }
                try await Task.sleep(for: pause)
            }
            let remaining = deadline - .now
            guard remaining > .zero else { break }
            do {
                return try await Self.within(min(timeout, remaining), url: url) { try await once(url, etag: etag) }
            } catch let error as FetchError where error.status == 404 {
                throw error
            } catch {
                lastError = error
            }
        }
        throw lastError ?? FetchError(status: 0, url: url, reason: "no answer within the \(loadTimeout) load budget")
    }

    private func once(_ url: URL, etag: String?) async throws -> Outcome {
        var request = HTTPClientRequest(url: url.absoluteString)
        if let etag { request.headers.add(name: "If-None-Match", value: etag) }
        let response = try await fetchClient.execute(request, timeout: .hours(1))  // bounded by `within`
        switch response.status.code {
        case 304:
            return .notModified
        case 200:
            do {
                let body = try await response.body.collect(upTo: maximumBytes)
                return .fresh(Data(body.readableBytesView), etag: response.headers.first(name: "ETag"))
            } catch is NIOTooManyBytesError {
                throw FetchError(status: 0, url: url, reason: "the body is more than the \(maximumBytes) bytes allowed (maxManifestBytes)")
            }
        default:
            throw FetchError(status: Int(response.status.code), url: url)
        }
    }

    /// `work`, cancelled (and answered with a timeout) once `limit` has passed.
    static func within<T: Sendable>(_ limit: Duration, url: URL, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw FetchError(status: 0, url: url, reason: "no whole answer within requestTimeout (\(limit))")
            }
            return value
        }
    }
}

/// The one HTTP client every FolioClient fetches with: `HTTPClient.shared`'s settings, except
/// that a connection that cannot be made fails the request at once. AsyncHTTPClient's
/// default retries it until the request's timeout, so an app that started while its manifest
/// host was down waited `attempts × requestTimeout` before using its disk copy (60 s with two
/// attempts of 30 s); the fetcher retries with its own backoff instead. It lives as long as
/// the process, as `HTTPClient.shared` does, so it is never shut down.
private let fetchClient: HTTPClient = {
    var configuration = HTTPClient.Configuration.singletonConfiguration
    configuration.connectionPool.retryConnectionEstablishment = false
    return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
}()

struct FetchError: Error, CustomStringConvertible {
    let status: Int
    let url: URL
    var reason = ""

    var description: String {
        if status != 0 { return "\(url) answered HTTP \(status)" }
        return reason.isEmpty ? "cannot reach \(url)" : "cannot get \(url): \(reason)"
    }
}
