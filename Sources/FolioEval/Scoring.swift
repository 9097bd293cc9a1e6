import FolioModel
import Foundation

/// Turns samples into case results, totals, comparisons and verdicts.
enum Scoring {
    static func weightedScore(_ outcomes: [AssertionOutcome], _ assertions: [Assertion]) -> Double {
        let weights = assertions.map { $0.weight ?? 1 }
        let total = weights.reduce(0, +)
        guard total > 0 else { return outcomes.allSatisfy(\.passed) ? 1 : 0 }
        return zip(outcomes, weights).reduce(0) { $0 + ($1.0.passed ? $1.1 : 0) } / total
    }

    static func cosine(_ a: [Double], _ b: [Double]) -> Double {
        let dot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
        let norms = sqrt(a.reduce(0) { $0 + $1 * $1 }) * sqrt(b.reduce(0) { $0 + $1 * $1 })
        return norms == 0 ? 0 : dot / norms
    }

    /// The first `{…}` block of a text (judges like to add words around their JSON).
    static func firstJSONObject(_ text: String) -> String {
        guard let open = text.firstIndex(of: "{"), let close = text.lastIndex(of: "}"), open < close else { return text }
        return String(text[open...close])
    }

    static func sideResult(_ samples: [Sample], minPasses: Int) -> SideCaseResult {
        let passes = samples.filter { $0.status == .pass }.count
        let status: SideCaseResult.Status
        if passes >= minPasses {
            status = .pass
        } else if samples.contains(where: { $0.status == .error }) {
            status = .error
        } else if samples.contains(where: { $0.status == .skipped }) {
            status = .skipped
        } else {
            status = .fail
        }
        let flaky = passes > 0 && samples.contains { $0.status == .fail }
        return SideCaseResult(status: status, passes: passes, minPasses: minPasses, flaky: flaky, samples: samples)
    }

    static func run(_ job: EvalJob, cases: [(GoldenCase, [[(Sample, String)]])]) -> EvalRun {
        let results = cases.map { goldenCase, perSide in
            let sides = perSide.map { samples in
                sideResult(samples.map(\.0), minPasses: goldenCase.passRule?.minPasses ?? max(1, samples.count))
            }
            let input = perSide.reversed().lazy.flatMap { $0 }.map(\.1).first { !$0.isEmpty } ?? ""
            return CaseResult(id: goldenCase.id, vars: goldenCase.vars, input: input, expected: goldenCase.expected, sides: sides)
        }
        let infos = job.sides.map(\.info)
        let perSide = infos.indices.map { index in summary(infos[index].label, results.map { $0.sides[index] }) }
        var comparisons: [Comparison] = []
        for candidate in infos.indices.dropFirst() {
            func ids(_ predicate: (SideCaseResult.Status, SideCaseResult.Status) -> Bool) -> [String] {
                results.filter { predicate($0.sides[0].status, $0.sides[candidate].status) }.map(\.id)
            }
            comparisons.append(
                Comparison(
                    reference: infos[0].label, candidate: infos[candidate].label,
                    newFailures: ids { $0 == .pass && $1 == .fail }, fixed: ids { $0 == .fail && $1 == .pass },
                    stillFailing: ids { $0 == .fail && $1 == .fail }
                ))
        }
        let incomplete = results.contains { $0.sides.contains { [.error, .skipped].contains($0.status) } }
        let verdict: Verdict
        if comparisons.contains(where: { !$0.newFailures.isEmpty }) {
            verdict = .regression
        } else if incomplete {
            verdict = .inconclusive
        } else if infos.count == 1, results.contains(where: { $0.sides[0].status == .fail }) {
            verdict = .fail
        } else {
            verdict = .pass
        }
        return EvalRun(prompt: job.goldenSet.prompt, goldenSet: job.goldenSetPath, sides: infos, cases: results, summaries: perSide, comparisons: comparisons, verdict: verdict)
    }

    static func summary(_ label: String, _ results: [SideCaseResult]) -> SideSummary {
        let samples = results.flatMap(\.samples)
        let answered = samples.filter { $0.latencyMs != nil }
        let costs = answered.map(\.costUSD)
        let latencies = answered.compactMap(\.latencyMs).sorted()
        let decided = results.filter { $0.status == .pass || $0.status == .fail }
        let passed = results.filter { $0.status == .pass }.count
        return SideSummary(
            label: label, cases: results.count, passed: passed, failed: results.filter { $0.status == .fail }.count,
            errors: results.filter { $0.status == .error }.count, skipped: results.filter { $0.status == .skipped }.count,
            flaky: results.filter(\.flaky).count,
            passRate: decided.isEmpty ? nil : Double(passed) / Double(results.count),
            costUSD: costs.contains(where: { $0 == nil }) ? nil : costs.compactMap { $0 }.reduce(0, +),
            latencyP50Ms: percentile(latencies, 0.5), latencyP95Ms: percentile(latencies, 0.95),
            inputTokens: answered.compactMap(\.inputTokens).reduce(0, +), outputTokens: answered.compactMap(\.outputTokens).reduce(0, +),
            samples: samples.count, cacheHits: samples.filter(\.cached).count,
            answeredBy: Array(Set(answered.compactMap(\.model))).sorted()
        )
    }

    /// Nearest-rank percentile of sorted values.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[max(0, min(sorted.count - 1, rank - 1))]
    }

    static func report(_ runs: [EvalRun], budgetReached: Bool, interrupted: Bool, seconds: Double) -> EvalReport {
        let verdicts = runs.map(\.verdict)
        var verdict: Verdict = .pass
        var reason: String?
        if verdicts.contains(.regression) {
            verdict = .regression
        } else if interrupted || budgetReached || verdicts.contains(.inconclusive) {
            verdict = .inconclusive
        } else if verdicts.contains(.fail) {
            verdict = .fail
        }
        if interrupted {
            reason = "the run was interrupted; finished results are kept and cached"
        } else if budgetReached {
            reason = "the budget was reached, so some cases were not run"
        } else if verdict == .inconclusive {
            reason = "some cases could not be run (provider errors); see the errors per case"
        }
        return EvalReport(verdict: verdict, reason: reason, runs: runs, durationSeconds: seconds)
    }
}
