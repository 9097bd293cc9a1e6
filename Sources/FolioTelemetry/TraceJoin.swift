import Foundation

/// A span's identity in 24 bytes: trace id and span id as integers, not hex strings.
struct SpanKey: Hashable, Sendable {
    let traceHigh: UInt64
    let traceLow: UInt64
    let span: UInt64

    init?(trace: String?, span: String?) {
        guard let trace, let span, trace.utf8.count == 32, span.utf8.count == 16,
            let high = UInt64(trace.prefix(16), radix: 16), let low = UInt64(trace.suffix(16), radix: 16),
            let spanValue = UInt64(span, radix: 16)
        else { return nil }
        traceHigh = high
        traceLow = low
        self.span = spanValue
    }

    init(traceHigh: UInt64, traceLow: UInt64, span: UInt64) {
        self.traceHigh = traceHigh
        self.traceLow = traceLow
        self.span = span
    }

    func withSpan(_ span: UInt64) -> SpanKey { SpanKey(traceHigh: traceHigh, traceLow: traceLow, span: span) }
}

/// Joins LLM calls to what apps record around them. An app wraps an auto-instrumented call
/// in a span of its own that names the prompt (`gen_ai.prompt.name`/`version`) and carries
/// business labels; the instrumentation's child span is the call (and when the wrapper is
/// itself a call span, such as an SDK's `chat` span, only the innermost call counts). A call inherits the
/// prompt identity and every attribute in `inherited` from the nearest span up its parent
/// chain that has it (its own first), and gets the content log records tied to its span id.
///
/// Spans arrive in any order and from any file (exporters send children before parents),
/// so nothing is decided until `finish()`. Memory: for every span a parent link and, when
/// it has them, its identity and inherited attributes (about 100 bytes); for every call the
/// `Payload` its command keeps; for every call's content, the events `keepEvent` keeps. No
/// span's other attributes are kept.
package struct TraceJoin<Payload> {
    /// A joined call.
    package struct Call {
        package let payload: Payload
        /// Content log records (and content span events) of the call, in arrival order.
        package let events: [ContentEvent]
        package let promptName: String?
        package let promptVersion: String?
        /// The `inherited` attributes, from the call or its nearest ancestor that has each.
        package let attributes: [String: AttributeValue]
    }

    private struct Node {
        var parent: UInt64
        /// Index into `carried`, or -1.
        var carried: Int32
    }

    private struct Carried {
        var promptName: String?
        var promptVersion: String?
        /// Where this span's inherited attributes start in `values` (one slot per key of
        /// `inherited`), or -1 when it has none.
        var values: Int32
    }

    /// How far up a parent chain to look (also what stops a cycle).
    static var maximumDepth: Int { 128 }

    package let inherited: [String]
    private let makePayload: (GenAISpan) -> Payload?
    private let keepEvent: (ContentEvent) -> Bool
    private var nodes: [SpanKey: Node] = [:]
    private var carried: [Carried] = []
    /// The inherited attributes of every carrying span, `inherited.count` slots each: one
    /// flat array rather than a dictionary per span.
    private var values: [AttributeValue?] = []
    /// Names, versions and attribute text repeat across spans: one copy of each.
    private var interned: [String: String] = [:]
    private var calls: [(key: SpanKey, payload: Payload)] = []
    private var events: [SpanKey: [ContentEvent]] = [:]
    /// Spans without usable ids: counted as calls, with nothing to join.
    private var unkeyed: [Payload] = []

    /// - Parameters:
    ///   - inherited: attribute keys a call takes from its ancestors (labels, `--where` keys).
    ///   - keepEvent: which content events to keep (a report needs only the output).
    ///   - payload: what a command keeps of a call span; nil leaves the span out (a filter
    ///     that needs no inherited value, such as one span id). It is asked only for calls.
    package init(inherited: [String] = [], keepEvent: @escaping (ContentEvent) -> Bool = { _ in true }, payload: @escaping (GenAISpan) -> Payload?) {
        self.inherited = inherited
        self.keepEvent = keepEvent
        self.makePayload = payload
    }

    package mutating func add(_ item: TelemetryItem) {
        switch item {
        case .span(let record): add(record)
        case .log(let entry):
            guard let event = entry.contentEvent, keepEvent(event), let key = SpanKey(trace: entry.traceID, span: entry.spanID) else { return }
            events[key, default: []].append(event)
        }
    }

    package mutating func add(_ record: SpanRecord) {
        let key = SpanKey(trace: record.traceID, span: record.spanID)
        let span = GenAISpan(record)
        if let key {
            var node = Node(parent: record.parentSpanID.flatMap { UInt64($0, radix: 16) } ?? 0, carried: -1)
            var own: [AttributeValue?] = []
            // A span attribute, else the resource's (service.name, deployment.environment).
            for key in inherited { own.append((record.attributes[key] ?? record.resource[key]).map { intern($0) }) }
            let name = span?.promptName.map { intern($0) }, version = span?.promptVersion.map { intern($0) }
            if name != nil || version != nil || own.contains(where: { $0 != nil }) {
                var found = Carried(promptName: name, promptVersion: version, values: -1)
                if own.contains(where: { $0 != nil }) {
                    found.values = Int32(values.count)
                    values += own
                }
                node.carried = Int32(carried.count)
                carried.append(found)
            }
            nodes[key] = node
            for event in record.contentEvents where keepEvent(event) { events[key, default: []].append(event) }
        }
        guard let span, span.isCall, let payload = makePayload(span) else { return }
        if let key { calls.append((key, payload)) } else { unkeyed.append(payload) }
    }

    private mutating func intern(_ text: String) -> String {
        if let known = interned[text] { return known }
        if interned.count < 100_000 { interned[text] = text }
        return text
    }

    private mutating func intern(_ value: AttributeValue) -> AttributeValue {
        if case .string(let text) = value { return .string(intern(text)) }
        return value
    }

    /// Every call, in the order the spans were read, joined. A call span with another call
    /// span beneath it (an SDK's `chat` span around an instrumentation's span for the same
    /// request) is a wrapper of that call: only the innermost is counted.
    package func finish() -> [Call] {
        let callKeys = Set(calls.map(\.key))
        var wrapping = Set<SpanKey>()
        for (key, _) in calls {
            var current = nodes[key].flatMap { $0.parent == 0 ? nil : key.withSpan($0.parent) }
            var depth = 0
            while let at = current, depth < Self.maximumDepth {
                if callKeys.contains(at) { wrapping.insert(at) }
                current = nodes[at].flatMap { $0.parent == 0 ? nil : at.withSpan($0.parent) }
                depth += 1
            }
        }
        var result: [Call] = []
        result.reserveCapacity(calls.count + unkeyed.count)
        for (key, payload) in calls where !wrapping.contains(key) {
            var name: String?
            var version: String?
            var attributes: [String: AttributeValue] = [:]
            var current: SpanKey? = key
            var depth = 0
            while let at = current, depth < Self.maximumDepth, let node = nodes[at] {
                if node.carried >= 0 {
                    let found = carried[Int(node.carried)]
                    if name == nil, version == nil, found.promptName != nil || found.promptVersion != nil {
                        name = found.promptName
                        version = found.promptVersion
                    }
                    if found.values >= 0 {
                        for (offset, attribute) in inherited.enumerated() where attributes[attribute] == nil {
                            if let value = values[Int(found.values) + offset] { attributes[attribute] = value }
                        }
                    }
                }
                if name != nil, attributes.count == inherited.count { break }
                current = node.parent == 0 ? nil : at.withSpan(node.parent)
                depth += 1
            }
            result.append(Call(payload: payload, events: events[key] ?? [], promptName: name, promptVersion: version, attributes: attributes))
        }
        for payload in unkeyed { result.append(Call(payload: payload, events: [], promptName: nil, promptVersion: nil, attributes: [:])) }
        return result
    }
}
