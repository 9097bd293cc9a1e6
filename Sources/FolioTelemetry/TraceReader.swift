import Foundation

/// Reads OTLP JSON trace files: JSON Lines as the Collector's file exporter writes them,
/// single OTLP/HTTP bodies, pretty-printed files, any of them gzip-compressed; several
/// files or folders at once. A malformed line is reported with its file and line number
/// and skipped.
public struct TraceReader {
    /// A line or file that could not be read.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public let file: String
        public let line: Int
        public let reason: String

        public var description: String { "\(file):\(line): \(reason)" }
    }

    public struct Summary: Sendable {
        public var files = 0
        public var spans = 0
        public var problems: [Problem] = []
    }

    /// Lines longer than this are skipped with a warning naming the file and line.
    public var maxLineBytes: Int
    /// 64 MiB: a line is a batch of spans, and collectors write batches of a few megabytes.
    public static let defaultMaxLineBytes = 64 << 20

    public init(maxLineBytes: Int = TraceReader.defaultMaxLineBytes) {
        self.maxLineBytes = maxLineBytes
    }

    /// The trace files under the given paths (folders are searched for .json, .jsonl, .ndjson, .gz).
    public static func files(_ paths: [String]) throws -> [String] {
        var result: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw TraceReadError(message: "'\(path)' does not exist")
            }
            if isFolder.boolValue {
                let names = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? [])
                    .filter { [".json", ".jsonl", ".ndjson", ".gz"].contains(where: $0.hasSuffix) }.sorted()
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
    public func read(_ paths: [String], _ body: (SpanRecord) throws -> Void) throws -> Summary {
        var summary = Summary()
        for file in try Self.files(paths) {
            summary.files += 1
            let source = try LineSource(path: file, maxLineBytes: maxLineBytes)
            var first = true
            func reportOversized() {
                for number in source.oversizedLines {
                    summary.problems.append(Problem(file: file, line: number, reason: "the line is longer than \(maxLineBytes >> 20) MiB and was skipped (raise --max-line-mb to read it)"))
                }
                source.oversizedLines.removeAll()
            }
            defer { reportOversized() }
            while let line = try source.nextLine() {
                reportOversized()
                let trimmed = line.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0d }
                if trimmed.isEmpty || trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0d }) { continue }
                do {
                    let object = try JSONNode.parse(line)
                    for span in try OTLPDecoder.spans(in: object, file: file, line: source.lineNumber) {
                        summary.spans += 1
                        if let problem = span.timeProblem { summary.problems.append(Problem(file: file, line: source.lineNumber, reason: problem)) }
                        try body(span)
                    }
                } catch let failure as OTLPDecoder.Failure {
                    summary.problems.append(Problem(file: file, line: source.lineNumber, reason: failure.reason))
                } catch is JSONNode.SyntaxError where first && Self.startsDocument(trimmed) {
                    // Not one object per line: a pretty-printed document, read whole.
                    let whole = line + Data("\n".utf8) + (try source.rest())
                    do {
                        let object = try JSONNode.parse(whole)
                        for span in try OTLPDecoder.spans(in: object, file: file, line: source.lineNumber) {
                            summary.spans += 1
                            try body(span)
                        }
                    } catch let failure as OTLPDecoder.Failure {
                        summary.problems.append(Problem(file: file, line: 1, reason: failure.reason))
                    } catch {
                        summary.problems.append(Problem(file: file, line: 1, reason: "not valid JSON (neither JSON Lines nor one document)"))
                    }
                    break
                } catch is JSONNode.SyntaxError {
                    summary.problems.append(Problem(file: file, line: source.lineNumber, reason: "not valid JSON; the line was skipped"))
                }
                first = false
            }
        }
        return summary
    }
}
