import ArgumentParser
import Foundation
import FolioCore

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Walk through Folio on the support-ticket triage story, in a temporary repository.",
        discussion: """
        Creates a prompt repository with the git CLI, commits version 1 of the triage prompt,
        then the fixed version 2, and runs lint, versions, diff and render on it; then
        promotes, audits and rolls back with signed tags that `git tag -v` accepts.

        Example:
          folio demo
        """
    )

    @Flag(help: "Keep the temporary repository and print its path.")
    var keep = false

    func run() throws {
        try Demo(keep: keep).run()
    }
}
