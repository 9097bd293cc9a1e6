import ArgumentParser
import FolioClickHouse
import FolioCore
import FolioModel
import FolioTelemetry
import Foundation

struct TracesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "traces",
        abstract: "Read traces (OTLP files or the Collector's ClickHouse tables): list LLM calls, show one with its trace.",
        subcommands: [TracesListCommand.self, TracesShowCommand.self, TracesImportCommand.self, TracesDashboardCommand.self]
    )
}

struct TracesListCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List LLM calls, newest first: time, ids, prompt@version, model, tokens, latency, status, output.",
        discussion: """
            Reads what `folio collect` writes, JSON Lines from the OpenTelemetry Collector's file
            exporter (or its protobuf format, in .pb files), OTLP/HTTP JSON bodies and pretty-printed
            files, gzip-compressed or not (folders are searched), or the Collector's otel_traces and
            otel_logs tables in ClickHouse (--source clickhouse://…). A call takes its prompt and any
            --where attribute from the nearest ancestor span that has them (an app's wrapper span
            around an instrumented call), and its output from log records tied to it. Pages of
            --limit calls: the next page's --cursor is printed on standard error.

            Examples:
              folio traces list traces/ --prompt support_ticket_triage --version 1
              folio traces list --source clickhouse://folio@db:8123/otel --since 24h --errors --format json
            """
    )

    @Argument(help: "Trace files or folders (or use --source, or traces: in folio.yaml).")
    var files: [String] = []

    @OptionGroup var options: TraceOptions

    @Option(help: "At most this many calls.")
    var limit: Int = 100

    @Option(help: "Start after this call (the cursor the previous page printed).")
    var cursor: String?

    @Option(help: "table or json.")
    var format: TableFormat = .table

    enum TableFormat: String, ExpressibleByArgument {
        case table, json
    }

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be 1 or more") }
        if let cursor, CallCursor(cursor) == nil { throw ValidationError("--cursor '\(cursor)' is not a cursor this command printed") }
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

    func run(in env: CommandEnvironment) async throws {
        let source = try options.open(paths: files, env)
        let page = try await source.calls(CallsRequest(filter: options.filter(), limit: limit, cursor: cursor.flatMap(CallCursor.init), prices: repositoryPrices(env)))
        noteRead(page.notes, env)
        if let next = page.next { env.note("more calls: --cursor \(next)") }
        let rows = page.rows.map { row in
            Row(
                time: row.startDate, traceID: row.trace.hex, spanID: row.span.hex, prompt: row.promptName, version: row.promptVersion, model: row.model,
                inputTokens: row.inputTokens, outputTokens: row.outputTokens, latencyMs: row.latencyMs.map { $0.rounded() },
                status: row.isError ? "error" : row.status.rawValue, output: row.output)
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
                    Dates.day(row.time), "\(row.traceID.prefix(8))/\(row.spanID)", Terminal.escaped(prompt), Terminal.escaped(row.model ?? "-"), tokens,
                    row.latencyMs.map { String(format: "%.0f ms", $0) } ?? "n/a", row.status, Terminal.escaped(output.count > 40 ? String(output.prefix(39)) + "…" : output),
                ])
            }
            env.print(Terminal.table(table))
        }
    }
}

struct TracesShowCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one LLM call with its messages and attributes, and the trace around it.",
        discussion: """
            Examples:
              folio traces show traces/ 00f067aa0ba902b7
              folio traces show --source clickhouse://folio@db:8123/otel 00f067aa0ba902b7
            """
    )

    @Argument(help: "Trace files or folders (or use --source, or traces: in folio.yaml), then the span id (hex).")
    var arguments: [String]

    @OptionGroup var options: TraceOptions

    func validate() throws {
        guard let id = arguments.last, SpanID(hex: id) != nil else { throw ValidationError("give the span id (16 hex digits) last") }
    }

    func run(in env: CommandEnvironment) async throws {
        let id = SpanID(hex: arguments.last!)!
        let source = try options.open(paths: Array(arguments.dropLast()), env)
        guard let detail = try await source.call(id, inherited: []) else {
            throw FolioError(.usage, "no LLM call with span id \(id) in \(source.name)", hint: "list them with `folio traces list`")
        }
        noteRead(detail.notes, env)
        let call = detail.call
        let span = call.span
        // Everything but the ids comes from the trace: control characters are escaped.
        let e = { (text: String) in Terminal.escaped(text) }
        env.print("span \(span.id) in trace \(span.trace) (\(e(env.shown(span.origin.file)))\(span.origin.line > 0 ? ":\(span.origin.line)" : ""))")
        env.print("name: \(e(span.name))  service: \(e(span.service.isEmpty ? "-" : span.service))")
        let inherited = call.promptName == nil && detail.promptName != nil ? " (from an ancestor span)" : ""
        env.print("prompt: \(e(detail.promptName ?? "-"))@\(e(detail.promptVersion ?? "-"))\(inherited)  model: \(e(call.model ?? "-"))  provider: \(e(call.provider ?? "-"))")
        env.print(
            "start: \(span.startDate)  latency: \(call.latencyMs.map { "\(Int($0.rounded())) ms" } ?? "n/a")  status: \(call.isError ? "error" : span.status.rawValue)\(span.statusMessage.isEmpty ? "" : " (\(e(span.statusMessage)))")"
        )
        for (title, messages) in [("system instructions", call.systemInstructions), ("input", call.inputMessages), ("output", call.outputMessages)] where !messages.isEmpty {
            env.print("\n\(title):")
            for message in messages { env.print("  [\(e(message.role))] \(Terminal.escaped(message.content, lines: true))") }
        }
        if call.outputMessages.isEmpty, let wrapper = detail.wrapperOutput {
            env.print("\noutput (recorded on the wrapping span):\n  \(Terminal.escaped(wrapper, lines: true))")
        }
        if !detail.variables.isEmpty {
            env.print("\nvariables:")
            for key in detail.variables.keys.sorted() { env.print("  \(e(key)) = \(e(detail.variables[key]!))") }
        }
        env.print("\nattributes:")
        for key in span.attributes.keys.sorted() { env.print("  \(e(key)) = \(e(span.attributes[key]!))") }
        if let trace = try await source.trace(span.trace) {
            env.print("\ntrace \(span.trace): \(trace.spans.count) span(s), \(trace.logs.count) log record(s)")
            for line in Self.tree(trace.spans, marking: id) { env.print("  " + e(line)) }
        }
    }

    /// The spans as an indented tree, children under their parents in start order.
    static func tree(_ spans: [Span], marking marked: SpanID) -> [String] {
        let ids = Set(spans.map(\.id))
        var children: [SpanID?: [Span]] = [:]
        for span in spans { children[span.parent.flatMap { ids.contains($0) ? $0 : nil }, default: []].append(span) }
        var lines: [String] = []
        func walk(_ parent: SpanID?, depth: Int) {
            guard depth < TraceJoin<Int>.maximumDepth else { return }
            for span in children[parent] ?? [] {
                let latency = span.latencyMs.map { String(format: " %.0f ms", $0) } ?? ""
                lines.append(String(repeating: "  ", count: depth) + "\(span.id == marked ? "▶" : "·") \(span.name) [\(span.id)]\(latency)")
                walk(span.id, depth: depth + 1)
            }
        }
        walk(nil, depth: 0)
        return lines
    }
}
