import ArgumentParser
import Foundation
import FolioCore

struct InitCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a prompt repository: folio.yaml, prompts/, goldensets/ and .folio/allowed_signers.",
        discussion: """
            Existing files are kept. A folder outside any git repository becomes one.

            Example:
              folio init my-prompts
            """
    )

    @Argument(help: "The folder to set up (default: the current folder).")
    var folder: String = "."

    func run(in env: CommandEnvironment) throws {
        let url = env.url(folder)
        let (created, kept) = try Scaffold.write(into: url)
        for path in created { env.print("created \(path)") }
        for path in kept { env.print("kept    \(path) (already there)") }
        env.print(
            """

            Next: edit prompts/example.yaml (or add your own), then
              folio lint
              git add . && git commit -m "Add prompts"
              folio versions example
            """)
    }
}
