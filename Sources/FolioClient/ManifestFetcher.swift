import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// HTTP GETs with a timeout, bounded retries and conditional requests.
struct ManifestFetcher: Sendable {
    enum Outcome: Sendable {
        case fresh(Data, etag: String?)
        case notModified
    }

    let timeout: TimeAmount
    let attempts: Int
    static let maximumBytes = 32 * 1024 * 1024

    func get(_ url: URL, etag: String? = nil) async throws -> Outcome {
        var lastError: Error?
        for attempt in 0..<attempts {
            if attempt > 0 { try await Task.sleep(for: .milliseconds(100 << min(attempt, 5))) }
            do {
                var request = HTTPClientRequest(url: url.absoluteString)
                if let etag { request.headers.add(name: "If-None-Match", value: etag) }
                let response = try await fetchClient.execute(request, timeout: timeout)
                switch response.status.code {
                case 304:
                    return .notModified
                case 200:
                    let body = try await response.body.collect(upTo: Self.maximumBytes)
                    return .fresh(Data(body.readableBytesView), etag: response.headers.first(name: "ETag"))
                case 404:
                    throw FetchError(status: 404, url: url)
                default:
                    lastError = FetchError(status: Int(response.status.code), url: url)
                }
            } catch let error as FetchError where error.status == 404 {
                throw error
            } catch {
                lastError = error
            }
        }
        throw lastError ?? FetchError(status: 0, url: url)
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

    var description: String { status == 0 ? "cannot reach \(url)" : "\(url) answered HTTP \(status)" }
}
