import Foundation
import FolioTestSupport
import Testing

/// No run of `folio` may end on a signal. A background set-up still running at `exit`
/// once crashed about 2% of help and usage-error runs; these run every subcommand's help
/// and usage-error paths and the common successful paths many times, in parallel.
@Suite struct ExitTests {
    static let subcommands = [
        "", "init", "lint", "render", "versions", "diff", "promote", "rollback", "log", "verify", "build", "serve",
        "traces list", "traces show", "report", "alert", "prompt from-trace", "goldenset add", "demo", "eval",
        "check", "hooks install", "collect",
    ]

    /// Runs every argument list, `parallel` at a time; returns the runs that ended on a signal.
    func signalled(_ runs: [[String]], in folder: URL, parallel: Int = 8) async throws -> [String] {
        try await withThrowingTaskGroup(of: (String, CommandResult).self) { group in
            var pending = runs[...]
            var crashed: [String] = []
            func startNext() {
                guard let arguments = pending.popFirst() else { return }
                group.addTask { (arguments.joined(separator: " "), try await CLI.runProcessAsync(arguments, in: folder)) }
            }
            for _ in 0..<parallel { startNext() }
            while let (command, result) = try await group.next() {
                if let signal = result.signal { crashed.append("folio \(command): signal \(signal)\n\(result.stderr.suffix(600))") }
                startNext()
            }
            return crashed
        }
    }

    @Test func helpAndUsageErrorsNeverEndOnASignal() async throws {
        var kinds: [[String]] = []
        for command in Self.subcommands {
            let words = command.split(separator: " ").map(String.init)
            kinds += [words + ["--help"], words + ["--nope"]]
        }
        kinds += [[], ["--version"], ["report", "--version"], ["eval", "--nope"], ["frobnicate"]]
        let runs = (0..<1_000).map { kinds[$0 % kinds.count] }
        let folder = FileManager.default.temporaryDirectory
        let crashed = try await signalled(runs, in: folder)
        #expect(crashed.isEmpty, "\(crashed.count) of \(runs.count) runs ended on a signal:\n\(crashed.prefix(3).joined(separator: "\n"))")
    }

    @Test func successfulRunsNeverEndOnASignal() async throws {
        let repository = try TestRepository()
        try repository.commit(
            "prompt",
            files: [
                "folio.yaml": "schema: folio/config@1\n",
                "prompts/triage.yaml": "schema: folio/prompt@1\nname: triage\nvariables:\n  text: { type: string, required: true }\nmessages:\n  - role: user\n    content: \"{{text}}\"\n",
            ])
        let traces = Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/instrumentations/openai-v2").path
        let kinds: [[String]] = [
            ["lint"], ["render", "triage@1", "--var", "text=hi"], ["versions", "triage"], ["diff", "triage@1"], ["log"],
            ["report", traces], ["traces", "list", traces], ["--help"],
        ]
        let runs = (0..<400).map { kinds[$0 % kinds.count] }
        let crashed = try await signalled(runs, in: repository.url)
        #expect(crashed.isEmpty, "\(crashed.count) of \(runs.count) runs ended on a signal:\n\(crashed.prefix(3).joined(separator: "\n"))")
    }
}
