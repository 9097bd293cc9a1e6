import FolioModel

/// The canonical record of an evaluation (`schema: folio/eval-report@1`): every sample
/// of every case on every side, with totals and the verdict. The other formats are
/// views of it.
package struct EvalReport: Sendable, Codable, Equatable {
    package static let schema = "folio/eval-report@1"
    package var schema = EvalReport.schema
    package var verdict: Verdict
    /// Why a run is inconclusive (budget, interruption, provider errors).
    package var reason: String?
    package var runs: [EvalRun]
    /// Wall time of the whole run.
    package var durationSeconds: Double
    /// What a reader must know about how the run was made (e.g. trusted head providers).
    package var notes: [String]?

    package init(verdict: Verdict, reason: String? = nil, runs: [EvalRun], durationSeconds: Double, notes: [String]? = nil) {
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

package enum Verdict: String, Sendable, Codable, Equatable {
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
package struct EvalRun: Sendable, Codable, Equatable {
    package var prompt: String
    package var goldenSet: String
    /// The first side is the reference (base, or the first model); the others are compared with it.
    package var sides: [EvalSideInfo]
    package var cases: [CaseResult]
    package var summaries: [SideSummary]
    /// Per candidate side (sides[1...]): cases that passed on the reference and fail here.
    package var comparisons: [Comparison]
    package var verdict: Verdict

    enum CodingKeys: String, CodingKey {
        case prompt, sides, cases, summaries, comparisons, verdict
        case goldenSet = "golden_set"
    }
}

/// What one side runs: a prompt version on a provider and model.
package struct EvalSideInfo: Sendable, Codable, Equatable {
    /// `base`, `head`, or the model name when models run side by side.
    package var label: String
    /// `v1`, `draft`, `draft@a1b2c3d`.
    package var version: String
    package var provider: String
    package var model: String

    package init(label: String, version: String, provider: String, model: String) {
        self.label = label
        self.version = version
        self.provider = provider
        self.model = model
    }
}

package struct CaseResult: Sendable, Codable, Equatable {
    package var id: String
    package var vars: [String: JSONValue]
    /// The last user message as rendered on the last side (what the model was asked).
    package var input: String
    package var expected: String?
    /// One per side, in the order of `EvalRun.sides`.
    package var sides: [SideCaseResult]
}

package struct SideCaseResult: Sendable, Codable, Equatable {
    package enum Status: String, Sendable, Codable { case pass, fail, error, skipped }
    package var status: Status
    package var passes: Int
    package var minPasses: Int
    /// Some samples passed and some failed.
    package var flaky: Bool
    package var samples: [Sample]

    enum CodingKeys: String, CodingKey {
        case status, passes, flaky, samples
        case minPasses = "min_passes"
    }
}

/// One call (one repeat) and how its answer scored.
package struct Sample: Sendable, Codable, Equatable {
    package enum Status: String, Sendable, Codable { case pass, fail, error, skipped }
    package var status: Status
    package var output: String?
    package var score: Double?
    package var assertions: [AssertionOutcome]
    package var latencyMs: Double?
    package var inputTokens: Int?
    package var outputTokens: Int?
    /// Nil when the model's price or the token counts are unknown ("n/a", never 0).
    package var costUSD: Double?
    package var cached: Bool
    package var attempts: Int
    package var model: String?
    package var error: String?

    enum CodingKeys: String, CodingKey {
        case status, output, score, assertions, cached, attempts, model, error
        case latencyMs = "latency_ms"
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case costUSD = "cost_usd"
    }
}

package struct AssertionOutcome: Sendable, Codable, Equatable {
    package var type: String
    package var passed: Bool
    package var score: Double?
    /// Why it failed (or what it measured), in words a reviewer can act on.
    package var reason: String?
}

/// Totals for one side of a run.
package struct SideSummary: Sendable, Codable, Equatable {
    package var label: String
    package var cases: Int
    package var passed: Int
    package var failed: Int
    package var errors: Int
    package var skipped: Int
    package var flaky: Int
    package var passRate: Double?
    /// Nil ("n/a") when any answered sample's cost is unknown.
    package var costUSD: Double?
    package var latencyP50Ms: Double?
    package var latencyP95Ms: Double?
    package var inputTokens: Int
    package var outputTokens: Int
    package var samples: Int
    package var cacheHits: Int
    /// The models that answered, as the provider named them (a local server may serve
    /// another model than the one requested).
    package var answeredBy: [String]

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
package struct Comparison: Sendable, Codable, Equatable {
    package var reference: String
    package var candidate: String
    /// Passed on the reference, fail on the candidate: what gates a merge.
    package var newFailures: [String]
    /// Failed on the reference, pass on the candidate.
    package var fixed: [String]
    /// Fail on both.
    package var stillFailing: [String]

    enum CodingKeys: String, CodingKey {
        case reference, candidate, fixed
        case newFailures = "new_failures"
        case stillFailing = "still_failing"
    }
}
