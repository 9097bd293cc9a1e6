import FolioModel
import Foundation

/// Exponential backoff with full jitter, honouring `Retry-After`.
package struct RetryPolicy: Sendable {
    package var maxAttempts: Int
    package var baseDelay: Double
    package var maxDelay: Double

    package init(maxAttempts: Int = 5, baseDelay: Double = 0.5, maxDelay: Double = 30) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Seconds to wait before attempt `attempt + 1` (attempt counts from 1).
    package func delay(after attempt: Int, retryAfter: Double?) -> Double {
        if let retryAfter { return min(retryAfter, maxDelay) }
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(attempt - 1)))
        return ceiling / 2 + Double.random(in: 0...(ceiling / 2))
    }
}

/// How many requests a provider may have in flight: `maximum` at first, halved after a
/// 429 (never below 1) and restored by one after every `maximum` successes in a row.
package actor ConcurrencyLimiter {
    package let maximum: Int
    package private(set) var limit: Int
    package private(set) var inFlight = 0
    /// The most requests ever in flight at once (tests assert the cap with it).
    package private(set) var peak = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var successes = 0

    package enum Outcome: Sendable { case success, rateLimited, failure }

    package init(maximum: Int) {
        self.maximum = max(1, maximum)
        limit = self.maximum
    }

    package func acquire() async {
        if inFlight < limit, waiters.isEmpty {
            take()
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    package func release(_ outcome: Outcome) {
        inFlight -= 1
        switch outcome {
        case .rateLimited:
            limit = max(1, limit / 2)
            successes = 0
        case .success where limit < maximum:
            successes += 1
            if successes >= maximum {
                limit += 1
                successes = 0
            }
        default:
            break
        }
        while inFlight < limit, !waiters.isEmpty {
            take()
            waiters.removeFirst().resume()
        }
    }

    private func take() {
        inFlight += 1
        peak = max(peak, inFlight)
    }
}

/// A provider behind a concurrency cap with retries: what the evaluation runner calls.
/// `attempts` in the answer tells how many tries it took.
package struct ResilientProvider: Sendable {
    package let base: any ChatProvider
    package let limiter: ConcurrencyLimiter
    package let policy: RetryPolicy

    package init(_ base: any ChatProvider, concurrency: Int, policy: RetryPolicy = RetryPolicy()) {
        self.base = base
        limiter = ConcurrencyLimiter(maximum: concurrency)
        self.policy = policy
    }

    package var name: String { base.name }

    /// `beforeSend` runs inside the concurrency slot before every attempt; throwing from it
    /// (a spent budget) stops without sending.
    package func complete(_ request: ChatRequest, sample: Int, beforeSend: () async throws -> Void = {}) async throws -> (response: ChatResponse, attempts: Int) {
        let (response, attempts) = try await withRetries {
            try await beforeSend()
            return try await base.complete(request, sample: sample)
        }
        return (response, attempts)
    }

    package func embed(_ texts: [String], model: String) async throws -> [[Double]] {
        try await withRetries { try await base.embed(texts, model: model) }.result
    }

    /// Runs `call` inside the concurrency cap, retrying what is worth retrying; the pause
    /// between attempts is spent outside the cap.
    private func withRetries<Result: Sendable>(_ call: () async throws -> Result) async throws -> (result: Result, attempts: Int) {
        var attempt = 0
        while true {
            attempt += 1
            try Task.checkCancellation()
            await limiter.acquire()
            do {
                let result = try await call()
                await limiter.release(.success)
                return (result, attempt)
            } catch let error as ProviderError {
                await limiter.release(error.kind == .rateLimited ? .rateLimited : .failure)
                guard error.isRetryable, attempt < policy.maxAttempts else { throw error }
                try await Task.sleep(for: .seconds(policy.delay(after: attempt, retryAfter: error.retryAfter)))
            } catch {
                await limiter.release(.failure)
                throw error
            }
        }
    }
}
