import FolioModel

/// The canonical record of an evaluation (`schema: folio/eval-report@1`): every sample
/// of every case on every side, with totals and the verdict. The other formats are
/// views of it.
public struct EvalReport: Sendable, Codable, Equatable {
    public static let schema = "folio/eval-report@1"
    public var schema = EvalReport.schema
    public var verdict: Verdict
    /// Why a run is inconclusive (budget, interruption, provider errors).
    public var reason: String?
    public var runs: [EvalRun]
    /// Wall time of the whole run.
    public var durationSeconds: Double
    /// What a reader must know about how the run was made (e.g. trusted head providers).
    public var notes: [String]?

    public init(verdict: Verdict, reason: String? = nil, runs: [EvalRun], durationSeconds: Double, notes: [String]? = nil) {
        self.verdict = verdict
        self.reason = reason
        self.runs = runs
        self.durationSeconds = durationSeconds
        self.notes = notes
    }

    enum CodingKeys: String, CodingKey {
        case schema, verdict, reason, runs, notes
        case durationSeconds = "duration_seconds"
    }
}

public enum Verdict: String, Sendable, Codable, Equatable {
    /// Every case passed (or, comparing, nothing that passed before fails now).
    case pass
    /// One version alone has failing cases.
    case fail
    /// A case that passed on the reference side fails on a candidate side.
    case regression
    /// The run did not finish: budget reached, interrupted, or a provider kept failing.
    case inconclusive
}

/// One golden set run against one or more sides.
public struct EvalRun: Sendable, Codable, Equatable {
    public var prompt: String
    public var goldenSet: String
    /// The first side is the reference (base, or the first model); the others are compared with it.
    public var sides: [EvalSideInfo]
    public var cases: [CaseResult]
    public var summaries: [SideSummary]
    /// Per candidate side (sides[1...]): cases that passed on the reference and fail here.
    public var comparisons: [Comparison]
    public var verdict: Verdict

    enum CodingKeys: String, CodingKey {
        case prompt, sides, cases, summaries, comparisons, verdict
        case goldenSet = "golden_set"
    }
}

/// What one side runs: a prompt version on a provider and model.
public struct EvalSideInfo: Sendable, Codable, Equatable {
    /// `base`, `head`, or the model name when models run side by side.
    public var label: String
    /// `v1`, `draft`, `draft@a1b2c3d`.
    public var version: String
    public var provider: String
    public var model: String

    public init(label: String, version: String, provider: String, model: String) {
        self.label = label
        self.version = version
        self.provider = provider
        self.model = model
    }
}

public struct CaseResult: Sendable, Codable, Equatable {
    public var id: String
    public var vars: [String: JSONValue]
    /// The last user message as rendered on the last side (what the model was asked).
    public var input: String
    public var expected: String?
    /// One per side, in the order of `EvalRun.sides`.
    public var sides: [SideCaseResult]
}

public struct SideCaseResult: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable { case pass, fail, error, skipped }
    public var status: Status
    public var passes: Int
    public var minPasses: Int
    /// Some samples passed and some failed.
    public var flaky: Bool
    public var samples: [Sample]

    enum CodingKeys: String, CodingKey {
        case status, passes, flaky, samples
        case minPasses = "min_passes"
    }
}

/// One call (one repeat) and how its answer scored.
public struct Sample: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable { case pass, fail, error, skipped }
    public var status: Status
    public var output: String?
    public var score: Double?
    public var assertions: [AssertionOutcome]
    public var latencyMs: Double?
    public var inputTokens: Int?
    public var outputTokens: Int?
    /// Nil when the model's price or the token counts are unknown ("n/a", never 0).
    public var costUSD: Double?
    public var cached: Bool
    public var attempts: Int
    public var model: String?
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case status, output, score, assertions, cached, attempts, model, error
        case latencyMs = "latency_ms"
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case costUSD = "cost_usd"
    }
}

public struct AssertionOutcome: Sendable, Codable, Equatable {
    public var type: String
    public var passed: Bool
    public var score: Double?
    /// Why it failed (or what it measured), in words a reviewer can act on.
    public var reason: String?
}

/// Totals for one side of a run.
public struct SideSummary: Sendable, Codable, Equatable {
    public var label: String
    public var cases: Int
    public var passed: Int
    public var failed: Int
    public var errors: Int
    public var skipped: Int
    public var flaky: Int
    public var passRate: Double?
    /// Nil ("n/a") when any answered sample's cost is unknown.
    public var costUSD: Double?
    public var latencyP50Ms: Double?
    public var latencyP95Ms: Double?
    public var inputTokens: Int
    public var outputTokens: Int
    public var samples: Int
    public var cacheHits: Int
    /// The models that answered, as the provider named them (a local server may serve
    /// another model than the one requested).
    public var answeredBy: [String]

    enum CodingKeys: String, CodingKey {
        case label, cases, passed, failed, errors, skipped, flaky, samples
        case answeredBy = "answered_by"
        case passRate = "pass_rate"
        case costUSD = "cost_usd"
        case latencyP50Ms = "latency_p50_ms"
        case latencyP95Ms = "latency_p95_ms"
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case cacheHits = "cache_hits"
    }
}

/// A candidate side against the reference side.
public struct Comparison: Sendable, Codable, Equatable {
    public var reference: String
    public var candidate: String
    /// Passed on the reference, fail on the candidate: what gates a merge.
    public var newFailures: [String]
    /// Failed on the reference, pass on the candidate.
    public var fixed: [String]
    /// Fail on both.
    public var stillFailing: [String]

    enum CodingKeys: String, CodingKey {
        case reference, candidate, fixed
        case newFailures = "new_failures"
        case stillFailing = "still_failing"
    }
}
