/// A golden set (`schema: folio/goldenset@1`): regression cases for one prompt.
package struct GoldenSet: Sendable, Equatable, Codable {
    package static let schema = "folio/goldenset@1"

    package var prompt: String
    package var description: String?
    package var defaults: GoldenDefaults?
    package var cases: [GoldenCase]

    package init(prompt: String, description: String? = nil, defaults: GoldenDefaults? = nil, cases: [GoldenCase]) {
        self.prompt = prompt
        self.description = description
        self.defaults = defaults
        self.cases = cases
    }
}

/// Settings every case of a golden set inherits.
package struct GoldenDefaults: Sendable, Equatable, Codable {
    package var assertions: [Assertion]?
    package var threshold: Double?
    package var repeatCount: Int?

    package init(assertions: [Assertion]? = nil, threshold: Double? = nil, repeatCount: Int? = nil) {
        self.assertions = assertions
        self.threshold = threshold
        self.repeatCount = repeatCount
    }

    enum CodingKeys: String, CodingKey {
        case assertions = "assert"
        case threshold
        case repeatCount = "repeat"
    }
}

/// One case of a golden set.
package struct GoldenCase: Sendable, Equatable, Codable {
    package var id: String
    package var description: String?
    package var vars: [String: JSONValue]
    package var expected: String?
    package var assertions: [Assertion]?
    package var threshold: Double?
    package var repeatCount: Int?
    package var passRule: PassRule?
    package var source: CaseSource?

    package init(
        id: String, description: String? = nil, vars: [String: JSONValue] = [:], expected: String? = nil, assertions: [Assertion]? = nil, threshold: Double? = nil, repeatCount: Int? = nil,
        passRule: PassRule? = nil, source: CaseSource? = nil
    ) {
        self.id = id
        self.description = description
        self.vars = vars
        self.expected = expected
        self.assertions = assertions
        self.threshold = threshold
        self.repeatCount = repeatCount
        self.passRule = passRule
        self.source = source
    }

    enum CodingKeys: String, CodingKey {
        case id, description, vars, expected, threshold, source
        case assertions = "assert"
        case repeatCount = "repeat"
        case passRule = "pass_rule"
    }
}

/// `pass_rule: {min_passes: k}`: how many of a case's `repeat` samples must pass.
package struct PassRule: Sendable, Equatable, Codable {
    package var minPasses: Int

    package init(minPasses: Int) {
        self.minPasses = minPasses
    }

    enum CodingKeys: String, CodingKey {
        case minPasses = "min_passes"
    }
}

/// Where a case came from: the production span it was captured from.
package struct CaseSource: Sendable, Equatable, Codable {
    package var traceID: String?
    package var spanID: String?

    package init(traceID: String? = nil, spanID: String? = nil) {
        self.traceID = traceID
        self.spanID = spanID
    }

    enum CodingKeys: String, CodingKey {
        case traceID = "trace_id"
        case spanID = "span_id"
    }
}

/// One check on a model's answer. `type` may carry a `not-` prefix.
package struct Assertion: Sendable, Equatable, Codable {
    /// The assertion types Folio knows, without the `not-` prefix.
    package static let knownTypes: [String] = [
        "equals", "contains", "icontains", "regex", "starts-with", "one-of", "is-json",
        "json-path", "similar", "llm-rubric", "latency", "cost", "tokens",
    ]

    package var type: String
    package var value: JSONValue?
    package var normalize: [String]?
    package var threshold: Double?
    package var weight: Double?
    package var path: String?
    package var schema: JSONValue?

    package init(type: String, value: JSONValue? = nil, normalize: [String]? = nil, threshold: Double? = nil, weight: Double? = nil, path: String? = nil, schema: JSONValue? = nil) {
        self.type = type
        self.value = value
        self.normalize = normalize
        self.threshold = threshold
        self.weight = weight
        self.path = path
        self.schema = schema
    }

    /// True for a `not-` type.
    package var isNegated: Bool { type.hasPrefix("not-") }

    /// The type without its `not-` prefix.
    package var baseType: String { isNegated ? String(type.dropFirst(4)) : type }

    /// The types that compare with the case's `expected:` when they have no `value:`.
    package static let expectedReaders: Set<String> = ["equals", "contains", "icontains", "regex", "starts-with", "one-of", "json-path", "similar", "llm-rubric"]

    /// True when this assertion checks the case's `expected:`.
    package var readsExpected: Bool { value == nil && Self.expectedReaders.contains(baseType) }
}
