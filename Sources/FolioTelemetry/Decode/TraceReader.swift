import Foundation
import SwiftProtobuf

/// Reads OTLP trace and log files: JSON Lines as the Collector's file exporter writes them,
/// single OTLP/HTTP bodies, pretty-printed files, and protobuf in the file exporter's
/// format, any of them gzip-compressed; several files or folders at once. A malformed line
/// or record is reported with its file and line (or record) number and skipped.
package struct TraceReader {
    /// A line or file that could not be read.
    package struct Problem: Sendable, Equatable, CustomStringConvertible {
        package let file: String
        package let line: Int
        package let reason: String

        package var description: String { "\(file):\(line): \(reason)" }
    }

    package struct Summary: Sendable {
        package var files = 0
        package var spans = 0
        package var logs = 0
        package var problems: [Problem] = []

        package init() {}
    }

    /// Lines longer than this are skipped with a warning naming the file and line.
    package var maxLineBytes: Int
    /// 64 MiB: a line is a batch of spans, and collectors write batches of a few megabytes.
    package static let defaultMaxLineBytes = 64 << 20

    package init(maxLineBytes: Int = TraceReader.defaultMaxLineBytes) {
        self.maxLineBytes = maxLineBytes
    }

    /// The trace files under the given paths (folders are searched for .json, .jsonl,
    /// .ndjson, .pb, .binpb and .gz).
    package static func files(_ paths: [String]) throws -> [String] {
        var result: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw TraceReadError(message: "'\(path)' does not exist")
            }
            if isFolder.boolValue {
                let names = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? [])
                    .filter { [".json", ".jsonl", ".ndjson", ".pb", ".binpb", ".gz"].contains(where: $0.hasSuffix) }.sorted()
                result += names.map { (path as NSString).appendingPathComponent($0) }
            } else {
                result.append(path)
            }
        }
        return result
    }

    /// A first line that opens a pretty-printed document (`{` or `{"resourceSpans": [` alone).
    static func startsDocument(_ line: Data.SubSequence) -> Bool {
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        return text == "{" || text == "[" || (text.hasPrefix("{") && !text.hasSuffix("}"))
    }

    /// Calls `body` with every span, file by file, in order; returns what was read and skipped.
    @discardableResult
    package func read(_ paths: [String], _ body: (Span) throws -> Void) throws -> Summary {
        try read(
            paths,
            items: { item in
                if case .span(let span) = item { try body(span) }
            })
    }

    /// Calls `body` with every span and log record, file by file, in order: OTLP JSON (JSON
    /// Lines, one body, or a pretty-printed document) or, in files named `.pb` or `.binpb`,
    /// OTLP protobuf in the file exporter's format (varint-delimited `TracesData` or
    /// `LogsData`; a file whose name holds `logs` is read as logs), any of them gzip-compressed.
    @discardableResult
    package func read(_ paths: [String], items body: (TelemetryItem) throws -> Void) throws -> Summary {
        var summary = Summary()
        for file in try Self.files(paths) {
            summary.files += 1
            let source = try LineSource(path: file, maxLineBytes: maxLineBytes)
            func deliver(_ items: [TelemetryItem], line: Int, summary: inout Summary) throws {
                for item in items {
                    switch item {
                    case .span(let span):
                        summary.spans += 1
                        if let problem = span.timeProblem { summary.problems.append(Problem(file: file, line: line, reason: problem)) }
                    case .log:
                        summary.logs += 1
                    }
                    try body(item)
                }
            }
            if Self.isProtobuf(file) {
                try readProtobuf(source, file: file, summary: &summary, deliver: deliver)
            } else {
                try readJSON(source, file: file, summary: &summary, deliver: deliver)
            }
        }
        return summary
    }

    static func rejectedReason(_ count: Int) -> String {
        "\(count) span(s) with a missing or malformed trace or span id were skipped"
    }

    /// Protobuf files are named `.pb` or `.binpb` (then maybe `.gz`): their bytes cannot
    /// be told from JSON for certain (a 123-byte record starts with `{`).
    static func isProtobuf(_ file: String) -> Bool {
        let name = file.hasSuffix(".gz") ? String(file.dropLast(3)) : file
        return name.hasSuffix(".pb") || name.hasSuffix(".binpb")
    }

    /// Set by `Benchmarks/report.sh` to measure `JSONNode` against Foundation's parser.
    private static let foundationJSON = ProcessInfo.processInfo.environment["FOLIO_TRACE_JSON"] == "foundation"

    /// JSON: the first line decides between JSON Lines and one pretty-printed document; the
    /// lines after it are parsed on a thread of their own, a batch ahead of the spans handed
    /// to `deliver` here, in order (`ParsedLines`).
    private func readJSON(_ source: LineSource, file: String, summary: inout Summary, deliver: ([TelemetryItem], Int, inout Summary) throws -> Void) throws {
        func reportOversized(_ numbers: [Int], _ summary: inout Summary) {
            for number in numbers {
                summary.problems.append(Problem(file: file, line: number, reason: "the line is longer than \(maxLineBytes >> 20) MiB and was skipped (raise --max-line-mb to read it)"))
            }
        }
        func take(_ parsed: ParsedLine, _ summary: inout Summary) throws {
            reportOversized(parsed.oversizedBefore, &summary)
            switch parsed.outcome {
            case .blank: break
            case .items(let items, let rejected):
                if rejected > 0 { summary.problems.append(Problem(file: file, line: parsed.number, reason: Self.rejectedReason(rejected))) }
                try deliver(items, parsed.number, &summary)
            case .skipped(let reason):
                summary.problems.append(Problem(file: file, line: parsed.number, reason: reason))
            case .invalidJSON:
                summary.problems.append(Problem(file: file, line: parsed.number, reason: "not valid JSON; the line was skipped"))
            }
        }
        // Up to the first line with anything on it, here.
        while let line = try source.nextLine() {
            let oversized = source.oversizedLines
            source.oversizedLines.removeAll()
            let parsed = try Self.parse(line, number: source.lineNumber, file: file, oversizedBefore: oversized)
            guard case .invalidJSON = parsed.outcome, Self.startsDocument(line.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0d }) else {
                try take(parsed, &summary)
                if case .blank = parsed.outcome { continue }
                break
            }
            // Not one object per line: a pretty-printed document, read whole.
            reportOversized(parsed.oversizedBefore, &summary)
            let whole = line + Data("\n".utf8) + (try source.rest())
            do {
                let object = try JSONNode.parse(whole)
                let (items, rejected) = try OTLPJSON.items(in: object, origin: Origin(file: file, line: 1))
                if rejected > 0 { summary.problems.append(Problem(file: file, line: 1, reason: Self.rejectedReason(rejected))) }
                try deliver(items, 1, &summary)
            } catch let failure as OTLPJSON.Failure {
                summary.problems.append(Problem(file: file, line: 1, reason: failure.reason))
            } catch is JSONNode.SyntaxError {
                summary.problems.append(Problem(file: file, line: 1, reason: "not valid JSON (neither JSON Lines nor one document)"))
            }
            reportOversized(source.oversizedLines, &summary)
            return
        }
        // The rest, parsed a batch ahead on the reading thread.
        let lines = ParsedLines(source: source, file: file)
        defer { lines.stop() }
        while let batch = try lines.next() {
            for parsed in batch { try take(parsed, &summary) }
        }
    }

    /// One line of JSON Lines, parsed: its items, or why it was skipped; with the oversized
    /// lines skipped just before it, so that problems keep the file's order.
    struct ParsedLine: Sendable {
        enum Outcome: Sendable {
            case blank
            case items([TelemetryItem], rejected: Int)
            /// Not OTLP: why.
            case skipped(String)
            case invalidJSON
        }
        let number: Int
        let oversizedBefore: [Int]
        let outcome: Outcome
    }

    static func parse(_ line: Data, number: Int, file: String, oversizedBefore: [Int]) throws -> ParsedLine {
        let trimmed = line.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0d }
        guard !trimmed.isEmpty, !trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0d }) else {
            return ParsedLine(number: number, oversizedBefore: oversizedBefore, outcome: .blank)
        }
        let outcome: ParsedLine.Outcome
        do {
            let object = try foundationJSON ? JSONNode.parseWithFoundation(line) : JSONNode.parse(line)
            let (items, rejected) = try OTLPJSON.items(in: object, origin: Origin(file: file, line: number))
            outcome = .items(items, rejected: rejected)
        } catch let failure as OTLPJSON.Failure {
            outcome = .skipped(failure.reason)
        } catch is JSONNode.SyntaxError {
            outcome = .invalidJSON
        }
        return ParsedLine(number: number, oversizedBefore: oversizedBefore, outcome: outcome)
    }

    /// Length-delimited records; `line` in a problem is the record's number.
    private func readProtobuf(_ source: LineSource, file: String, summary: inout Summary, deliver: ([TelemetryItem], Int, inout Summary) throws -> Void) throws {
        let logs = (file as NSString).lastPathComponent.contains("logs")
        var record = 0
        while true {
            let length: UInt64
            do {
                guard let next = try source.nextVarint() else { return }
                length = next
            } catch let error as TraceReadError {
                summary.problems.append(Problem(file: file, line: record + 1, reason: "\(error.message): the rest of the file was skipped"))
                return
            }
            record += 1
            guard length <= UInt64(maxLineBytes) else {
                summary.problems.append(Problem(file: file, line: record, reason: "the record is longer than \(maxLineBytes >> 20) MiB and was skipped (raise --max-line-mb to read it)"))
                guard try source.skip(Int(length)) else { return }
                continue
            }
            guard let bytes = try source.nextBytes(Int(length)) else {
                summary.problems.append(Problem(file: file, line: record, reason: "the file ends inside this record (a write that did not finish): it was skipped"))
                return
            }
            do {
                let origin = Origin(file: file, line: record)
                if logs {
                    try deliver(OTLPProtobuf.logs(in: try OTLPProtobuf.logsRequest(bytes), origin: origin).map(TelemetryItem.log), record, &summary)
                } else {
                    let (spans, rejected) = OTLPProtobuf.spans(in: try OTLPProtobuf.traceRequest(bytes), origin: origin)
                    if rejected > 0 { summary.problems.append(Problem(file: file, line: record, reason: Self.rejectedReason(rejected))) }
                    try deliver(spans.map(TelemetryItem.span), record, &summary)
                }
            } catch is SwiftProtobuf.BinaryDecodingError {
                summary.problems.append(Problem(file: file, line: record, reason: "not an OTLP protobuf \(logs ? "LogsData" : "TracesData") record; it was skipped"))
            }
        }
    }
}

/// The lines of a JSON Lines file after its first, read and parsed on a thread of their own
/// while the caller takes the previous batch: parsing is a third of a report's time on
/// files, and the caller's join and aggregates the rest. A batch closes at `batchLines`
/// lines or `batchBytes` of them (a Collector writes a line per export, megabytes each),
/// and at most `depth` batches wait, so memory stays bounded; `stop` ends the thread early
/// (the caller threw) and waits for it.
final class ParsedLines: @unchecked Sendable {
    private enum Batch {
        case lines([TraceReader.ParsedLine])
        case failed(any Error)
    }

    private let condition = NSCondition()
    private var ready: [Batch] = []
    private var finished = false
    private var stopped = false
    private let exited = DispatchSemaphore(value: 0)
    static let batchLines = 256
    static let batchBytes = 1 << 20
    static let depth = 4

    init(source: LineSource, file: String) {
        // The thread is the source's only user from here on: the caller only takes batches.
        nonisolated(unsafe) let source = source
        let thread = Thread { [self] in
            defer {
                condition.lock()
                finished = true
                condition.broadcast()
                condition.unlock()
                exited.signal()
            }
            do {
                var batch: [TraceReader.ParsedLine] = []
                var bytes = 0
                while let line = try source.nextLine() {
                    let oversized = source.oversizedLines
                    source.oversizedLines.removeAll()
                    batch.append(try TraceReader.parse(line, number: source.lineNumber, file: file, oversizedBefore: oversized))
                    bytes += line.count
                    if batch.count == Self.batchLines || bytes >= Self.batchBytes {
                        guard put(.lines(batch)) else { return }
                        batch.removeAll(keepingCapacity: true)
                        bytes = 0
                    }
                }
                // Oversized lines at the very end come after the last line.
                batch.append(TraceReader.ParsedLine(number: source.lineNumber, oversizedBefore: source.oversizedLines, outcome: .blank))
                source.oversizedLines.removeAll()
                _ = put(.lines(batch))
            } catch {
                _ = put(.failed(error))
            }
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// False once the reader has stopped.
    private func put(_ batch: Batch) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while ready.count >= Self.depth && !stopped { condition.wait() }
        guard !stopped else { return false }
        ready.append(batch)
        condition.broadcast()
        return true
    }

    /// The next batch in file order; nil at the end of the file.
    func next() throws -> [TraceReader.ParsedLine]? {
        condition.lock()
        while ready.isEmpty && !finished { condition.wait() }
        guard !ready.isEmpty else {
            condition.unlock()
            return nil
        }
        let batch = ready.removeFirst()
        condition.broadcast()
        condition.unlock()
        switch batch {
        case .lines(let lines): return lines
        case .failed(let error): throw error
        }
    }

    /// Ends the reading thread and waits for it, so that the file is not read after the
    /// caller returns.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
        exited.wait()
    }
}
