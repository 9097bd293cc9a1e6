import ArgumentParser
import Foundation
import FolioCore
import FolioModel
import FolioTelemetry

struct TracesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "traces",
        abstract: "Read exported OpenTelemetry traces (OTLP JSON or protobuf): list LLM calls, show one.",
        subcommands: [TracesListCommand.self, TracesShowCommand.self]
    )
}

/// Filters shared by the trace commands.
struct SpanFilter: ParsableArguments {
    @Option(help: "Only calls of this prompt (on the call or an ancestor span; every dialect's spelling).")
    var prompt: String?

    @Option(help: "Only calls of this prompt version.")
    var version: String?

    @Option(name: .customLong("where"), help: "Only calls whose attribute (theirs, an ancestor's, or their resource's such as service.name) equals a value: <attr>=<value> (repeatable).")
    var conditions: [String] = []

    @Option(help: "Only calls that started at or after this time (ISO 8601, a date, or an age like 24h or 7d).")
    var since: String?

    @Option(help: "Only calls that started before this time.")
    var until: String?

    @Flag(help: "Only calls that ended in an error.")
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

    /// The attribute keys the filter reads, which calls inherit from their ancestors.
    var attributeKeys: [String] {
        conditions.compactMap { $0.split(separator: "=", maxSplits: 1).first.map(String.init) }
    }

    /// Whether a joined call passes: its prompt identity and `--where` attributes may come
    /// from an ancestor span.
    func matches<Payload>(_ call: TraceJoin<Payload>.Call, start: Date, isError: Bool) -> Bool {
        if let prompt, call.promptName != prompt { return false }
        if let version, call.promptVersion != version { return false }
        if errors && !isError { return false }
        if let since = since.flatMap(Self.time), start < since { return false }
        if let until = until.flatMap(Self.time), start >= until { return false }
        for condition in conditions {
            let parts = condition.split(separator: "=", maxSplits: 1).map(String.init)
            guard call.attributes[parts[0]]?.text == (parts.count > 1 ? parts[1] : "") else { return false }
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

/// Reads spans and log records and joins the LLM calls (`TraceJoin`); reports warnings and
/// counts on standard error. Relative paths are taken from `env`'s folder.
func joinedCalls<Payload>(
    _ files: [String], _ env: CommandEnvironment, maxLineBytes: Int = TraceReader.defaultMaxLineBytes, inherited: [String] = [],
    keepEvent: @escaping (ContentEvent) -> Bool = { _ in true },
    payload: @escaping (GenAISpan) -> Payload?
) throws -> [TraceJoin<Payload>.Call] {
    var join = TraceJoin(inherited: Array(Set(inherited)).sorted(), keepEvent: keepEvent, payload: payload)
    let summary: TraceReader.Summary
    do {
        summary = try TraceReader(maxLineBytes: maxLineBytes).read(files.map(env.path), items: { join.add($0) })
    } catch let error as TraceReadError {
        throw FolioError(.usage, error.message)
    }
    let calls = join.finish()
    for problem in summary.problems.prefix(20) { env.note("warning: \(Terminal.escaped(problem.description))") }
    let problems = summary.problems.count
    let logs = summary.logs > 0 ? ", \(summary.logs) log record(s)" : ""
    env.note("\(calls.count) LLM call(s) among \(summary.spans) span(s)\(logs) in \(summary.files) file(s)" + (problems > 0 ? ", \(problems) warning(s)" : ""))
    return calls
}

/// The LLM call with span `id` in the files, joined, or a usage error naming it.
func findCall(_ id: String, in files: [String], _ env: CommandEnvironment, inherited: [String] = []) throws -> (span: GenAISpan, call: TraceJoin<GenAISpan>.Call) {
    let spanID = id.lowercased()
    let calls = try joinedCalls(files, env, inherited: inherited) { span in span.record.spanID == spanID ? span : nil }
    guard let call = calls.first else {
        throw FolioError(.usage, "no LLM call with span id \(spanID) in those files", hint: "list them with `folio traces list`")
    }
    var span = call.payload
    span.contentEvents += call.events.filter { !span.contentEvents.contains($0) }
    return (span, call)
}

/// The price overrides of the Folio repository around the working folder, if any.
func repositoryPrices(_ env: CommandEnvironment) -> [String: ModelPrice] {
    (try? PromptRepository(discovering: env.workingDirectory.path))?.config.prices ?? [:]
}

struct TracesListCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the LLM calls of exported traces: time, ids, prompt@version, model, tokens, latency, status, output.",
        discussion: """
            Reads what `folio collect` writes, JSON Lines from the OpenTelemetry Collector's file
            exporter (or its protobuf format, in .pb files), OTLP/HTTP JSON bodies and pretty-printed
            files, gzip-compressed or not; folders are searched. A call takes its prompt and any
            --where attribute from the nearest ancestor span that has them (an app's wrapper span
            around an instrumented call), and its output from log records tied to it.

            Examples:
              folio traces list traces/ --prompt support_ticket_triage --version 1
              folio traces list spans.jsonl.gz --where gen_ai.request.model=gpt-4o --errors --format json
            """
    )

    @Argument(help: "Trace files or folders.")
    var files: [String]

    @OptionGroup var filter: SpanFilter

    @Option(help: "At most this many calls.")
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

    func run(in env: CommandEnvironment) throws {
        let calls = try joinedCalls(files, env, maxLineBytes: filter.maxLineBytes, inherited: filter.attributeKeys, keepEvent: CallSummary.keepsEvent) { CallSummary($0) }
        var rows: [Row] = []
        for call in calls where rows.count < limit {
            let summary = call.payload
            guard filter.matches(call, start: summary.start, isError: summary.isError) else { continue }
            rows.append(
                Row(
                    time: summary.start, traceID: summary.traceID, spanID: summary.spanID,
                    prompt: call.promptName, version: call.promptVersion, model: summary.model,
                    inputTokens: summary.inputTokens, outputTokens: summary.outputTokens,
                    latencyMs: summary.latencyMs.map { $0.rounded() }, status: summary.isError ? "error" : summary.status.rawValue,
                    output: summary.output(with: call.events)
                ))
        }
        switch format {
        case .json:
            try env.printJSON(rows)
        case .table:
            var table = [["TIME", "TRACE/SPAN", "PROMPT", "MODEL", "TOKENS", "LATENCY", "STATUS", "OUTPUT"]]
            for row in rows {
                let prompt = row.prompt.map { name in row.version.map { "\(name)@\($0)" } ?? name } ?? "-"
                let tokens = "\(row.inputTokens.map(String.init) ?? "-")/\(row.outputTokens.map(String.init) ?? "-")"
                let output = (row.output ?? "").replacingOccurrences(of: "\n", with: " ")
                table.append([
                    Dates.day(row.time), "\(row.traceID.prefix(8))/\(row.spanID)", prompt, row.model ?? "-", tokens,
                    row.latencyMs.map { String(format: "%.0f ms", $0) } ?? "n/a", row.status, output.count > 40 ? String(output.prefix(39)) + "…" : output,
                ])
            }
            env.print(Terminal.table(table))
        }
    }
}

struct TracesShowCommand: FolioSubcommand {
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

    func run(in env: CommandEnvironment) throws {
        let (span, call) = try findCall(arguments.last!, in: Array(arguments.dropLast()), env)
        let record = span.record
        // Everything but the ids comes from the trace: control characters are escaped.
        let e = { (text: String) in Terminal.escaped(text) }
        env.print("span \(record.spanID) in trace \(record.traceID) (\(e(env.shown(record.file))):\(record.line))")
        env.print("name: \(e(record.name))")
        let inherited = span.promptName == nil && call.promptName != nil ? " (from an ancestor span)" : ""
        env.print("prompt: \(e(call.promptName ?? "-"))@\(e(call.promptVersion ?? "-"))\(inherited)  model: \(e(span.model ?? "-"))  provider: \(e(span.provider ?? "-"))")
        env.print(
            "start: \(record.start)  latency: \(span.latencyMs.map { "\(Int($0.rounded())) ms" } ?? "n/a")  status: \(span.isError ? "error" : record.status.rawValue)\(record.statusMessage.map { " (\(e($0)))" } ?? "")"
        )
        for (title, messages) in [("system instructions", span.systemInstructions), ("input", span.inputMessages), ("output", span.outputMessages)] where !messages.isEmpty {
            env.print("\n\(title):")
            for message in messages { env.print("  [\(e(message.role))] \(Terminal.escaped(message.content, lines: true))") }
        }
        env.print("\nattributes:")
        for key in record.attributes.keys.sorted() { env.print("  \(e(key)) = \(e(record.attributes[key]!.text))") }
    }
}
