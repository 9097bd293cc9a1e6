import ArgumentParser
import Foundation
import FolioCore

struct DemoCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Walk through Folio on the support-ticket triage story, in a temporary repository.",
        discussion: """
            The whole loop in a temporary repository: version 1 ships (a signed promotion, a signed
            manifest, `folio serve`); an app sends a batch of tickets through a real model with its
            spans going to `folio collect`; `folio report` shows the misrouting; the failing spans
            become golden-set cases; `folio check` proves the fix on base and head; the fix ships
            without an app deploy; a second batch confirms it with `folio report --compare`; then a
            rollback and `git tag -v`.

            The model: OpenAI when OPENAI_API_KEY is set, else the local model `make demo` installs
            (FOLIO_LLM_DIR and FOLIO_LLM_LAUNCHER point at it). Without either, the traffic and
            check steps are skipped and a hand-written golden set stands in.

            Example:
              folio demo
            """
    )

    @Flag(help: "Keep the temporary repository and print its path.")
    var keep = false

    func run(in env: CommandEnvironment) async throws {
        try await Demo(keep: keep, env: env).run()
    }
}
