import FolioModel
import Foundation

/// Where the trace commands and `folio ui` read spans: a folder of files (`FileTraceSource`)
/// or the Collector's tables in ClickHouse. Every operation answers with joined LLM calls
/// (a call takes its prompt identity and labels from its nearest ancestor, and a wrapper
/// span is not a call); both implementations pass one test suite and give the same answers
/// for the same spans.
package protocol TraceSource: Sendable {
    /// A name for messages (`traces/`, `clickhouse://host:8123/otel`), never a password.
    var name: String { get }

    /// Calls grouped and aggregated: the numbers of `folio report` and `folio alert`.
    func report(_ request: ReportRequest) async throws -> ReportResult

    /// One page of calls, newest first.
    func calls(_ request: CallsRequest) async throws -> CallPage

    /// One call by its span id, with everything about it: the span, its content, what it
    /// inherits. Nil when no call has that id.
    func call(_ id: SpanID, inherited: [String]) async throws -> CallDetail?

    /// The calls of a page (newest first, as `calls` pages them) with everything about
    /// each: what `goldenset add --where` turns into cases.
    func details(_ request: CallsRequest) async throws -> [CallDetail]

    /// Every span and log record of one trace.
    func trace(_ id: TraceID) async throws -> TraceDetail?
}

/// Which calls an operation looks at. Prompt, version and `--where` attributes may come
/// from an ancestor span; `service` is the resource's `service.name`.
package struct TraceFilter: Sendable, Equatable {
    package var prompt: String?
    package var version: String?
    package var service: String?
    /// Calls that started at or after this time.
    package var since: Date?
    /// Calls that started before this time.
    package var until: Date?
    package var errorsOnly = false
    /// `--where key=value`: the call's attribute, an ancestor's, or its resource's.
    package var conditions: [Condition] = []

    package struct Condition: Sendable, Equatable {
        package var key: String
        package var value: String

        package init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    package init(
        prompt: String? = nil, version: String? = nil, service: String? = nil, since: Date? = nil, until: Date? = nil, errorsOnly: Bool = false,
        conditions: [Condition] = []
    ) {
        self.prompt = prompt
        self.version = version
        self.service = service
        self.since = since
        self.until = until
        self.errorsOnly = errorsOnly
        self.conditions = conditions
    }

    /// The attribute keys the filter reads, which calls inherit from their ancestors.
    package var attributeKeys: [String] { conditions.map(\.key) }

    /// Whether a joined call passes.
    package func matches(promptName: String?, promptVersion: String?, service: String, start: Date, isError: Bool, attributes: [String: String]) -> Bool {
        if let prompt, promptName != prompt { return false }
        if let version, promptVersion != version { return false }
        if let wanted = self.service, service != wanted { return false }
        if errorsOnly && !isError { return false }
        if let since, start < since { return false }
        if let until, start >= until { return false }
        for condition in conditions where attributes[condition.key] != condition.value { return false }
        return true
    }
}

/// What a call is grouped by: its prompt, version or model, or any attribute (its own or
/// an ancestor's).
package enum GroupKey: Sendable, Equatable, Hashable {
    case prompt, version, model
    case attribute(String)

    package init(_ text: String) {
        switch text {
        case "prompt": self = .prompt
        case "version": self = .version
        case "model": self = .model
        default: self = .attribute(text)
        }
    }

    package var name: String {
        switch self {
        case .prompt: return "prompt"
        case .version: return "version"
        case .model: return "model"
        case .attribute(let key): return key
        }
    }
}

package struct ReportRequest: Sendable {
    package var filter: TraceFilter
    /// Group by these keys (their values joined by a space name the group), or, with
    /// `selectors`, into the groups "0" and "1" of a comparison.
    package var groupBy: [GroupKey]
    /// Two groups to compare (`version=1`, `version=2`); a call may count in both.
    package var selectors: [(key: GroupKey, value: String)]?
    /// The attribute that holds the expected label, compared with the output.
    package var labelAttribute: String?
    /// Keep only the calls that started within this long before the newest call (after
    /// the filter): `folio alert --window`.
    package var window: TimeInterval?
    package var prices: [String: ModelPrice]
    /// Percentiles by the store's approximate quantile instead of the exact nearest rank
    /// (ClickHouse only; the report says so).
    package var approximate = false

    package init(
        filter: TraceFilter = TraceFilter(), groupBy: [GroupKey] = [.prompt, .version], selectors: [(key: GroupKey, value: String)]? = nil,
        labelAttribute: String? = nil, window: TimeInterval? = nil, prices: [String: ModelPrice] = [:], approximate: Bool = false
    ) {
        self.filter = filter
        self.groupBy = groupBy
        self.selectors = selectors
        self.labelAttribute = labelAttribute
        self.window = window
        self.prices = prices
        self.approximate = approximate
    }

    /// The attribute keys calls must inherit to answer this request.
    package var inherited: [String] {
        var keys = filter.attributeKeys + [labelAttribute].compactMap { $0 }
        for key in groupBy + (selectors ?? []).map(\.key) { if case .attribute(let name) = key { keys.append(name) } }
        return Array(Set(keys)).sorted()
    }
}

/// What was read to answer, for the line the commands print on standard error.
package struct ReadNotes: Sendable {
    package var calls = 0
    package var spans = 0
    package var logs = 0
    /// Files read, for a file source.
    package var files = 0
    package var problems: [String] = []

    package init() {}

    package var summary: String {
        let logs = self.logs > 0 ? ", \(self.logs) log record(s)" : ""
        let files = self.files > 0 ? " in \(self.files) file(s)" : ""
        // A store that aggregates where the spans are counts calls, not what it read.
        let read = spans > 0 || self.files > 0 ? " among \(spans) span(s)\(logs)\(files)" : ""
        return "\(calls) LLM call(s)\(read)" + (problems.isEmpty ? "" : ", \(problems.count) warning(s)")
    }
}

package struct ReportResult: Sendable {
    package var report: TraceReport
    package var notes: ReadNotes
    /// Whether the percentiles are the store's approximation (`ReportRequest.approximate`
    /// where the store has one), not the exact nearest rank.
    package var approximatePercentiles: Bool

    package init(report: TraceReport, notes: ReadNotes, approximatePercentiles: Bool = false) {
        self.report = report
        self.notes = notes
        self.approximatePercentiles = approximatePercentiles
    }
}

package struct CallsRequest: Sendable {
    package var filter: TraceFilter
    package var limit: Int
    /// Where the previous page ended (`CallPage.next`).
    package var cursor: CallCursor?
    /// Attributes to bring along with each call (labels, `--where` keys): its own or an
    /// ancestor's.
    package var attributes: [String]
    package var prices: [String: ModelPrice]

    package init(filter: TraceFilter = TraceFilter(), limit: Int = 100, cursor: CallCursor? = nil, attributes: [String] = [], prices: [String: ModelPrice] = [:]) {
        self.filter = filter
        self.limit = limit
        self.cursor = cursor
        self.attributes = attributes
        self.prices = prices
    }
}

/// Where a page of calls ended: the start and span id of its last row (newest first, ties
/// broken by span id). Written as text for `--cursor`.
package struct CallCursor: Sendable, Equatable, CustomStringConvertible {
    package var start: UInt64
    package var span: SpanID

    package init(start: UInt64, span: SpanID) {
        self.start = start
        self.span = span
    }

    package init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let start = UInt64(parts[0]), let span = SpanID(hex: parts[1]) else { return nil }
        self.init(start: start, span: span)
    }

    package var description: String { "\(start)-\(span.hex)" }

    /// Whether a row (start, span) comes after this cursor, newest first.
    package func precedes(start: UInt64, span: SpanID) -> Bool {
        start < self.start || (start == self.start && span < self.span)
    }
}

/// One call as a listing shows it.
package struct CallRow: Sendable, Equatable {
    package var trace: TraceID
    package var span: SpanID
    /// Unix nanoseconds.
    package var start: UInt64
    package var promptName: String?
    package var promptVersion: String?
    package var service: String
    package var model: String?
    package var provider: String?
    package var inputTokens: Int64?
    package var outputTokens: Int64?
    package var latencyMs: Double?
    package var timeToFirstChunkMs: Double?
    package var status: Span.Status
    package var isError: Bool
    /// The first user message, at most `CallRow.excerptLimit` characters.
    package var input: String?
    package var output: String?
    /// Nil when the model's price or a token count is unknown.
    package var costUSD: Double?
    /// The requested attributes the call has (its own or an ancestor's).
    package var attributes: [String: String]

    package static let excerptLimit = 200

    package init(
        trace: TraceID, span: SpanID, start: UInt64, promptName: String?, promptVersion: String?, service: String, model: String?, provider: String?,
        inputTokens: Int64?, outputTokens: Int64?, latencyMs: Double?, timeToFirstChunkMs: Double?, status: Span.Status, isError: Bool, input: String?,
        output: String?, costUSD: Double?, attributes: [String: String]
    ) {
        self.trace = trace
        self.span = span
        self.start = start
        self.promptName = promptName
        self.promptVersion = promptVersion
        self.service = service
        self.model = model
        self.provider = provider
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.latencyMs = latencyMs
        self.timeToFirstChunkMs = timeToFirstChunkMs
        self.status = status
        self.isError = isError
        self.input = input
        self.output = output
        self.costUSD = costUSD
        self.attributes = attributes
    }

    package var startDate: Date { Date(timeIntervalSince1970: Double(start) / 1e9) }
}

package struct CallPage: Sendable {
    package var rows: [CallRow]
    /// The cursor of the next page, nil on the last.
    package var next: CallCursor?
    package var notes: ReadNotes

    package init(rows: [CallRow], next: CallCursor?, notes: ReadNotes) {
        self.rows = rows
        self.next = next
        self.notes = notes
    }
}

/// A call with everything about it.
package struct CallDetail: Sendable {
    /// The call span with its content events (its own and the log records tied to it).
    package var call: GenAISpan
    package var promptName: String?
    package var promptVersion: String?
    /// The requested attributes, its own or an ancestor's.
    package var attributes: [String: String]
    /// The prompt's variables, its own or the nearest ancestor's that records any.
    package var variables: [String: String]
    /// The output of the call span that wraps it, when it has none of its own.
    package var wrapperOutput: String?
    package var notes: ReadNotes

    package var output: String? { call.outputText ?? wrapperOutput }
}

/// A trace: its spans (in start order) and its log records.
package struct TraceDetail: Sendable {
    package var spans: [Span]
    package var logs: [LogRecord]

    package init(spans: [Span], logs: [LogRecord]) {
        self.spans = spans
        self.logs = logs
    }
}
