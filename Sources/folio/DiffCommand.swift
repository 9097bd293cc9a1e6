import ArgumentParser
import Foundation
import FolioCore

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show a unified diff of a prompt (content and model settings) between two versions.",
        discussion: """
        Each side is a version number, draft (the working tree) or a commit.
        With no sides: the last version against the draft. With one: that side against the draft.

        Examples:
          folio diff support_ticket_triage
          folio diff support_ticket_triage 1 2
          folio diff support_ticket_triage 2 origin/main
        """
    )

    @Argument(help: "The prompt's name.")
    var name: String

    @Argument(help: "The old side (default: the last version).")
    var old: String?

    @Argument(help: "The new side (default: draft).")
    var new: String?

    @OptionGroup var repository: RepositoryOptions

    func run() throws {
        let repo = try repository.open()
        let prompt = try PromptReference(parsing: name).name
        let oldSide: String
        if let old {
            oldSide = old
        } else {
            guard let latest = try repo.requireVersions(of: prompt).last else {
                throw FolioError(.usage, "prompt '\(prompt)' has no versions yet, so there is nothing to diff against", hint: "commit it to the main branch first")
            }
            oldSide = String(latest.number)
        }
        let a = try repo.resolve(try PromptReference(parsing: "\(prompt)@\(oldSide)"))
        let b = try repo.resolve(try PromptReference(parsing: "\(prompt)@\(new ?? "draft")"))
        let path = PromptRepository.promptPath(prompt)
        let diff = TextDiff.unified(a.loaded.text, b.loaded.text, oldName: "a/\(path) (\(a.label))", newName: "b/\(path) (\(b.label))")
        if diff.isEmpty {
            Terminal.note("no differences between \(a.label) and \(b.label)")
        } else {
            print(diff, terminator: "")
        }
    }
}
