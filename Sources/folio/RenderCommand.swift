import ArgumentParser
import Foundation
import FolioCore
import FolioModel
import FolioTemplate

struct RenderCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a prompt version with variables, as the model would receive it.",
        discussion: """
            <name> alone renders the working tree's file; <name>@2 renders version 2,
            <name>@draft the working tree, <name>@<commit> the file at a commit.

            Examples:
              folio render support_ticket_triage --var ticket_text="I need a refund"
              folio render support_ticket_triage@1 --vars-file ticket.yaml --format json
            """
    )

    @Argument(help: "The prompt: <name>[@<version>|@draft|@<commit>].")
    var reference: String

    @Option(name: .customLong("var"), help: "A variable value, name=value (repeatable); JSON for a list or object variable.")
    var variables: [String] = []

    @Option(name: .customLong("vars-file"), help: "A YAML or JSON file of variable values; --var wins over it.")
    var variablesFile: String?

    @Flag(name: .customLong("allow-unknown"), help: "Accept variables the prompt does not declare.")
    var allowUnknown = false

    @Option(help: "text or json.")
    var format: OutputFormat = .text

    @OptionGroup var repository: RepositoryOptions

    struct Output: Encodable {
        let schema = "folio/render@1"
        let name: String
        let version: String
        let blob: String?
        let model: ModelSettings?
        let messages: [RenderedMessage]
    }

    func run(in env: CommandEnvironment) throws {
        let repo = try repository.open(env)
        let resolved = try repo.resolve(try PromptReference(parsing: reference))
        let compiled = try resolved.compiled()
        var values = try variablesFile.map { try VariablesFile.load(env.path($0)) } ?? [:]
        values.merge(try VariablesFile.parsePairs(variables, declared: compiled.prompt.variables)) { _, new in new }
        let messages: [RenderedMessage]
        do {
            messages = try compiled.render(values, allowUnknown: allowUnknown)
        } catch {
            throw FolioError(.usage, error.message, hint: error.kind == .missingVariable ? error.variable.map { "pass it with --var \($0)=… or --vars-file" } : nil)
        }
        switch format {
        case .json:
            try env.printJSON(Output(name: resolved.name, version: resolved.label, blob: resolved.blob?.hex, model: compiled.prompt.model, messages: messages))
        case .text:
            env.note("\(resolved.name) \(resolved.label)")
            for (index, message) in messages.enumerated() {
                if index > 0 { env.print("") }
                env.print("### \(message.role)")
                env.print(message.content.hasSuffix("\n") ? String(message.content.dropLast()) : message.content)
            }
        }
    }
}
