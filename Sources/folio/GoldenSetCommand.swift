import ArgumentParser
import Foundation
import FolioCore
import FolioGit
import FolioModel
import FolioTelemetry

struct GoldenSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "goldenset",
        abstract: "Grow golden sets.",
        subcommands: [GoldenSetAddCommand.self]
    )
}

struct GoldenSetAddCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Append cases to a golden set from production spans, keeping the file's comments and layout.",
        discussion: """
            Variables come from the span's variable attributes (gen_ai.prompt.variable.*, OpenInference's
            llm.prompt_template.variables, …), or are recovered by matching the prompt's templates
            against the recorded messages (on the span or in log records tied to it); variables
            recorded on the call's nearest ancestor (an app's wrapper span) count too. expected is
            --expected, the value of --expected-attr on the span or its nearest ancestor that has
            it, or else the span's output marked for review. The trace and span ids become the
            case's source; a span already in the set, or one whose variables equal an existing
            case's, is skipped, and the count is printed. A missing file is created with its
            schema, the prompt (from its folder, goldensets/<prompt>/) and a default assert. The
            file must still pass lint, or nothing is written.

            Examples:
              folio goldenset add goldensets/support_ticket_triage/production_failures.yaml \\
                --from-trace traces/ --span 00f067aa0ba902b7 --expected technical
              folio goldenset add goldensets/support_ticket_triage/misroutes.yaml --from-trace traces/ \\
                --where gen_ai.prompt.version=1 --expected-attr app.expected_team --limit 20
            """
    )

    @Argument(help: "The golden-set file (created, with its schema, the prompt and a default assert, when missing).")
    var file: String

    @Option(name: .customLong("from-trace"), parsing: .upToNextOption, help: "Trace files or folders (or use --source, or traces: in folio.yaml).")
    var traces: [String] = []

    @OptionGroup var options: TraceOptions

    @Option(name: .customLong("span"), help: "A span id to add (repeatable).")
    var spans: [String] = []

    @Option(help: "With --where (or the other filters): at most this many calls, newest first.")
    var limit: Int = 20

    @Option(help: "The expected output for every added case.")
    var expected: String?

    @Option(name: .customLong("expected-attr"), help: "Take each case's expected output from this attribute, on the span or its nearest ancestor.")
    var expectedAttribute: String?

    @Option(help: "The case id (only with one span).")
    var id: String?

    func validate() throws {
        let filtered = !options.conditions.isEmpty || options.prompt != nil || options.version != nil || options.errors || options.since != nil || options.service != nil
        guard spans.isEmpty != !filtered else { throw ValidationError("give --span … or a filter (--where, --prompt, --version, --errors, --since), not both or neither") }
        if id != nil && spans.count != 1 { throw ValidationError("--id names one case: use it with exactly one --span") }
        if expected != nil && expectedAttribute != nil { throw ValidationError("give --expected or --expected-attr, not both") }
        for span in spans where SpanID(hex: span) == nil { throw ValidationError("--span '\(span)' is not a span id (16 hex digits)") }
    }

    func run(in env: CommandEnvironment) async throws {
        let source = try options.open(paths: traces, env)
        let inherited = [expectedAttribute].compactMap { $0 }
        var details: [CallDetail] = []
        if spans.isEmpty {
            details = try await source.details(CallsRequest(filter: options.filter(), limit: limit, attributes: inherited))
        } else {
            var missing: [String] = []
            for span in spans {
                if let detail = try await source.call(SpanID(hex: span)!, inherited: inherited) { details.append(detail) } else { missing.append(span.lowercased()) }
            }
            guard missing.isEmpty else {
                throw FolioError(.usage, "no LLM call with span id \(missing.joined(separator: ", ")) in \(source.name)", hint: "list them with `folio traces list`")
            }
        }
        if let notes = details.first?.notes { noteRead(notes, env) }
        let outcome = try GoldenSetCases.append(details, to: env.url(file), expected: expected, expectedAttribute: expectedAttribute, id: id, prompt: options.prompt)
        for warning in outcome.warnings { env.note("warning: \(warning)") }
        for skipped in outcome.skipped { env.note("skipped \(skipped)") }
        if outcome.created { env.print("created \(file) for prompt \(outcome.prompt)") }
        env.print("added \(outcome.added) case(s) to \(file)" + (outcome.skipped.isEmpty ? "" : ", skipped \(outcome.skipped.count) already there"))
    }
}

/// `folio goldenset add` and `folio ui`'s Add to Golden Set: one way to turn calls into cases.
enum GoldenSetCases {
    struct Outcome {
        var prompt: String
        var created = false
        var added = 0
        /// Why each call was left out ("span 1234…: already in the set").
        var skipped: [String] = []
        var warnings: [String] = []
    }

    /// Appends a case per call to the golden set at `path`, keeping its comments and layout:
    /// variables from the call or its nearest ancestor (else recovered from the messages),
    /// `expected` (or the attribute `expectedAttribute` names, else the call's output marked
    /// for review), the trace and span as `source`. A call already in the set, or whose
    /// variables equal an existing case's, is skipped. A missing file is created with its
    /// schema, the prompt and a default assert. The file must pass lint, or nothing is written.
    static func append(_ details: [CallDetail], to path: URL, expected: String?, expectedAttribute: String?, id: String?, prompt hint: String?) throws -> Outcome {
        let root = repositoryRoot(of: path)
        var text: String
        var created = false
        if let data = FileManager.default.contents(atPath: path.path) {
            text = String(decoding: data, as: UTF8.self)
        } else {
            let folder = path.deletingLastPathComponent().lastPathComponent
            let inGoldenSets = path.deletingLastPathComponent().deletingLastPathComponent().lastPathComponent == "goldensets"
            guard let name = inGoldenSets ? folder : hint ?? details.compactMap(\.promptName).first else {
                throw FolioError(.usage, "cannot tell which prompt \(path.lastPathComponent) is for", hint: "put it under goldensets/<prompt>/, or pass --prompt")
            }
            text = template(for: name, root: root)
            created = true
        }
        guard let promptName = text.split(separator: "\n").first(where: { $0.hasPrefix("prompt:") })?.dropFirst(7).trimmingCharacters(in: .whitespaces) else {
            throw FolioError(.invalidContent, "\(path.path) has no top-level `prompt:` line")
        }
        var outcome = Outcome(prompt: promptName, created: created)
        let promptPath = root.appendingPathComponent(PromptRepository.promptPath(promptName)).path
        let loaded = FileManager.default.contents(atPath: promptPath).map { LoadedPrompt.load(path: promptPath, text: String(decoding: $0, as: UTF8.self), name: promptName) }
        let templates = loaded?.prompt?.messages.map { (role: $0.role, content: $0.content) } ?? []
        var files = try Workspace.Files.workingTree(at: root)
        let relative = relativePath(path, root: root)
        files.goldenSets[relative] = text
        let existing = Workspace(files: files).goldenSets.first { $0.path == relative }?.goldenSet?.cases ?? []
        var seenVariables = Set(existing.map { $0.vars.mapValues(\.text) })
        var block = ""
        for detail in details {
            let span = detail.call.span
            if text.contains("span_id: \(span.id)") {
                outcome.skipped.append("span \(span.id): already in \(path.lastPathComponent)")
                continue
            }
            var vars = detail.variables
            if vars.isEmpty { vars = VariableRecovery.recover(templates: templates, messages: detail.call.systemInstructions + detail.call.inputMessages) }
            guard seenVariables.insert(vars).inserted else {
                outcome.skipped.append("span \(span.id): a case with the same variables is already in \(path.lastPathComponent)")
                continue
            }
            for variable in loaded?.prompt?.variables ?? [] where variable.required && vars[variable.name] == nil {
                outcome.warnings.append("span \(span.id): the value of '\(variable.name)' cannot be recovered from the span; fill it in by hand")
            }
            let caseID = id ?? "span-\(span.id)"
            let varsText = vars.keys.sorted().map { "\($0): \(PromptDraft.quoted(vars[$0]!))" }.joined(separator: ", ")
            block += "  - id: \(caseID)\n"
            block += "    vars: { \(varsText) }\n"
            if let value = expected ?? expectedAttribute.flatMap({ detail.attributes[$0] }) {
                block += "    expected: \(PromptDraft.quoted(value))\n"
            } else {
                if let expectedAttribute { outcome.warnings.append("span \(span.id) and its ancestors have no \(expectedAttribute): its own output is written for review") }
                block += "    expected: \(PromptDraft.quoted(detail.output ?? ""))  # review: the span's own output, not yet checked\n"
            }
            block += "    source: { trace_id: \(span.trace), span_id: \(span.id) }\n"
            outcome.added += 1
        }
        guard outcome.added > 0 || created else { return outcome }
        if let empty = text.range(of: "cases: []"), outcome.added > 0 { text.replaceSubrange(empty, with: "cases:") }
        if !text.hasSuffix("\n") { text += "\n" }
        text += block
        // The file must still pass lint before it replaces the old one.
        files.goldenSets[relative] = text
        let problems = Workspace(files: files).diagnostics.filter { $0.severity == .error && $0.path == relative }
        guard problems.isEmpty else {
            throw FolioError(.invalidContent, "\(path.path) would not pass lint with the new cases, so nothing was written:\n" + problems.map(\.description).joined(separator: "\n"))
        }
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(Data(text.utf8), to: path)
        return outcome
    }

    /// A new golden set for `prompt`: a label prompt is checked with `equals` (trimmed,
    /// lowercased), anything else with `icontains`.
    static func template(for prompt: String, root: URL) -> String {
        let promptPath = root.appendingPathComponent(PromptRepository.promptPath(prompt)).path
        let loaded = FileManager.default.contents(atPath: promptPath).map { LoadedPrompt.load(path: promptPath, text: String(decoding: $0, as: UTF8.self), name: prompt) }
        let assertion = loaded?.prompt?.output?.type == .label ? "{ type: equals, normalize: [trim, lowercase] }" : "{ type: icontains }"
        return """
            schema: folio/goldenset@1
            prompt: \(prompt)
            description: Cases captured from production traces.
            defaults:
              assert: [\(assertion)]
            cases: []

            """
    }

    /// The repository a golden set belongs to: the folder above `goldensets/`, else the
    /// git repository around it, else its own folder.
    static func repositoryRoot(of path: URL) -> URL {
        var folder = path.deletingLastPathComponent()
        while folder.path != "/" {
            if folder.lastPathComponent == "goldensets" { return folder.deletingLastPathComponent() }
            folder = folder.deletingLastPathComponent()
        }
        if let repository = try? Repository(discovering: path.deletingLastPathComponent().path), let root = repository.workingDirectory {
            return URL(fileURLWithPath: root)
        }
        return path.deletingLastPathComponent()
    }

    static func relativePath(_ path: URL, root: URL) -> String {
        let full = path.standardizedFileURL.path, base = root.standardizedFileURL.path
        return full.hasPrefix(base + "/") ? String(full.dropFirst(base.count + 1)) : path.lastPathComponent
    }
}
