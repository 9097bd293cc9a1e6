import Foundation

/// Why a provider call failed. Descriptions never contain an API key: every message
/// built from a server's answer goes through `Redaction`.
package struct ProviderError: Error, Sendable, CustomStringConvertible {
    package enum Kind: String, Sendable {
        /// 429.
        case rateLimited
        /// Anthropic's 529 and 503.
        case overloaded
        /// Other 5xx.
        case server
        /// 4xx other than 429: the request is wrong and will stay wrong.
        case client
        case timeout
        /// The connection broke, or could not be made for a reason that may pass.
        case transport
        /// Nothing listens at the address, or there is no route to it: not worth a retry.
        case unreachable
        /// The answer is not the JSON the protocol promises.
        case malformed
        case unsupported
        /// A replay provider has no recording for the request.
        case missingRecording
        case configuration
    }

    package let kind: Kind
    package let provider: String
    package let status: Int?
    /// Seconds the server asked to wait (`Retry-After`).
    package let retryAfter: Double?
    package let message: String
    package let hint: String?

    package init(_ kind: Kind, provider: String, status: Int? = nil, retryAfter: Double? = nil, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.provider = provider
        self.status = status
        self.retryAfter = retryAfter
        self.message = message
        self.hint = hint
    }

    /// Worth another attempt after a pause: rate limits, overload, server errors, timeouts
    /// and broken connections. A 4xx or a malformed answer will not get better.
    package var isRetryable: Bool {
        [.rateLimited, .overloaded, .server, .timeout, .transport].contains(kind)
    }

    package var description: String {
        message + (hint.map { "\n  hint: \($0)" } ?? "")
    }
}

/// Removes secrets from text that may reach output, logs, reports or cache files.
package enum Redaction {
    /// A prefix of a secret at least this long is redacted too: a key cut short (by a
    /// server's message, or by truncation) still gives most of itself away.
    package static let minimumPrefix = 9

    /// `text` with every secret, and every run of 9 or more characters that begins a
    /// secret, replaced by `[redacted]`. Redact before cutting text short.
    package static func redact(_ text: String, secrets: [String]) -> String {
        var result = text
        for secret in secrets where secret.count >= 4 {
            result = result.replacingOccurrences(of: secret, with: "[redacted]")
            guard secret.utf8.count >= minimumPrefix else { continue }
            result = redactPrefixes(of: Array(secret.utf8), in: result)
        }
        return result
    }

    /// Replaces each place where at least `minimumPrefix` bytes of the secret's beginning
    /// appear, as far as they go on matching.
    static func redactPrefixes(of secret: [UInt8], in text: String) -> String {
        let bytes = Array(text.utf8)
        let head = secret[0..<minimumPrefix]
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        var changed = false
        while index < bytes.count {
            if bytes[index] == head.first, index + minimumPrefix <= bytes.count, bytes[index..<(index + minimumPrefix)].elementsEqual(head) {
                var end = index + minimumPrefix
                while end < bytes.count, end - index < secret.count, bytes[end] == secret[end - index] { end += 1 }
                output += Array("[redacted]".utf8)
                index = end
                changed = true
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return changed ? String(decoding: output, as: UTF8.self) : text
    }

    /// At most `limit` bytes of the text (cut at a character boundary), marked when cut.
    package static func truncated(_ text: String, limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var bytes = Array(text.utf8.prefix(limit))
        while let last = bytes.last, last & 0xC0 == 0x80 { bytes.removeLast() }  // a character's continuation bytes
        if let last = bytes.last, last >= 0xC0 { bytes.removeLast() }  // and its first byte
        return String(decoding: bytes, as: UTF8.self) + "…"
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
