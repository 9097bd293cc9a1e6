import Foundation
import FolioModel

/// Number and text formatting every report shares.
enum ReportText {
    static func shorten(_ text: String, _ limit: Int) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
    }

    /// `$0.0000069`, `$0.0123`, `$1.20` (`Money.text`), or `n/a` when unknown (never $0
    /// for an unknown price).
    static func money(_ value: Double?) -> String {
        guard let value else { return "n/a" }
        return Money.text(value)
    }

    static func duration(_ milliseconds: Double?) -> String {
        guard let milliseconds else { return "n/a" }
        return milliseconds >= 1000 ? String(format: "%.2f s", milliseconds / 1000) : String(format: "%.0f ms", milliseconds)
    }

    static func rate(_ summary: SideSummary) -> String {
        let percent = summary.cases == 0 ? 0 : Double(summary.passed) * 100 / Double(summary.cases)
        return String(format: "%d/%d (%.0f%%)", summary.passed, summary.cases, percent)
    }

    static func tokens(_ sample: Sample?) -> String {
        guard let sample, let input = sample.inputTokens, let output = sample.outputTokens else { return "n/a" }
        return "\(input)+\(output)"
    }

    /// What a side answered for a case: the first sample's output, or its error.
    static func answer(_ result: SideCaseResult) -> String {
        guard let sample = result.samples.first else { return "" }
        if let output = sample.output { return output.trimmingCharacters(in: .whitespacesAndNewlines) }
        return sample.error ?? ""
    }

    static func mark(_ result: SideCaseResult) -> String {
        let base: String
        switch result.status {
        case .pass: base = "pass"
        case .fail: base = "FAIL"
        case .error: base = "ERROR"
        case .skipped: base = "skipped"
        }
        let samples = result.samples.count > 1 ? " \(result.passes)/\(result.samples.count)" : ""
        return base + samples + (result.flaky ? " flaky" : "")
    }

    /// The first failed assertion's reason (or the error) on a side.
    static func failure(_ result: SideCaseResult) -> String {
        for sample in result.samples where sample.status != .pass {
            if let error = sample.error { return error }
            if let failed = sample.assertions.first(where: { !$0.passed }) { return "\(failed.type): \(failed.reason ?? "failed")" }
        }
        return ""
    }

    static func sideTitle(_ side: EvalSideInfo) -> String {
        "\(side.label) \(side.version) (\(side.provider)/\(side.model))"
    }

    static func verdictLine(_ report: EvalReport) -> String {
        switch report.verdict {
        case .pass:
            return report.runs.contains { !$0.comparisons.isEmpty } ? "PASS: no case that passed before fails now" : "PASS: every case passed"
        case .fail: return "FAIL: some cases fail"
        case .regression:
            let count = report.runs.flatMap(\.comparisons).map(\.newFailures.count).reduce(0, +)
            return "REGRESSION: \(count) case(s) passed on the reference side and fail now"
        case .inconclusive: return "INCONCLUSIVE: \(report.reason ?? "the run did not finish")"
        }
    }
}
