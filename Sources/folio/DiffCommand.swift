import ArgumentParser
import Foundation
import FolioCore

struct DiffCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show a unified diff of a prompt (content and model settings) between two versions.",
        discussion: """
            Takes the references `render` takes: `name` (the working tree), `name@2` (version 2),
            `name@draft`, `name@<commit>`.
              folio diff <ref>          that reference against the working tree
                                        (a bare name: its last version against the working tree)
              folio diff <ref> <ref>    between the two
            A side may also be written without the name (`folio diff triage 1 2`). A reference
            that does not resolve is an error (exit 2).

            Examples:
              folio diff support_ticket_triage
              folio diff support_ticket_triage@1
              folio diff support_ticket_triage@1 support_ticket_triage@2
              folio diff support_ticket_triage@2 support_ticket_triage@origin/main
            """
    )

    @Argument(help: "The old side: a prompt reference (a bare name means its last version).")
    var old: String

    @Argument(help: "The new side: a reference, or a version, draft or commit of the same prompt (default: the working tree).")
    var new: String?

    @Argument(help: ArgumentHelp("A third argument, for the older form `diff <name> <old> <new>`.", visibility: .hidden))
    var third: String?

    @OptionGroup var repository: RepositoryOptions

    func run(in env: CommandEnvironment) throws {
        let repo = try repository.open(env)
        let first = try PromptReference(parsing: old)
        // `diff <name> <old> <new>`: the older form, sides without the name.
        let sides: (old: String?, new: String?) = third != nil ? (new, third) : (nil, new)
        if third != nil, old.contains("@") {
            throw FolioError(.usage, "`folio diff \(old) \(new ?? "") \(third ?? "")` has three references", hint: "write `folio diff <ref> <ref>`, e.g. `folio diff \(first.name)@1 \(first.name)@2`")
        }
        let a: ResolvedPrompt
        if let side = sides.old {
            a = try repo.resolve(try reference(side, of: first.name))
        } else if old.contains("@") {
            a = try repo.resolve(first)
        } else {
            guard let latest = try repo.requireVersions(of: first.name).last else {
                throw FolioError(.usage, "prompt '\(first.name)' has no versions yet, so there is nothing to diff against", hint: "commit it to the main branch first, or name two references")
            }
            a = try repo.resolve(PromptReference(name: first.name, selector: .version(latest.number)))
        }
        let b = try repo.resolve(try reference(sides.new ?? "draft", of: first.name))
        let oldPath = PromptRepository.promptPath(a.name), newPath = PromptRepository.promptPath(b.name)
        let diff = TextDiff.unified(a.loaded.text, b.loaded.text, oldName: "a/\(oldPath) (\(a.label))", newName: "b/\(newPath) (\(b.label))")
        if diff.isEmpty {
            env.note("no differences between \(a.name == b.name ? a.label : "\(a.name)@\(a.label)") and \(a.name == b.name ? b.label : "\(b.name)@\(b.label)")")
        } else {
            env.write(diff)
        }
    }

    /// A full reference (`name@side`), or a side (`2`, `draft`, a commit) of `name`.
    private func reference(_ text: String, of name: String) throws -> PromptReference {
        if text.contains("@") { return try PromptReference(parsing: text) }
        if text == name { return PromptReference(name: name, selector: .workingTree) }
        return try PromptReference(parsing: "\(name)@\(text)")
    }
}
