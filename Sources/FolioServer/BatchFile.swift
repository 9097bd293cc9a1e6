import FolioTelemetry
import Foundation
import NIOPosix

/// `folio collect --out <folder>`: the files it appends to, one per signal and encoding
/// (`spans-*.jsonl`, `spans-*.pb`, `logs-*.jsonl`, `logs-*.pb`), as the OTLP file exporter
/// writes them; a batch is stored once it is synced to disk.
package actor FileTraceSink: TraceSink {
    let folder: URL
    let rotateBytes: Int
    private var files: [String: BatchFile] = [:]

    package init(folder: URL, rotateBytes: Int) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        self.folder = folder
        self.rotateBytes = rotateBytes
    }

    package nonisolated func store(_ batch: TelemetryBatch) async throws {
        do {
            try await append(Self.record(batch.body, encoding: batch.encoding), signal: batch.signal, encoding: batch.encoding)
        } catch {
            throw TraceSinkUnavailable(reason: "the collector cannot write to its folder: \(error)", retryAfter: 5)
        }
    }

    /// The bytes a batch is stored as (made before the actor, so batches convert in parallel).
    nonisolated static func record(_ body: Data, encoding: TelemetryBatch.Encoding) -> Data {
        switch encoding {
        case .json:
            // Valid JSON holds no raw line breaks inside strings, so replacing them with
            // spaces keeps the document and makes it one JSON Lines line.
            var line = body
            line.withUnsafeMutableBytes { raw in
                guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
                for index in 0..<raw.count where base[index] == 0x0A || base[index] == 0x0D { base[index] = 0x20 }
            }
            line.append(0x0A)
            return line
        case .protobuf:
            // Varint-delimited, as the OTLP file exporter's protobuf format writes messages.
            return Data(TraceCollector.varint(UInt64(body.count))) + body
        }
    }

    func append(_ record: Data, signal: TelemetryBatch.Signal, encoding: TelemetryBatch.Encoding) async throws {
        let key = "\(signal.rawValue).\(encoding == .json ? "jsonl" : "pb")"
        let file: BatchFile
        if let known = files[key] {
            file = known
        } else {
            file = BatchFile(folder: folder, prefix: signal.rawValue, suffix: encoding == .json ? "jsonl" : "pb", rotateBytes: rotateBytes)
            files[key] = file
        }
        try await file.append(record)
    }

    package func close() async {
        for file in files.values { await file.close() }
    }
}

/// One growing file whose batches are acknowledged once they are on disk. Writes go to the
/// file as they come; one `fdatasync` then covers every batch written before it started
/// (group commit), so concurrent exporters share syncs instead of queueing one each.
actor BatchFile {
    let folder: URL
    let prefix: String
    let suffix: String
    let rotateBytes: Int
    private var descriptor: Int32 = -1
    private var size = 0
    private var sequence = 0
    /// Batches written, and batches known to be on disk.
    private var written: UInt64 = 0
    private var synced: UInt64 = 0
    private var syncing = false
    private var waiting: [(batch: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var failure: (any Error)?
    /// Descriptors of rotated files, closed once the sync running on them ends.
    private var retired: [Int32] = []

    init(folder: URL, prefix: String, suffix: String, rotateBytes: Int) {
        self.folder = folder
        self.prefix = prefix
        self.suffix = suffix
        self.rotateBytes = rotateBytes
    }

    struct WriteError: Error, CustomStringConvertible {
        let description: String
    }

    /// Returns once `record` is written and synced.
    func append(_ record: Data) async throws {
        if let failure { throw failure }
        if descriptor < 0 || (size > 0 && size + record.count > rotateBytes) { try rotate() }
        try record.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let count = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { throw WriteError(description: "cannot write to \(prefix) file: \(String(cString: strerror(errno)))") }
                offset += count
            }
        }
        size += record.count
        written += 1
        let batch = written
        try await withCheckedThrowingContinuation { continuation in
            waiting.append((batch, continuation))
            if !syncing { startSync() }
        }
    }

    private func startSync() {
        syncing = true
        let target = written
        let descriptor = self.descriptor
        NIOThreadPool.singleton.submit { _ in
            let result = fdatasync(descriptor)
            let error = result == 0 ? nil : WriteError(description: "cannot sync the \(self.prefix) file: \(String(cString: strerror(errno)))")
            Task { await self.finished(target, error: error) }
        }
    }

    private func finished(_ target: UInt64, error: (any Error)?) {
        syncing = false
        for old in retired { Foundation.close(old) }
        retired = []
        if let error { failure = error }
        synced = max(synced, target)
        var still: [(batch: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        for waiter in waiting {
            if let error {
                waiter.continuation.resume(throwing: error)
            } else if waiter.batch <= synced {
                waiter.continuation.resume()
            } else {
                still.append(waiter)
            }
        }
        waiting = still
        if !waiting.isEmpty, failure == nil { startSync() }
    }

    /// Syncs and closes the current file (answering everyone waiting on it) and opens the next.
    private func rotate() throws {
        if descriptor >= 0 {
            let ok = fdatasync(descriptor) == 0
            // A sync in flight on this descriptor must not find it closed (or reused).
            if syncing { retired.append(descriptor) } else { Foundation.close(descriptor) }
            synced = written
            for waiter in waiting {
                if ok { waiter.continuation.resume() } else { waiter.continuation.resume(throwing: WriteError(description: "cannot sync the \(prefix) file")) }
            }
            waiting = []
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss"
        while true {
            sequence += 1
            let path = folder.appendingPathComponent("\(prefix)-\(formatter.string(from: Date()))-\(sequence).\(suffix)").path
            let opened = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
            if opened >= 0 {
                descriptor = opened
                size = 0
                return
            }
            guard errno == EEXIST else { throw WriteError(description: "cannot create \(path): \(String(cString: strerror(errno)))") }
        }
    }

    func close() {
        guard descriptor >= 0 else { return }
        _ = fdatasync(descriptor)
        Foundation.close(descriptor)
        descriptor = -1
    }
}
