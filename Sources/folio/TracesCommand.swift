import ArgumentParser
import Foundation
import FolioCore
import FolioModel
import FolioTelemetry

struct TracesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "traces",
        abstract: "Read exported OpenTelemetry traces (OTLP JSON): list LLM spans, show one.",
        subcommands: [TracesListCommand.self, TracesShowCommand.self]
    )
}

/// Filters shared by the trace commands.
struct SpanFilter: ParsableArguments {
    @Option(help: "Only spans of this prompt (gen_ai.prompt.name, traceloop or langfuse spellings).")
    var prompt: String?

    @Option(help: "Only spans of this prompt version.")
    var version: String?

    @Option(name: .customLong("where"), help: "Only spans whose attribute equals a value: <attr>=<value> (repeatable).")
    var conditions: [String] = []

    @Option(help: "Only spans that started at or after this time (ISO 8601, a date, or an age like 24h or 7d).")
    var since: String?

    @Option(help: "Only spans that started before this time.")
    var until: String?

    @Flag(help: "Only spans that ended in an error.")
    var errors = false

    @Option(name: .customLong("max-line-mb"), help: "Skip (with a warning) trace file lines longer than this many MiB.")
    var maxLineMB: Int = TraceReader.defaultMaxLineBytes >> 20

    var maxLineBytes: Int { maxLineMB << 20 }

    func validate() throws {
        guard (1...4096).contains(maxLineMB) else { throw ValidationError("--max-line-mb must be 1 to 4096") }
        for condition in conditions where !condition.contains("=") {
            throw ValidationError("--where '\(condition)' is not <attr>=<value>")
        }
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, Self.time(value) == nil {
                throw ValidationError("\(name) '\(value)' is not a time: use 2026-11-29, 2026-11-29T10:00:00Z, or an age like 24h")
            }
        }
    }

    func matches(_ span: GenAISpan) -> Bool {
        if let prompt, span.promptName != prompt { return false }
        if let version, span.promptVersion != version { return false }
        if errors && !span.isError { return false }
        if let since = since.flatMap(Self.time), span.record.start < since { return false }
        if let until = until.flatMap(Self.time), span.record.start >= until { return false }
        for condition in conditions {
            let parts = condition.split(separator: "=", maxSplits: 1).map(String.init)
            guard span.record.attributes[parts[0]]?.text == (parts.count > 1 ? parts[1] : "") else { return false }
        }
        return true
    }

    static func time(_ text: String) -> Date? {
        if let age = BuildCommand.seconds(text) {
            return Date().addingTimeInterval(-age)
        }
        let full = ISO8601DateFormatter()
        full.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        return full.date(from: text) ?? plain.date(from: text) ?? day.date(from: text)
    }
}

/// Reads the files and reports skipped lines on standard error.
func readSpans(_ files: [String], maxLineBytes: Int = TraceReader.defaultMaxLineBytes, _ body: (GenAISpan) throws -> Bool) throws {
    var stop = false
    let summary: TraceReader.Summary
    do {
        summary = try TraceReader(maxLineBytes: maxLineBytes).read(files) { record in
            guard !stop, let span = GenAISpan(record) else { return }
            stop = try !body(span)
        }
    } catch let error as TraceReadError {
        throw FolioError(.usage, error.message)
    }
    for problem in summary.problems.prefix(20) { Terminal.note("warning: \(Terminal.escaped(problem.description))") }
    let problems = summary.problems.count
    Terminal.note("\(summary.spans) span(s) in \(summary.files) file(s)" + (problems > 0 ? ", \(problems) warning(s)" : ""))
}

/// The LLM span with `id` in the files, or a usage error naming it.
func findSpan(_ id: String, in files: [String]) throws -> GenAISpan {
    let spanID = id.lowercased()
    var found: GenAISpan?
    try readSpans(files) { span in
        if span.record.spanID == spanID { found = span }
        return found == nil
    }
    guard let found else {
        throw FolioError(.usage, "no LLM span with id \(spanID) in those files", hint: "list them with `folio traces list`")
    }
    return found
}

/// The price overrides of the Folio repository around the current folder, if any.
func repositoryPrices() -> [String: ModelPrice] {
    (try? PromptRepository(discovering: "."))?.config.prices ?? [:]
}

struct TracesListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the LLM spans of exported traces: time, ids, prompt@version, model, tokens, latency, status, output.",
        discussion: """
        Reads JSON Lines from the OpenTelemetry Collector's file exporter, OTLP/HTTP JSON bodies
        and pretty-printed files, gzip-compressed or not; folders are searched.

        Examples:
          folio traces list traces/ --prompt support_ticket_triage --version 1
          folio traces list spans.jsonl.gz --where gen_ai.request.model=gpt-4o --errors --format json
        """
    )

    @Argument(help: "Trace files or folders.")
    var files: [String]

    @OptionGroup var filter: SpanFilter

    @Option(help: "At most this many spans.")
    var limit: Int = 100

    @Option(help: "table or json.")
    var format: TableFormat = .table

    enum TableFormat: String, ExpressibleByArgument {
        case table, json
    }

    struct Row: Encodable {
        let time: Date
        let traceID: String
        let spanID: String
        let prompt: String?
        let version: String?
        let model: String?
        let inputTokens: Int64?
        let outputTokens: Int64?
        let latencyMs: Double?
        let status: String
        let output: String?

        enum CodingKeys: String, CodingKey {
            case time, prompt, version, model, status, output
            case traceID = "trace_id"
            case spanID = "span_id"
            case inputTokens = "input_tokens"
            case outputTokens = "output_tokens"
            case latencyMs = "latency_ms"
        }
    }

    func run() throws {
        var rows: [Row] = []
        try readSpans(files, maxLineBytes: filter.maxLineBytes) { span in
            guard filter.matches(span) else { return true }
            rows.append(Row(
                time: span.record.start, traceID: span.record.traceID, spanID: span.record.spanID,
                prompt: span.promptName, version: span.promptVersion, model: span.model,
                inputTokens: span.inputTokens, outputTokens: span.outputTokens,
                latencyMs: span.latencyMs.map { $0.rounded() }, status: span.isError ? "error" : span.record.status.rawValue,
                output: span.outputText
            ))
            return rows.count < limit
        }
        switch format {
        case .json:
            try Terminal.printJSON(rows)
        case .table:
            var table = [["TIME", "TRACE/SPAN", "PROMPT", "MODEL", "TOKENS", "LATENCY", "STATUS", "OUTPUT"]]
            for row in rows {
                let prompt = row.prompt.map { name in row.version.map { "\(name)@\($0)" } ?? name } ?? "-"
                let tokens = "\(row.inputTokens.map(String.init) ?? "-")/\(row.outputTokens.map(String.init) ?? "-")"
                let output = (row.output ?? "").replacingOccurrences(of: "\n", with: " ")
                table.append([Dates.day(row.time), "\(row.traceID.prefix(8))/\(row.spanID)", prompt, row.model ?? "-", tokens,
                              row.latencyMs.map { String(format: "%.0f ms", $0) } ?? "n/a", row.status, output.count > 40 ? String(output.prefix(39)) + "…" : output])
            }
            print(Terminal.table(table))
        }
    }
}

struct TracesShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one span with its full messages and attributes.",
        discussion: """
        Example:
          folio traces show traces/ 00f067aa0ba902b7
        """
    )

    @Argument(help: "Trace files or folders, then the span id (hex).")
    var arguments: [String]

    func validate() throws {
        guard arguments.count >= 2 else { throw ValidationError("give the trace files and then the span id") }
    }

    func run() throws {
        let span = try findSpan(arguments.last!, in: Array(arguments.dropLast()))
        let record = span.record
        // Everything but the ids comes from the trace: control characters are escaped.
        let e = { (text: String) in Terminal.escaped(text) }
        print("span \(record.spanID) in trace \(record.traceID) (\(e(record.file)):\(record.line))")
        print("name: \(e(record.name))")
        print("prompt: \(e(span.promptName ?? "-"))@\(e(span.promptVersion ?? "-"))  model: \(e(span.model ?? "-"))  provider: \(e(span.provider ?? "-"))")
        print("start: \(record.start)  latency: \(span.latencyMs.map { "\(Int($0.rounded())) ms" } ?? "n/a")  status: \(span.isError ? "error" : record.status.rawValue)\(record.statusMessage.map { " (\(e($0)))" } ?? "")")
        for (title, messages) in [("system instructions", span.systemInstructions), ("input", span.inputMessages), ("output", span.outputMessages)] where !messages.isEmpty {
            print("\n\(title):")
            for message in messages { print("  [\(e(message.role))] \(Terminal.escaped(message.content, lines: true))") }
        }
        print("\nattributes:")
        for key in record.attributes.keys.sorted() { print("  \(e(key)) = \(e(record.attributes[key]!.text))") }
    }
}
