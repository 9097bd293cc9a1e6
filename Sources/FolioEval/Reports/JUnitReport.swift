import Foundation

/// JUnit XML: one test case per golden-set case and side, for CI test tabs.
public enum JUnitReport {
    public static func render(_ report: EvalReport) -> String {
        var lines = [#"<?xml version="1.0" encoding="UTF-8"?>"#]
        let all = report.runs.flatMap { run in run.cases.flatMap(\.sides) }
        lines.append(#"<testsuites name="folio" tests="\#(all.count)" failures="\#(all.filter { $0.status == .fail }.count)" errors="\#(all.filter { $0.status == .error }.count)" time="\#(String(format: "%.3f", report.durationSeconds))">"#)
        for run in report.runs {
            for (index, side) in run.sides.enumerated() {
                let results = run.cases.map { ($0, $0.sides[index]) }
                let suite = "\(run.prompt)/\(MarkdownReport.name(run.goldenSet)) [\(side.label) \(side.version)]"
                let time = results.compactMap { $0.1.samples.first?.latencyMs }.reduce(0, +) / 1000
                lines.append(#"  <testsuite name="\#(xml(suite))" tests="\#(results.count)" failures="\#(results.filter { $0.1.status == .fail }.count)" errors="\#(results.filter { $0.1.status == .error }.count)" skipped="\#(results.filter { $0.1.status == .skipped }.count)" time="\#(String(format: "%.3f", time))">"#)
                for (result, sideResult) in results {
                    let caseTime = (sideResult.samples.first?.latencyMs ?? 0) / 1000
                    let open = #"    <testcase classname="\#(xml("\(run.prompt).\(side.label)"))" name="\#(xml(result.id))" time="\#(String(format: "%.3f", caseTime))""#
                    switch sideResult.status {
                    case .pass:
                        lines.append(open + "/>")
                    case .fail:
                        lines.append(open + ">")
                        lines.append(#"      <failure message="\#(xml(ReportText.failure(sideResult)))">expected: \#(xml(result.expected ?? ""))&#10;got: \#(xml(ReportText.answer(sideResult)))</failure>"#)
                        lines.append("    </testcase>")
                    case .error:
                        lines.append(open + ">")
                        lines.append(#"      <error message="\#(xml(ReportText.failure(sideResult)))"/>"#)
                        lines.append("    </testcase>")
                    case .skipped:
                        lines.append(open + ">")
                        lines.append(#"      <skipped message="\#(xml(ReportText.failure(sideResult)))"/>"#)
                        lines.append("    </testcase>")
                    }
                }
                lines.append("  </testsuite>")
            }
        }
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
