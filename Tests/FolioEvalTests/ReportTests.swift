import FolioEval
import FolioFakeLLM
import FolioCore
import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite("Report formats")
struct ReportTests {
    static func report(cases: Int = 5, longOutput: Bool = false) async throws -> EvalReport {
        let server = try await FakeLLMServer.start { system, user in
            longOutput ? String(repeating: "a very long answer that goes on ", count: 40) : FakeLLMServer.triage(system, user)
        }
        defer { Task { await server.stop() } }
        var set = try Example.goldenSet()
        if cases > set.cases.count {
            set.cases = (0..<cases).map { index in
                var copy = set.cases[index % set.cases.count]
                copy.id = "case-\(index)"
                return copy
            }
        }
        let provider = Example.provider(server, concurrency: 8)
        let sides = [try Example.side("base", WorkedExample.promptV2, "v2", provider), try Example.side("head", WorkedExample.promptV1, "draft", provider)]
        return await EvalRunner(options: EvalOptions()).run([EvalJob(goldenSetPath: WorkedExample.goldenSetPath, goldenSet: set, sides: sides)])
    }

    @Test func jsonIsTheCanonicalRecord() async throws {
        let report = try await Self.report()
        let json = ReportWriter.render(report, as: .json)
        #expect(json.contains("\"schema\" : \"folio/eval-report@1\""))
        let decoded = try JSONDecoder().decode(EvalReport.self, from: Data(json.utf8))
        #expect(decoded == report)
    }

    @Test func markdownLeadsWithTheVerdictAndTheRegressions() async throws {
        let report = try await Self.report()
        let markdown = ReportWriter.render(report, as: .markdown)
        let lines = markdown.split(separator: "\n")
        #expect(lines[0] == "<!-- folio-check -->")
        #expect(lines[1].contains("REGRESSION: 2 case(s)"))
        #expect(markdown.contains("### Regressions: support_ticket_triage, head vs base"))
        #expect(
            markdown.contains(
                "| billing-api-wrong-amounts | The billing API returns wrong amounts for annual plans | technical | technical | billing | equals: expected \"technical\", got \"billing\" |"))
        #expect(markdown.contains("<details><summary>All 5 cases"))
    }

    @Test func markdownStaysUnderGitHubsLimit() async throws {
        let report = try await Self.report(cases: 600, longOutput: true)
        let markdown = MarkdownReport.render(report)
        #expect(markdown.utf8.count < MarkdownReport.limit)
        #expect(markdown.contains("cut to fit"))
        #expect(markdown.hasPrefix(MarkdownReport.marker))
    }

    @Test func junitHasOneTestCasePerCaseAndSideAndCountsOnlyNewFailures() async throws {
        let report = try await Self.report()
        let xml = ReportWriter.render(report, as: .junit)
        final class Counter: NSObject, XMLParserDelegate {
            var testcases = 0, failures = 0, known = 0
            var declared: [String: String] = [:]
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                if name == "testcase" { testcases += 1 }
                if name == "failure" { failures += 1 }
                if name == "skipped", attributes["type"] == "folio.known-failure" { known += 1 }
                if name == "testsuites" { declared = attributes }
            }
        }
        let parser = XMLParser(data: Data(xml.utf8))
        let counter = Counter()
        parser.delegate = counter
        #expect(parser.parse())
        #expect(counter.testcases == 10)
        // Head (v1) fails where base (v2) passes: those are the new failures, and the only
        // <failure>s, so a CI test tab agrees with `folio check`'s exit code.
        let run = try #require(report.runs.first)
        let newFailures = run.comparisons.flatMap(\.newFailures)
        let failing = run.cases.flatMap(\.sides).filter { $0.status == .fail }.count
        #expect(!newFailures.isEmpty)
        #expect(counter.failures == newFailures.count)
        #expect(counter.known == failing - newFailures.count)
        #expect(counter.declared["failures"] == "\(newFailures.count)")
        #expect(counter.declared["skipped"] == "\(failing - newFailures.count)")
        for id in newFailures { #expect(xml.contains(#"name="\#(id)""#)) }
        #expect(xml.contains("new failure (passes on base): "))
    }

    @Test func theTableFitsTheWidthAndKeepsEveryReason() async throws {
        let report = try await Self.report(longOutput: false)
        for width in [80, 100, 149, 200] {
            let table = TableReport.render(report, width: width)
            let lines = table.split(separator: "\n", omittingEmptySubsequences: false)
            let caseRows = lines.filter { $0.hasPrefix("  ") && ($0.contains(" pass") || $0.contains(" FAIL") || $0.contains(" ERROR") || $0.contains("CASE")) && !$0.contains(" · ") }
            #expect(!caseRows.isEmpty)
            for row in caseRows { #expect(row.count <= width, "width \(width): \(row.count): \(row)\n\(table)") }
            // Each failing side's reason, in full, below the table.
            for result in report.runs[0].cases {
                for (side, sideResult) in zip(report.runs[0].sides, result.sides) where sideResult.status == .fail {
                    let reason = sideResult.samples.first?.assertions.first { !$0.passed }?.reason ?? ""
                    #expect(table.contains("  \(result.id) · \(side.label): FAIL: "), "\(table)")
                    #expect(table.contains(reason), "\(reason)")
                }
            }
        }
        // Past the width's need, nothing is cut; at 80 the inputs are.
        #expect(TableReport.render(report, width: 400).contains("  " + report.runs[0].cases[0].input + "  "))
        #expect(TableReport.render(report, width: 80).contains("…"))
    }

    @Test func htmlIsOneSelfContainedFileWithAFailuresFilter() async throws {
        let report = try await Self.report()
        let html = ReportWriter.render(report, as: .html)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("id=\"failures-only\""))
        #expect(html.contains("class=\"failing\" data-case=\"billing-api-wrong-amounts\""))
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http"))
    }

    @Test func writeAllPutsEveryFormatInTheFolder() async throws {
        let folder = try Example.folder()
        let written = try ReportWriter.writeAll(try await Self.report(), to: folder)
        #expect(Set(written.map(\.lastPathComponent)) == ["report.json", "report.md", "junit.xml", "report.html", "report.txt"])
        let table = try String(contentsOf: folder.appendingPathComponent("report.txt"), encoding: .utf8)
        #expect(table.contains("head vs base: new failures: payments-endpoint-500, billing-api-wrong-amounts"))
    }
}
