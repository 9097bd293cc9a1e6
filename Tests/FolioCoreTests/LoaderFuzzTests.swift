import FolioModel
import FolioTestSupport
import Foundation
import Testing
@testable import FolioCore

/// Random and mutated prompt, partial and golden-set files through the whole workspace
/// (YAML, schema, templates, cross-file checks): diagnostics or a result, never a crash,
/// and no input is slow.
struct LoaderFuzzTests {
    static let seeds = [
        LintDiagnosticsTests.goodPrompt,
        "schema: folio/partial@1\nname: tone\ncontent: |\n  Be kind. {{#x}}{{y}}{{/x}}\n",
        "schema: folio/goldenset@1\nprompt: triage\ndefaults:\n  assert: [{ type: equals, normalize: [trim] }]\ncases:\n  - id: a\n    vars: { ticket_text: \"refund\" }\n    expected: billing\n",
        "a: &x [1, 2, {b: *x}]\nc: *x\n",
    ].map { Array($0.utf8) }

    @Test func loadingRandomFilesNeverCrashesOrHangs() {
        var fuzzer = Fuzzer(
            seed: 0x4A11, tokens: [":", " ", "\n", "  ", "- ", "&a ", "*a", "{", "}", "[", "]", "\"", "'", "|", ">", "#", "{{", "}}", "schema", "folio/prompt@1", "\t", "? ", "!!str ", "\u{FEFF}"])
        let outcome = fuzzer.run(5_000, seeds: Self.seeds) { bytes in
            var files = Workspace.Files()
            guard let text = files.decode(Data(bytes), path: "prompts/triage.yaml") else { return }
            files.config = "schema: folio/config@1\n"
            files.prompts["prompts/triage.yaml"] = text
            files.partials["prompts/partials/tone.yaml"] = text
            files.goldenSets["goldensets/triage/set.yaml"] = text
            _ = Workspace(files: files).diagnostics
        }
        #expect(outcome.iterations >= 5_000)
        #expect(outcome.slowest < .seconds(2), "slowest input: \(String(decoding: outcome.slowestInput, as: UTF8.self).debugDescription)")
    }
}
