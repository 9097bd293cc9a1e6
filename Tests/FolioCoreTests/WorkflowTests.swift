import FolioCore
import FolioTestSupport
import Foundation
import Testing
import Yams

@Suite("GitHub workflows")
struct WorkflowTests {
    @Test func theUsersWorkflowRunsFolioCheckOnPromptChangesAndKeepsOneComment() throws {
        let workflow = try #require(try Yams.load(yaml: Scaffold.workflow) as? [String: Any])
        let trigger = try #require((workflow["on"] as? [String: Any])?["pull_request"] as? [String: Any])
        #expect(trigger["paths"] as? [String] == ["prompts/**", "goldensets/**", "folio.yaml"])
        let job = try #require(((workflow["jobs"] as? [String: Any])?["check"]) as? [String: Any])
        let steps = try #require(job["steps"] as? [[String: Any]])
        let checkout = try #require(steps.first?["with"] as? [String: Any])
        #expect(checkout["fetch-depth"] as? Int == 0 && checkout["fetch-tags"] as? Bool == true)
        let run = steps.compactMap { $0["run"] as? String }.joined(separator: "\n")
        #expect(run.contains("folio check --base \"origin/${{ github.base_ref }}\" --out folio-report"))
        let script = steps.compactMap { ($0["with"] as? [String: Any])?["script"] as? String }.joined()
        #expect(script.contains("<!-- folio-check -->") && script.contains("updateComment"))
        #expect(steps.contains { ($0["uses"] as? String)?.hasPrefix("actions/upload-artifact") == true })
        #expect(steps.last?["if"] as? String == "steps.check.outputs.status != '0'")
    }

    @Test func thePackagesCIRunsMakeTest() throws {
        let text = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent(".github/workflows/ci.yml"), encoding: .utf8)
        let workflow = try #require(try Yams.load(yaml: text) as? [String: Any])
        let steps = try #require((((workflow["jobs"] as? [String: Any])?["test"]) as? [String: Any])?["steps"] as? [[String: Any]])
        #expect(steps.compactMap { $0["run"] as? String }.contains { $0.contains("make test") })
    }
}
