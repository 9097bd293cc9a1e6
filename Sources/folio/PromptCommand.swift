import ArgumentParser
import Foundation
import FolioCore
import FolioModel
import FolioGit
import FolioTelemetry

struct PromptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prompt",
        abstract: "Create prompt files.",
        subcommands: [FromTraceCommand.self]
    )
}

struct FromTraceCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "from-trace",
        abstract: "Write a prompt file from a production span's system instructions and input messages.",
        discussion: """
            Each --var value is replaced everywhere in the messages by a declared {{variable}};
            without --var, the variables recorded on the call or its nearest ancestor span
            (gen_ai.prompt.variable.*, an app's wrapper span) are used. Messages come from the span
            (every instrumentation's spelling: JSON, structured values, a Python repr of a list) or
            from the log records tied to it. Model settings come from the span's request
            attributes. The file is checked like `folio lint`.

            Example:
              folio prompt from-trace traces/ --span 00f067aa0ba902b7 --name support_ticket_triage \\
                --var ticket_text="The billing API returns wrong amounts"
            """
    )

    @Argument(help: "Trace files or folders (or use --source, or traces: in folio.yaml).")
    var files: [String] = []

    @OptionGroup var options: TraceOptions

    @Option(help: "The span id (hex).")
    var span: String

    @Option(help: "The prompt's name (also its file name).")
    var name: String

    @Option(name: .customLong("var"), help: "A value to turn into a variable: name=value (repeatable).")
    var variables: [String] = []

    @Option(help: "Where to write (default: prompts/<name>.yaml in the repository, or the current folder).")
    var out: String?

    @Flag(help: "Overwrite an existing file.")
    var force = false

    func validate() throws {
        guard Names.isValidName(name) else {
            throw ValidationError("'\(name)' is not a prompt name: use lowercase letters, digits, '_' and '-'")
        }
        guard SpanID(hex: span) != nil else { throw ValidationError("--span '\(span)' is not a span id (16 hex digits)") }
    }

    func run(in env: CommandEnvironment) async throws {
        let values = try VariablesFile.parsePairs(variables).mapValues(\.text)
        let source = try options.open(paths: files, env)
        guard let detail = try await source.call(SpanID(hex: span)!, inherited: []) else {
            throw FolioError(.usage, "no LLM call with span id \(span.lowercased()) in \(source.name)", hint: "list them with `folio traces list`")
        }
        noteRead(detail.notes, env)
        let root = (try? Repository(discovering: env.workingDirectory.path))?.workingDirectory.map { URL(fileURLWithPath: $0) } ?? env.workingDirectory
        let target = out.map(env.url) ?? root.appendingPathComponent(PromptRepository.promptPath(name))
        let draft = try PromptDrafts.write(from: detail, name: name, values: values, to: target, overwrite: force)
        env.print("wrote \(target.path) (\(draft.messages.count) message(s), variables: \(draft.variables.isEmpty ? "none" : draft.variables.joined(separator: ", ")))")
    }
}

/// `folio prompt from-trace` and `folio ui`'s Create Prompt from Trace: one way to turn a
/// call into a prompt file.
enum PromptDrafts {
    /// The draft and the lint errors it would have (`folio ui` shows them as the form changes).
    static func make(from detail: CallDetail, name: String, values: [String: String]) throws -> (PromptDraft, [Diagnostic]) {
        let draft: PromptDraft
        do {
            draft = try PromptDraft(span: detail.call, name: name, values: values.isEmpty ? detail.variables : values)
        } catch let failure as PromptDraft.Failure {
            throw FolioError(.usage, failure.description)
        }
        var files = Workspace.Files()
        files.prompts[PromptRepository.promptPath(name)] = draft.yaml
        return (draft, Workspace(files: files).diagnostics.filter { $0.severity == .error })
    }

    /// The draft made from `detail`: `values` as variables, else the variables the call or
    /// its nearest ancestor recorded (`gen_ai.prompt.variable.*` and the other dialects'),
    /// checked like `folio lint`, and written unless the file exists (`overwrite`).
    @discardableResult
    static func write(from detail: CallDetail, name: String, values: [String: String], to target: URL, overwrite: Bool) throws -> PromptDraft {
        let (draft, problems) = try make(from: detail, name: name, values: values)
        if FileManager.default.fileExists(atPath: target.path), !overwrite {
            throw FolioError(.usage, "\(target.path) already exists", hint: "pass --force to overwrite it, or --out to write elsewhere")
        }
        guard problems.isEmpty else {
            throw FolioError(.invalidContent, "the prompt made from span \(detail.call.span.id) does not pass lint:\n" + problems.map(\.description).joined(separator: "\n"))
        }
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(Data(draft.yaml.utf8), to: target)
        return draft
    }
}
