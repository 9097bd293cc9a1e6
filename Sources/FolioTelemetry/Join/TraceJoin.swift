import Foundation

/// A span's identity: trace id and span id as integers.
package struct SpanKey: Hashable, Sendable {
    package let trace: TraceID
    package let span: SpanID

    package init(trace: TraceID, span: SpanID) {
        self.trace = trace
        self.span = span
    }

    func with(_ span: SpanID) -> SpanKey { SpanKey(trace: trace, span: span) }
}

/// Joins LLM calls to what apps record around them. An app wraps an auto-instrumented call
/// in a span of its own that names the prompt (`gen_ai.prompt.name`/`version`) and carries
/// business labels; the instrumentation's child span is the call (and when the wrapper is
/// itself a call span, such as an SDK's `chat` span, only the innermost call counts). A call
/// inherits the prompt identity, every attribute in `inherited` and (when asked) the
/// prompt's variables from the nearest span up its parent chain that has them (its own
/// first), gets the content log records tied to its span id, and, when it has no output of
/// its own, the output recorded on the nearest call span that wraps it (an SDK's prompt span
/// with `record_output`).
///
/// Spans arrive in any order and from any file (exporters send children before parents),
/// so nothing is decided until `finish()`. Memory: for every span a parent link and, when
/// it has them, its identity and inherited attributes (about 100 bytes); for every call the
/// `Payload` its command keeps; for every call's content, the events `keepEvent` keeps. No
/// span's other attributes are kept.
package struct TraceJoin<Payload> {
    /// A joined call.
    package struct Call {
        package let key: SpanKey
        package let payload: Payload
        /// Content log records (and content span events) of the call, in arrival order.
        package let events: [ContentEvent]
        package let promptName: String?
        package let promptVersion: String?
        /// The `inherited` attributes, from the call or its nearest ancestor that has each.
        package let attributes: [String: String]
        /// The prompt's variables, from the call or its nearest ancestor that records any
        /// (only when the join was asked to keep them).
        package let variables: [String: String]
        /// The output of the nearest wrapping call span, when this call has none of its own.
        package let wrapperOutput: String?
    }

    private struct Node {
        var parent: SpanID?
        /// Index into `carried`, or -1.
        var carried: Int32
    }

    private struct Carried {
        var promptName: String?
        var promptVersion: String?
        /// Where this span's inherited attributes start in `values` (one slot per key of
        /// `inherited`), or -1 when it has none.
        var values: Int32
        var variables: [String: String]?
    }

    /// How far up a parent chain to look (also what stops a cycle).
    package static var maximumDepth: Int { 128 }

    package let inherited: [String]
    private let keepVariables: Bool
    private let makePayload: (GenAISpan) -> Payload?
    private let outputOf: (Payload) -> String?
    private let keepEvent: (ContentEvent) -> Bool
    private var nodes: [SpanKey: Node] = [:]
    private var carried: [Carried] = []
    /// The inherited attributes of every carrying span, `inherited.count` slots each: one
    /// flat array rather than a dictionary per span.
    private var values: [String?] = []
    /// Names, versions and attribute text repeat across spans: one copy of each.
    private var interned: [String: String] = [:]
    private var calls: [(key: SpanKey, payload: Payload)] = []
    private var events: [SpanKey: [ContentEvent]] = [:]

    /// - Parameters:
    ///   - inherited: attribute keys a call takes from its ancestors (labels, `--where` keys).
    ///   - variables: whether calls take the prompt's variables from their ancestors.
    ///   - keepEvent: which content events to keep (a report needs only the output).
    ///   - output: a payload's own output, so a call without one can take its wrapper's.
    ///   - payload: what a command keeps of a call span; nil leaves the span out (a filter
    ///     that needs no inherited value, such as one span id). It is asked only for calls.
    package init(
        inherited: [String] = [], variables: Bool = false, keepEvent: @escaping (ContentEvent) -> Bool = { _ in true },
        output: @escaping (Payload) -> String? = { _ in nil }, payload: @escaping (GenAISpan) -> Payload?
    ) {
        self.inherited = inherited
        self.keepVariables = variables
        self.keepEvent = keepEvent
        self.outputOf = output
        self.makePayload = payload
    }

    package mutating func add(_ item: TelemetryItem) {
        switch item {
        case .span(let span): add(span)
        case .log(let record):
            guard let event = record.contentEvent, keepEvent(event), let trace = record.trace, let span = record.span else { return }
            events[SpanKey(trace: trace, span: span), default: []].append(event)
        }
    }

    package mutating func add(_ span: Span) {
        let key = SpanKey(trace: span.trace, span: span.id)
        let call = GenAISpan(span)
        var node = Node(parent: span.parent, carried: -1)
        var own: [String?] = []
        // A span attribute, else the resource's (service.name, deployment.environment).
        for name in inherited { own.append((span.attributes[name] ?? span.resource[name]).map { intern($0) }) }
        let name = call?.promptName.map { intern($0) }, version = call?.promptVersion.map { intern($0) }
        let variables = keepVariables && call != nil ? GenAISpan.variables(in: span.attributes) : [:]
        if name != nil || version != nil || own.contains(where: { $0 != nil }) || !variables.isEmpty {
            var found = Carried(promptName: name, promptVersion: version, values: -1, variables: variables.isEmpty ? nil : variables)
            if own.contains(where: { $0 != nil }) {
                found.values = Int32(values.count)
                values += own
            }
            node.carried = Int32(carried.count)
            carried.append(found)
        }
        nodes[key] = node
        for event in span.contentEvents where keepEvent(event) { events[key, default: []].append(event) }
        guard let call, call.isCall, let payload = makePayload(call) else { return }
        calls.append((key, payload))
    }

    private mutating func intern(_ text: String) -> String {
        if let known = interned[text] { return known }
        if interned.count < 100_000 { interned[text] = text }
        return text
    }

    private func parent(of key: SpanKey) -> SpanKey? {
        nodes[key]?.parent.map { key.with($0) }
    }

    /// Every call, in the order the spans were read, joined. A call span with another call
    /// span beneath it (an SDK's `chat` span around an instrumentation's span for the same
    /// request) is a wrapper of that call: only the innermost is counted.
    package func finish() -> [Call] {
        let callKeys = Set(calls.map(\.key))
        var wrapping = Set<SpanKey>()
        for (key, _) in calls {
            var current = parent(of: key)
            var depth = 0
            while let at = current, depth < Self.maximumDepth {
                if callKeys.contains(at) { wrapping.insert(at) }
                current = parent(of: at)
                depth += 1
            }
        }
        var wrapperOutputs: [SpanKey: String] = [:]
        for (key, payload) in calls where wrapping.contains(key) {
            if let output = outputOf(payload) { wrapperOutputs[key] = output }
        }
        var result: [Call] = []
        result.reserveCapacity(calls.count)
        for (key, payload) in calls where !wrapping.contains(key) {
            var name: String?
            var version: String?
            var attributes: [String: String] = [:]
            var variables: [String: String]?
            var wrapperOutput: String?
            let needsOutput = !wrapperOutputs.isEmpty && outputOf(payload) == nil
            var current: SpanKey? = key
            var depth = 0
            while let at = current, depth < Self.maximumDepth, let node = nodes[at] {
                if needsOutput, wrapperOutput == nil, at != key { wrapperOutput = wrapperOutputs[at] }
                if node.carried >= 0 {
                    let found = carried[Int(node.carried)]
                    if name == nil, version == nil, found.promptName != nil || found.promptVersion != nil {
                        name = found.promptName
                        version = found.promptVersion
                    }
                    if variables == nil, let own = found.variables { variables = own }
                    if found.values >= 0 {
                        for (offset, attribute) in inherited.enumerated() where attributes[attribute] == nil {
                            if let value = values[Int(found.values) + offset] { attributes[attribute] = value }
                        }
                    }
                }
                if name != nil, attributes.count == inherited.count, !keepVariables || variables != nil, !needsOutput || wrapperOutput != nil { break }
                current = parent(of: at)
                depth += 1
            }
            result.append(
                Call(
                    key: key, payload: payload, events: events[key] ?? [], promptName: name, promptVersion: version, attributes: attributes,
                    variables: variables ?? [:], wrapperOutput: wrapperOutput))
        }
        return result
    }
}
