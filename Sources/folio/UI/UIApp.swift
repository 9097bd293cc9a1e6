import FolioCore
import FolioModel
import FolioTelemetry
import Foundation

/// What `folio ui` shows and does: the repository it was started in, the trace source
/// `folio report` would read, and the session. Each page reads afresh (the working tree and
/// the traces change under it); each write goes through the CLI's own code
/// (`PromptDrafts`, `GoldenSetCases`, `Promoter`).
struct UIApp: Sendable {
    /// The repository's root.
    let root: URL
    let source: any TraceSource
    let session: UISession
    /// Attributes shown as columns of the Traces page and offered as labels.
    let labels: [String]
    /// The environment variables commands see (signing key, API keys, identity).
    let variables: [String: String]

    func repository() throws -> PromptRepository {
        try PromptRepository(discovering: root.path)
    }

    static let pageSize = 50

    // MARK: - Traces

    func filter(_ query: UIQuery) -> TraceFilter {
        TraceFilter(
            prompt: query.value("prompt"), version: query.value("version"), service: query.value("service"),
            since: query.value("since").flatMap { TraceOptions.time($0, now: Date()) }, until: query.value("until").flatMap { TraceOptions.time($0, now: Date()) },
            errorsOnly: query.value("errors") != nil,
            conditions: query.values("where").compactMap { condition in
                let parts = condition.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
                return parts.count == 2 ? TraceFilter.Condition(key: parts[0], value: parts[1]) : nil
            })
    }

    func traces(_ query: UIQuery) async throws -> String {
        let filter = self.filter(query)
        let shown = Array(Set(labels + filter.conditions.map(\.key))).sorted()
        let page = try await source.calls(
            CallsRequest(filter: filter, limit: Self.pageSize, cursor: query.value("cursor").flatMap(CallCursor.init), attributes: shown, prices: prices()))
        let filters = """
            <form class="filters" method="get" action="/traces" role="search" aria-label="Filter calls">
            \(HTML.field("prompt", label: "Prompt", value: query.value("prompt")))
            \(HTML.field("version", label: "Version", value: query.value("version")))
            \(HTML.field("since", label: "Since", value: query.value("since"), placeholder: "24h or 2026-12-01"))
            \(HTML.field("until", label: "Until", value: query.value("until")))
            \(HTML.field("where", label: "Attribute = value", value: query.values("where").first, placeholder: "triage.category=billing"))
            <label class="inline"><input type="checkbox" name="errors" value="1"\(query.value("errors") != nil ? " checked" : "")> Errors only</label>
            <button type="submit">Filter</button>
            </form>
            """
        let rows = page.rows.map { row -> [String] in
            let prompt = row.promptName.map { name in row.promptVersion.map { "\(name)@\($0)" } ?? name } ?? "-"
            let tokens = "\(row.inputTokens.map(String.init) ?? "-")/\(row.outputTokens.map(String.init) ?? "-")"
            return [
                "<input type=\"checkbox\" name=\"span\" value=\"\(row.span.hex)\" aria-label=\"Select call \(row.span.hex)\">",
                "<a href=\"/calls/\(row.span.hex)\">\(HTML.escape(Self.time(row.startDate)))</a>",
                HTML.escape(prompt), HTML.escape(row.model ?? "-"), HTML.escape(Self.excerpt(row.input)), HTML.escape(Self.excerpt(row.output)),
                row.latencyMs.map { String(format: "%.0f ms", $0) } ?? "n/a", tokens, row.costUSD.map(Money.text) ?? "n/a",
                row.isError ? "<span class=\"bad\">error</span>" : HTML.escape(row.status.rawValue),
            ] + shown.map { HTML.escape(row.attributes[$0] ?? "") }
        }
        let header = ["", "Time (UTC)", "Prompt", "Model", "Input", "Output", "Latency", "Tokens in/out", "Cost", "Status"] + shown
        var pairs: [(String, String?)] = ["prompt", "version", "since", "until", "errors"].map { ($0, query.value($0)) }
        pairs += query.values("where").map { ("where", $0) }
        let next = page.next.map { "<p><a rel=\"next\" href=\"/traces\(HTML.query(pairs + [("cursor", $0.description)]))\">Older calls →</a></p>" } ?? ""
        let sets = ((try? repository().workingTreeWorkspace())?.goldenSets.map(\.path).sorted()) ?? []
        let add = """
            <fieldset><legend>Add the selected calls to a golden set</legend>
            <label class="inline"><input type="checkbox" id="select-all" hidden> Select every call on this page</label>
            <label>Golden set <input name="set" list="golden-sets" required placeholder="goldensets/support_ticket_triage/production_failures.yaml"></label>
            <datalist id="golden-sets">\(sets.map { "<option value=\"\(HTML.escape($0))\">" }.joined())</datalist>
            \(HTML.field("expected_attr", label: "Expected value from the attribute", value: labels.first))
            \(HTML.field("expected", label: "or this expected value"))
            <button type="submit">Add to golden set</button>
            </fieldset>
            """
        let body =
            filters + "<form method=\"post\" action=\"/goldensets/add\">\(HTML.csrf(session.csrf))"
            + HTML.table(header, rows, caption: "\(page.rows.count) call(s), newest first, from \(source.name)") + add + "</form>" + next
        return HTML.page(title: "Traces", active: "traces", body: page.rows.isEmpty ? filters + "<p>No LLM call matches.</p>" : body)
    }

    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime]
        return formatter.string(from: date)
    }

    static func excerpt(_ text: String?) -> String {
        guard let text else { return "" }
        let line = text.replacingOccurrences(of: "\n", with: " ")
        return line.count > 80 ? String(line.prefix(79)) + "…" : line
    }

    func prices() -> [String: ModelPrice] {
        (try? repository())?.config.prices ?? [:]
    }

    // MARK: - One call and its trace

    func detail(_ hex: String) async throws -> CallDetail {
        guard let id = SpanID(hex: hex) else { throw FolioError(.usage, "'\(hex)' is not a span id (16 hex digits)") }
        guard let detail = try await source.call(id, inherited: labels) else {
            throw FolioError(.usage, "no LLM call with span id \(hex) in \(source.name)")
        }
        return detail
    }

    func call(_ hex: String) async throws -> String {
        let detail = try await self.detail(hex)
        let call = detail.call
        let span = call.span
        var body = "<dl>"
        for (term, value) in [
            ("Prompt", "\(detail.promptName ?? "-")@\(detail.promptVersion ?? "-")"), ("Model", call.model ?? "-"), ("Provider", call.provider ?? "-"),
            ("Service", span.service), ("Started", Self.time(span.startDate)), ("Latency", call.latencyMs.map { String(format: "%.0f ms", $0) } ?? "n/a"),
            ("Tokens in/out", "\(call.inputTokens.map(String.init) ?? "-")/\(call.outputTokens.map(String.init) ?? "-")"),
            ("Status", call.isError ? "error \(span.statusMessage)" : span.status.rawValue), ("Trace", span.trace.hex), ("Span", span.id.hex),
        ] {
            body += "<dt>\(term)</dt><dd>\(HTML.escape(value))</dd>"
        }
        body += "</dl>"
        body += "<p><a href=\"/prompts/new?span=\(span.id.hex)\">Create prompt from this call</a></p>"
        for (title, messages) in [("System instructions", call.systemInstructions), ("Input", call.inputMessages), ("Output", call.outputMessages)] where !messages.isEmpty {
            body += "<h2>\(title)</h2>" + messages.map { "<div class=\"message\"><span class=\"role\">\(HTML.escape($0.role))</span>\n\(HTML.escape($0.content))</div>" }.joined()
        }
        if call.outputMessages.isEmpty, let wrapper = detail.wrapperOutput {
            body += "<h2>Output (on the wrapping span)</h2><div class=\"message\">\(HTML.escape(wrapper))</div>"
        }
        if !detail.variables.isEmpty {
            body += "<h2>Variables</h2>" + HTML.table(["Name", "Value"], detail.variables.sorted { $0.key < $1.key }.map { [HTML.escape($0.key), HTML.escape($0.value)] })
        }
        body += "<h2>Attributes</h2>" + HTML.table(["Key", "Value"], span.attributes.sorted { $0.key < $1.key }.map { [HTML.escape($0.key), HTML.escape($0.value)] })
        if !span.events.isEmpty {
            body +=
                "<h2>Events</h2>"
                + HTML.table(
                    ["Name", "Attributes"], span.events.map { [HTML.escape($0.name), HTML.escape($0.attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n"))] })
        }
        if let trace = try await source.trace(span.trace) {
            body += "<h2>Trace: \(trace.spans.count) span(s)</h2><pre class=\"tree\">" + TracesShowCommand.tree(trace.spans, marking: span.id).map(HTML.escape).joined(separator: "\n") + "</pre>"
            let logs = trace.logs.filter { $0.span == span.id }
            if !logs.isEmpty {
                body += "<h2>Log records tied to this call</h2>" + HTML.table(["Event", "Body"], logs.map { [HTML.escape($0.eventName ?? "-"), "<pre>\(HTML.escape($0.body))</pre>"] })
            }
        }
        return HTML.page(title: "Call \(span.id.hex)", active: "traces", body: body)
    }
}
