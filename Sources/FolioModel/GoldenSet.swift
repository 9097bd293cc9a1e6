/// A golden set (`schema: folio/goldenset@1`): regression cases for one prompt.
public struct GoldenSet: Sendable, Equatable, Codable {
    public static let schema = "folio/goldenset@1"

    public var prompt: String
    public var description: String?
    public var defaults: GoldenDefaults?
    public var cases: [GoldenCase]

    public init(prompt: String, description: String? = nil, defaults: GoldenDefaults? = nil, cases: [GoldenCase]) {
        self.prompt = prompt
        self.description = description
        self.defaults = defaults
        self.cases = cases
    }
}

/// Settings every case of a golden set inherits.
public struct GoldenDefaults: Sendable, Equatable, Codable {
    public var assertions: [Assertion]?
    public var threshold: Double?
    public var repeatCount: Int?

    public init(assertions: [Assertion]? = nil, threshold: Double? = nil, repeatCount: Int? = nil) {
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
public struct GoldenCase: Sendable, Equatable, Codable {
    public var id: String
    public var description: String?
    public var vars: [String: JSONValue]
    public var expected: String?
    public var assertions: [Assertion]?
    public var threshold: Double?
    public var repeatCount: Int?
    public var passRule: PassRule?
    public var source: CaseSource?

    public init(id: String, description: String? = nil, vars: [String: JSONValue] = [:], expected: String? = nil, assertions: [Assertion]? = nil, threshold: Double? = nil, repeatCount: Int? = nil, passRule: PassRule? = nil, source: CaseSource? = nil) {
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
public struct PassRule: Sendable, Equatable, Codable {
    public var minPasses: Int

    public init(minPasses: Int) {
        self.minPasses = minPasses
    }

    enum CodingKeys: String, CodingKey {
        case minPasses = "min_passes"
    }
}

/// Where a case came from: the production span it was captured from.
public struct CaseSource: Sendable, Equatable, Codable {
    public var traceID: String?
    public var spanID: String?

    public init(traceID: String? = nil, spanID: String? = nil) {
        self.traceID = traceID
        self.spanID = spanID
    }

    enum CodingKeys: String, CodingKey {
        case traceID = "trace_id"
        case spanID = "span_id"
    }
}

/// One check on a model's answer. `type` may carry a `not-` prefix.
public struct Assertion: Sendable, Equatable, Codable {
    /// The assertion types Folio knows, without the `not-` prefix.
    public static let knownTypes: [String] = [
        "equals", "contains", "icontains", "regex", "starts-with", "one-of", "is-json",
        "json-path", "similar", "llm-rubric", "latency", "cost", "tokens",
    ]

    public var type: String
    public var value: JSONValue?
    public var normalize: [String]?
    public var threshold: Double?
    public var weight: Double?
    public var path: String?
    public var schema: JSONValue?

    public init(type: String, value: JSONValue? = nil, normalize: [String]? = nil, threshold: Double? = nil, weight: Double? = nil, path: String? = nil, schema: JSONValue? = nil) {
        self.type = type
        self.value = value
        self.normalize = normalize
        self.threshold = threshold
        self.weight = weight
        self.path = path
        self.schema = schema
    }

    /// True for a `not-` type.
    public var isNegated: Bool { type.hasPrefix("not-") }

    /// The type without its `not-` prefix.
    public var baseType: String { isNegated ? String(type.dropFirst(4)) : type }

    /// The types that compare with the case's `expected:` when they have no `value:`.
    public static let expectedReaders: Set<String> = ["equals", "contains", "icontains", "regex", "starts-with", "one-of", "json-path", "similar", "llm-rubric"]

    /// True when this assertion checks the case's `expected:`.
    public var readsExpected: Bool { value == nil && Self.expectedReaders.contains(baseType) }
}
