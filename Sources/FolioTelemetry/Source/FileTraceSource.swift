import FolioModel
import Foundation

/// Trace files as a `TraceSource`: what `folio collect` writes, the Collector's file
/// exporter output, OTLP/HTTP bodies; folders are searched. Every operation reads the files
/// once, in one pass (decode, the GenAI fields, the trace join), keeping only what it needs
/// of each call, and does its filtering and arithmetic here.
package struct FileTraceSource: TraceSource {
    package let paths: [String]
    package let maxLineBytes: Int

    package init(paths: [String], maxLineBytes: Int = TraceReader.defaultMaxLineBytes) {
        self.paths = paths
        self.maxLineBytes = maxLineBytes
    }

    package var name: String { paths.joined(separator: " ") }

    /// The one way through: read every file, join the calls, note what was read.
    func join<Payload>(
        inherited: [String], variables: Bool = false, keepEvent: @escaping (ContentEvent) -> Bool = { _ in true },
        output: @escaping (Payload) -> String? = { _ in nil }, payload: @escaping (GenAISpan) -> Payload?,
        alsoKeep: ((TelemetryItem) -> Void)? = nil
    ) throws -> (calls: [TraceJoin<Payload>.Call], notes: ReadNotes) {
        var join = TraceJoin(inherited: inherited, variables: variables, keepEvent: keepEvent, output: output, payload: payload)
        let summary = try TraceReader(maxLineBytes: maxLineBytes).read(paths) { item in
            join.add(item)
            alsoKeep?(item)
        }
        let calls = join.finish()
        var notes = ReadNotes()
        notes.calls = calls.count
        notes.spans = summary.spans
        notes.logs = summary.logs
        notes.files = summary.files
        notes.problems = summary.problems.map(\.description)
        return (calls, notes)
    }

    package func report(_ request: ReportRequest) async throws -> ReportResult {
        let (calls, notes) = try join(
            inherited: request.inherited, keepEvent: CallSummary.keepsEvent, output: { $0.output }, payload: { CallSummary($0) })
        var kept = calls.filter { call in
            request.filter.matches(
                promptName: call.promptName, promptVersion: call.promptVersion, service: call.payload.service, start: call.payload.start,
                isError: call.payload.isError, attributes: call.attributes)
        }
        if let window = request.window, let newest = kept.map(\.payload.start).max() {
            kept = kept.filter { $0.payload.start >= newest.addingTimeInterval(-window) }
        }
        var report = TraceReport()
        for call in kept {
            let summary = call.payload
            let output = summary.output(with: call.events, wrapper: call.wrapperOutput)
            let expected = request.labelAttribute.flatMap { call.attributes[$0] }
            if let selectors = request.selectors {
                for (index, selector) in selectors.enumerated() where Self.value(of: selector.key, in: call) == selector.value {
                    report.add(summary, output: output, to: "\(index)", expectedLabel: expected, prices: request.prices)
                }
            } else {
                let group = request.groupBy.map { Self.value(of: $0, in: call) }.joined(separator: " ")
                report.add(summary, output: output, to: group, expectedLabel: expected, prices: request.prices)
            }
        }
        return ReportResult(report: report, notes: notes)
    }

    /// A call's value for a group key: prompt and version (its own or an ancestor's), model,
    /// or any attribute (likewise); "-" when it has none.
    static func value(of key: GroupKey, in call: TraceJoin<CallSummary>.Call) -> String {
        switch key {
        case .prompt: return call.promptName ?? "-"
        case .version: return call.promptVersion ?? "-"
        case .model: return call.payload.model ?? "-"
        case .attribute(let name): return call.attributes[name] ?? "-"
        }
    }

    package func calls(_ request: CallsRequest) async throws -> CallPage {
        let inherited = Array(Set(request.filter.attributeKeys + request.attributes)).sorted()
        let (calls, notes) = try join(
            inherited: inherited, keepEvent: { CallSummary.keepsEvent($0) || ContentEvent.table[$0.name]?.kind == .input }, output: { $0.summary.output },
            payload: { call in (summary: CallSummary(call), input: Self.excerpt(call.inputMessages)) })
        var rows: [CallRow] = []
        for call in calls {
            let summary = call.payload.summary
            guard
                request.filter.matches(
                    promptName: call.promptName, promptVersion: call.promptVersion, service: summary.service, start: summary.start,
                    isError: summary.isError, attributes: call.attributes)
            else { continue }
            let start = summary.startNanoseconds
            if let cursor = request.cursor, !cursor.precedes(start: start, span: call.key.span) { continue }
            rows.append(
                CallRow(
                    trace: call.key.trace, span: call.key.span, start: start, promptName: call.promptName, promptVersion: call.promptVersion,
                    service: summary.service, model: summary.model, provider: summary.provider, inputTokens: summary.inputTokens,
                    outputTokens: summary.outputTokens, latencyMs: summary.latencyMs, timeToFirstChunkMs: summary.timeToFirstChunkMs,
                    status: summary.status, isError: summary.isError,
                    input: call.payload.input ?? Self.excerpt(ContentEvent.messages(call.events, .input)),
                    output: summary.output(with: call.events, wrapper: call.wrapperOutput),
                    costUSD: summary.cost(prices: request.prices), attributes: call.attributes.filter { request.attributes.contains($0.key) }))
        }
        rows.sort { ($0.start, $0.span) > ($1.start, $1.span) }
        let page = Array(rows.prefix(request.limit))
        let next = rows.count > request.limit ? page.last.map { CallCursor(start: $0.start, span: $0.span) } : nil
        return CallPage(rows: page, next: next, notes: notes)
    }

    /// The first user message (else the first message), at most `CallRow.excerptLimit` characters.
    package static func excerpt(_ messages: [SpanMessage]) -> String? {
        guard let message = messages.first(where: { $0.role == "user" }) ?? messages.first else { return nil }
        return message.content.count > CallRow.excerptLimit ? String(message.content.prefix(CallRow.excerptLimit - 1)) + "…" : message.content
    }

    package func details(_ request: CallsRequest) async throws -> [CallDetail] {
        let inherited = Array(Set(request.filter.attributeKeys + request.attributes)).sorted()
        let (calls, notes) = try join(inherited: inherited, variables: true, output: { $0.outputText }, payload: { $0 })
        var kept: [TraceJoin<GenAISpan>.Call] = []
        for call in calls {
            let span = call.payload.span
            guard
                request.filter.matches(
                    promptName: call.promptName, promptVersion: call.promptVersion, service: span.service, start: span.startDate,
                    isError: call.payload.isError, attributes: call.attributes)
            else { continue }
            if let cursor = request.cursor, !cursor.precedes(start: span.start ?? 0, span: span.id) { continue }
            kept.append(call)
        }
        kept.sort { ($0.payload.span.start ?? 0, $0.key.span) > ($1.payload.span.start ?? 0, $1.key.span) }
        return kept.prefix(request.limit).map { found in
            var call = found.payload
            call.contentEvents += found.events.filter { !call.contentEvents.contains($0) }
            return CallDetail(
                call: call, promptName: found.promptName, promptVersion: found.promptVersion, attributes: found.attributes, variables: found.variables,
                wrapperOutput: found.wrapperOutput, notes: notes)
        }
    }

    /// Two passes: one finds the span's trace, the other joins that trace alone (so the
    /// call's wrapper, its ancestors' variables and its logs are all at hand).
    package func call(_ id: SpanID, inherited: [String]) async throws -> CallDetail? {
        var traceID: TraceID?
        var notes = ReadNotes()
        let summary = try TraceReader(maxLineBytes: maxLineBytes).read(paths) { item in
            if traceID == nil, case .span(let span) = item, span.id == id { traceID = span.trace }
        }
        notes.spans = summary.spans
        notes.logs = summary.logs
        notes.files = summary.files
        notes.problems = summary.problems.map(\.description)
        guard let traceID, let trace = try await trace(traceID) else { return nil }
        return Self.detail(of: id, in: trace, inherited: inherited, notes: notes)
    }

    /// A call joined within its trace's spans and logs.
    package static func detail(of id: SpanID, in trace: TraceDetail, inherited: [String], notes: ReadNotes) -> CallDetail? {
        var join = TraceJoin<GenAISpan>(inherited: inherited, variables: true, output: { $0.outputText }, payload: { $0 })
        for span in trace.spans { join.add(span) }
        for record in trace.logs { join.add(.log(record)) }
        let calls = join.finish()
        guard let found = calls.first(where: { $0.key.span == id }) else { return nil }
        var call = found.payload
        call.contentEvents += found.events.filter { !call.contentEvents.contains($0) }
        var notes = notes
        notes.calls = calls.count
        return CallDetail(
            call: call, promptName: found.promptName, promptVersion: found.promptVersion, attributes: found.attributes, variables: found.variables,
            wrapperOutput: found.wrapperOutput, notes: notes)
    }

    package func trace(_ id: TraceID) async throws -> TraceDetail? {
        var spans: [Span] = []
        var logs: [LogRecord] = []
        try TraceReader(maxLineBytes: maxLineBytes).read(paths) { item in
            switch item {
            case .span(let span) where span.trace == id: spans.append(span)
            case .log(let record) where record.trace == id: logs.append(record)
            default: break
            }
        }
        guard !spans.isEmpty || !logs.isEmpty else { return nil }
        spans.sort { ($0.start ?? 0, $0.id) < ($1.start ?? 0, $1.id) }
        return TraceDetail(spans: spans, logs: logs)
    }
}
