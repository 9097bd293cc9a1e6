import Foundation

/// Why a provider call failed. Descriptions never contain an API key: every message
/// built from a server's answer goes through `Redaction`.
public struct ProviderError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// 429.
        case rateLimited
        /// Anthropic's 529 and 503.
        case overloaded
        /// Other 5xx.
        case server
        /// 4xx other than 429: the request is wrong and will stay wrong.
        case client
        case timeout
        /// Could not connect or the connection broke.
        case transport
        /// The answer is not the JSON the protocol promises.
        case malformed
        case unsupported
        /// A replay provider has no recording for the request.
        case missingRecording
        case configuration
    }

    public let kind: Kind
    public let provider: String
    public let status: Int?
    /// Seconds the server asked to wait (`Retry-After`).
    public let retryAfter: Double?
    public let message: String
    public let hint: String?

    public init(_ kind: Kind, provider: String, status: Int? = nil, retryAfter: Double? = nil, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.provider = provider
        self.status = status
        self.retryAfter = retryAfter
        self.message = message
        self.hint = hint
    }

    /// Worth another attempt after a pause: rate limits, overload, server errors, timeouts
    /// and broken connections. A 4xx or a malformed answer will not get better.
    public var isRetryable: Bool {
        [.rateLimited, .overloaded, .server, .timeout, .transport].contains(kind)
    }

    public var description: String {
        message + (hint.map { "\n  hint: \($0)" } ?? "")
    }
}

/// Removes secrets from text that may reach output, logs, reports or cache files.
public enum Redaction {
    public static func redact(_ text: String, secrets: [String]) -> String {
        var result = text
        for secret in secrets where secret.count >= 4 {
            result = result.replacingOccurrences(of: secret, with: "[redacted]")
        }
        return result
    }
}

/// Parses `Retry-After`: delay seconds or an HTTP date.
enum RetryAfter {
    static func seconds(_ value: String?, now: Date = Date()) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value).map { max(0, $0.timeIntervalSince(now)) }
    }
}
