import FolioTelemetry
import Foundation

/// `folio collect --to clickhouse://…`: stores what the collector receives in the
/// Collector's two tables, in the exporter's row format, so a team without a Collector gets
/// the same store. Batches that arrive while an insert runs are grouped into the next one
/// (one INSERT per table at a time); each is acknowledged only once ClickHouse has
/// acknowledged the INSERT that carried it. When ClickHouse cannot take them, the senders
/// are told to retry (503 with Retry-After, gRPC UNAVAILABLE): nothing acknowledged is lost.
package actor ClickHouseWriter: TraceSink {
    package let client: ClickHouseClient
    private var spans = Queue()
    private var logs = Queue()
    /// Who waits in `close` for the inserts under way to end.
    private var closing: [CheckedContinuation<Void, Never>] = []

    /// Rows waiting for an INSERT, and who waits for them.
    struct Queue {
        var rows = Data()
        var waiting: [CheckedContinuation<Void, any Error>] = []
        var inserting = false
    }

    package init(client: ClickHouseClient) {
        self.client = client
    }

    /// Creates the database and both tables with the exporter's DDL (a no-op for tables
    /// that exist), with a TTL in days when given.
    package static func createTables(_ client: ClickHouseClient, ttlDays: Int?) async throws {
        let url = client.url
        try await client.execute("CREATE DATABASE IF NOT EXISTS `\(url.database)`", inDatabase: false)
        try await client.execute(ClickHouseSchema.tracesTable(database: url.database, table: url.tracesTable, ttlDays: ttlDays))
        try await client.execute(ClickHouseSchema.logsTable(database: url.database, table: url.logsTable, ttlDays: ttlDays))
    }

    package nonisolated func store(_ batch: TelemetryBatch) async throws {
        // Rows are made before the actor, so batches convert in parallel.
        var rows = ""
        for item in batch.items {
            switch item {
            case .span(let span): rows += ClickHouseRows.line(span)
            case .log(let record): rows += ClickHouseRows.line(record)
            }
        }
        guard !rows.isEmpty else { return }
        try await enqueue(Data(rows.utf8), logs: batch.signal == .logs)
    }

    private func enqueue(_ rows: Data, logs isLogs: Bool) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            if isLogs {
                logs.rows.append(rows)
                logs.waiting.append(continuation)
            } else {
                spans.rows.append(rows)
                spans.waiting.append(continuation)
            }
            startInsert(logs: isLogs)
        }
    }

    private func startInsert(logs isLogs: Bool) {
        var queue = isLogs ? logs : spans
        guard !queue.inserting, !queue.waiting.isEmpty else { return }
        let rows = queue.rows
        let waiting = queue.waiting
        queue = Queue(rows: Data(), waiting: [], inserting: true)
        if isLogs { logs = queue } else { spans = queue }
        let client = self.client
        Task {
            var failure: (any Error)?
            do {
                let url = client.url
                try await client.insert(
                    into: isLogs ? url.logsTable : url.tracesTable, columns: isLogs ? ClickHouseSchema.logsColumns : ClickHouseSchema.tracesColumns, rows: rows)
            } catch {
                failure = TraceSinkUnavailable(reason: "ClickHouse did not take the batch: \((error as? ClickHouseError)?.message ?? "\(error)")", retryAfter: 5)
            }
            self.finished(logs: isLogs, waiting: waiting, failure: failure)
        }
    }

    private func finished(logs isLogs: Bool, waiting: [CheckedContinuation<Void, any Error>], failure: (any Error)?) {
        for waiter in waiting {
            if let failure { waiter.resume(throwing: failure) } else { waiter.resume() }
        }
        if isLogs { logs.inserting = false } else { spans.inserting = false }
        startInsert(logs: isLogs)
        if idle {
            for waiter in closing { waiter.resume() }
            closing = []
        }
    }

    private var idle: Bool { !spans.inserting && !logs.inserting && spans.waiting.isEmpty && logs.waiting.isEmpty }

    package func close() async {
        guard !idle else { return }
        await withCheckedContinuation { closing.append($0) }
    }
}

extension ClickHouseWriter {
    /// Trace files (what `folio collect --out` wrote, the Collector's file exporter output)
    /// into the tables, file by file: `folio traces import`, and how the tests load fixtures
    /// in the exporter's row format. Returns what was read.
    package static func load(
        _ paths: [String], into client: ClickHouseClient, maxLineBytes: Int = TraceReader.defaultMaxLineBytes
    ) async throws
        -> TraceReader.Summary
    {
        let writer = ClickHouseWriter(client: client)
        let reader = TraceReader(maxLineBytes: maxLineBytes)
        var total = TraceReader.Summary()
        for file in try TraceReader.files(paths) {
            var spans: [TelemetryItem] = []
            var logs: [TelemetryItem] = []
            let summary = try reader.read([file]) { item in
                if case .span = item { spans.append(item) } else { logs.append(item) }
            }
            try await writer.store(TelemetryBatch(signal: .traces, encoding: .json, items: spans, body: Data(), rejected: 0))
            try await writer.store(TelemetryBatch(signal: .logs, encoding: .json, items: logs, body: Data(), rejected: 0))
            total.files += summary.files
            total.spans += summary.spans
            total.logs += summary.logs
            total.problems += summary.problems
        }
        await writer.close()
        return total
    }
}
