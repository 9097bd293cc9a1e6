import Foundation

/// Where `folio collect` stores what it receives: files (as the OTLP file exporter writes
/// them) or the Collector's tables in ClickHouse. A batch is acknowledged to its sender only
/// once `store` returns.
package protocol TraceSink: Sendable {
    /// Stores one export; returns once it is durable (synced to disk, or acknowledged by
    /// the store). Throws `TraceSinkUnavailable` when the store cannot take it now: the
    /// sender is told to retry, and nothing it was told is stored is lost.
    func store(_ batch: TelemetryBatch) async throws

    /// Finishes what is under way.
    func close() async
}

/// One export request, decoded with the reader's decoder and limits.
package struct TelemetryBatch: Sendable {
    package enum Signal: String, Sendable {
        case traces = "spans", logs
    }

    package enum Encoding: Sendable {
        case protobuf, json
    }

    package let signal: Signal
    package let encoding: Encoding
    /// The spans or log records, as every reader reads them.
    package let items: [TelemetryItem]
    /// The body as a file keeps it: as received, less any span refused for its ids.
    package let body: Data
    /// Spans refused for a missing or malformed trace or span id (not stored).
    package let rejected: Int

    package init(signal: Signal, encoding: Encoding, items: [TelemetryItem], body: Data, rejected: Int) {
        self.signal = signal
        self.encoding = encoding
        self.items = items
        self.body = body
        self.rejected = rejected
    }
}

/// The store cannot take a batch now; the sender should retry after `retryAfter` seconds.
package struct TraceSinkUnavailable: Error, CustomStringConvertible, Sendable {
    package let reason: String
    package let retryAfter: Int

    package init(reason: String, retryAfter: Int) {
        self.reason = reason
        self.retryAfter = retryAfter
    }

    package var description: String { reason }
}
