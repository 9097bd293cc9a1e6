import Foundation

/// JUnit XML: one test case per golden-set case and side, for CI test tabs. Its failure
/// count agrees with the exit code: where sides are compared (`folio check`), only a new
/// failure (passed on the reference side, fails now) is a `<failure>`; a case that fails
/// on the reference side too, and the reference side's own failures, stay visible as
/// `<skipped type="folio.known-failure">`, as pytest reports an expected failure.
package enum JUnitReport {
    enum Outcome {
        case pass
        case failure(String)
        case knownFailure(String)
        case error(String)
        case skipped(String)
    }

    /// What each side's result of each case counts as.
    static func outcome(_ run: EvalRun, side index: Int, case result: CaseResult) -> Outcome {
        let sideResult = result.sides[index]
        let reason = ReportText.failure(sideResult)
        switch sideResult.status {
        case .pass: return .pass
        case .error: return .error(reason)
        case .skipped: return .skipped(reason)
        case .fail:
            guard !run.comparisons.isEmpty else { return .failure(reason) }
            let label = run.sides[index].label
            if let comparison = run.comparisons.first(where: { $0.candidate == label }) {
                return comparison.newFailures.contains(result.id)
                    ? .failure("new failure (passes on \(comparison.reference)): \(reason)")
                    : .knownFailure("fails on \(comparison.reference) too, so it does not gate: \(reason)")
            }
            return .knownFailure("the reference side: its failures do not gate: \(reason)")
        }
    }

    package static func render(_ report: EvalReport) -> String {
        var suites: [String] = []
        var totals = (tests: 0, failures: 0, errors: 0, skipped: 0)
        for run in report.runs {
            for (index, side) in run.sides.enumerated() {
                let outcomes = run.cases.map { ($0, outcome(run, side: index, case: $0)) }
                var counts = (failures: 0, errors: 0, skipped: 0)
                var cases: [String] = []
                for (result, outcome) in outcomes {
                    let sideResult = result.sides[index]
                    let caseTime = (sideResult.samples.first?.latencyMs ?? 0) / 1000
                    let open = #"    <testcase classname="\#(xml("\(run.prompt).\(side.label)"))" name="\#(xml(result.id))" time="\#(String(format: "%.3f", caseTime))""#
                    let answer = "expected: \(xml(result.expected ?? ""))&#10;got: \(xml(ReportText.answer(sideResult)))"
                    switch outcome {
                    case .pass:
                        cases.append(open + "/>")
                    case .failure(let message):
                        counts.failures += 1
                        cases += [open + ">", #"      <failure message="\#(xml(message))">\#(answer)</failure>"#, "    </testcase>"]
                    case .knownFailure(let message):
                        counts.skipped += 1
                        cases += [
                            open + ">", #"      <skipped type="folio.known-failure" message="\#(xml(message))"/>"#,
                            "      <system-out>\(answer)</system-out>", "    </testcase>",
                        ]
                    case .error(let message):
                        counts.errors += 1
                        cases += [open + ">", #"      <error message="\#(xml(message))"/>"#, "    </testcase>"]
                    case .skipped(let message):
                        counts.skipped += 1
                        cases += [open + ">", #"      <skipped message="\#(xml(message))"/>"#, "    </testcase>"]
                    }
                }
                let suite = "\(run.prompt)/\(MarkdownReport.name(run.goldenSet)) [\(side.label) \(side.version)]"
                let time = outcomes.compactMap { $0.0.sides[index].samples.first?.latencyMs }.reduce(0, +) / 1000
                suites.append(
                    #"  <testsuite name="\#(xml(suite))" tests="\#(outcomes.count)" failures="\#(counts.failures)" errors="\#(counts.errors)" skipped="\#(counts.skipped)" time="\#(String(format: "%.3f", time))">"#
                )
                suites += cases
                suites.append("  </testsuite>")
                totals.tests += outcomes.count
                totals.failures += counts.failures
                totals.errors += counts.errors
                totals.skipped += counts.skipped
            }
        }
        var lines = [#"<?xml version="1.0" encoding="UTF-8"?>"#]
        lines.append(
            #"<testsuites name="folio" tests="\#(totals.tests)" failures="\#(totals.failures)" errors="\#(totals.errors)" skipped="\#(totals.skipped)" time="\#(String(format: "%.3f", report.durationSeconds))">"#
        )
        lines += suites
        lines.append("</testsuites>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Escapes text for XML attributes and content; drops characters XML 1.0 forbids.
    static func xml(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "\n": result += "&#10;"
            case "\t", "\r": result.unicodeScalars.append(scalar)
            default:
                if scalar.value >= 0x20 { result.unicodeScalars.append(scalar) }
            }
        }
        return result
    }
}
