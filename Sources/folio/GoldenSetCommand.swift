import ArgumentParser
import Foundation
import FolioCore
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
            against the recorded messages (on the span or in log records tied to it). expected is
            --expected, the value of --expected-attr on the span or its nearest ancestor that has
            it, or else the span's output marked for review. The trace and span ids become the
            case's source; a span already in the set is skipped. The file must still pass lint, or
            nothing is written.

            Examples:
              folio goldenset add goldensets/support_ticket_triage/production_failures.yaml \\
                --from-trace traces/ --span 00f067aa0ba902b7 --expected technical
              folio goldenset add goldensets/support_ticket_triage/misroutes.yaml --from-trace traces/ \\
                --where gen_ai.prompt.version=1 --expected-attr app.expected_team --limit 20
            """
    )

    @Argument(help: "The golden-set file.")
    var file: String

    @Option(name: .customLong("from-trace"), parsing: .upToNextOption, help: "Trace files or folders.")
    var traces: [String]

    @Option(name: .customLong("span"), help: "A span id to add (repeatable).")
    var spans: [String] = []

    @Option(name: .customLong("where"), help: "Add the spans whose attribute equals a value: <attr>=<value> (repeatable).")
    var conditions: [String] = []

    @Option(help: "With --where: at most this many spans.")
    var limit: Int = 20

    @Option(help: "The expected output for every added case.")
    var expected: String?

    @Option(name: .customLong("expected-attr"), help: "Take each case's expected output from this attribute, on the span or its nearest ancestor.")
    var expectedAttribute: String?

    @Option(help: "The case id (only with one span).")
    var id: String?

    func validate() throws {
        guard !traces.isEmpty else { throw ValidationError("--from-trace needs trace files or folders") }
        guard spans.isEmpty != conditions.isEmpty else { throw ValidationError("give --span … or --where …, not both or neither") }
        if id != nil && spans.count != 1 { throw ValidationError("--id names one case: use it with exactly one --span") }
        if expected != nil && expectedAttribute != nil { throw ValidationError("give --expected or --expected-attr, not both") }
    }

    func run(in env: CommandEnvironment) throws {
        let path = env.path(file)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FolioError(.usage, "cannot read the golden set '\(file)'", hint: "create it with `schema: folio/goldenset@1`, `prompt:` and `cases: []`")
        }
        var text = String(decoding: data, as: UTF8.self)
        guard let promptName = text.split(separator: "\n").first(where: { $0.hasPrefix("prompt:") })?.dropFirst(7).trimmingCharacters(in: .whitespaces) else {
            throw FolioError(.invalidContent, "\(file) has no top-level `prompt:` line")
        }
        let root = URL(fileURLWithPath: path).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let promptPath = root.appendingPathComponent(PromptRepository.promptPath(promptName)).path
        let loaded = FileManager.default.contents(atPath: promptPath).map { LoadedPrompt.load(path: promptPath, text: String(decoding: $0, as: UTF8.self), name: promptName) }
        let templates = loaded?.prompt?.messages.map { (role: $0.role, content: $0.content) } ?? []
        let wanted = Set(spans.map { $0.lowercased() })
        let filter = try SpanFilter.parse(conditions.flatMap { ["--where", $0] })
        let calls = try joinedCalls(traces, env, inherited: filter.attributeKeys + [expectedAttribute].compactMap { $0 }) { span in
            wanted.isEmpty || wanted.contains(span.record.spanID) ? span : nil
        }
        var picked: [(span: GenAISpan, call: TraceJoin<GenAISpan>.Call)] = []
        for call in calls where wanted.isEmpty ? picked.count < limit : true {
            guard wanted.isEmpty ? filter.matches(call, start: call.payload.record.start, isError: call.payload.isError) : true else { continue }
            var span = call.payload
            span.contentEvents += call.events.filter { !span.contentEvents.contains($0) }
            picked.append((span, call))
        }
        let missing = wanted.subtracting(picked.map(\.span.record.spanID))
        guard missing.isEmpty else { throw FolioError(.usage, "no LLM call with span id \(missing.sorted().joined(separator: ", ")) in those files", hint: "list them with `folio traces list`") }
        var added = 0
        var block = ""
        for (span, call) in picked {
            if text.contains("span_id: \(span.record.spanID)") {
                env.note("skipped span \(span.record.spanID): already in \(file)")
                continue
            }
            var vars = span.promptVariables
            if vars.isEmpty { vars = VariableRecovery.recover(templates: templates, messages: span.systemInstructions + span.inputMessages) }
            let declared = loaded?.prompt?.variables ?? []
            for variable in declared where variable.required && vars[variable.name] == nil {
                env.note("warning: span \(span.record.spanID): the value of '\(variable.name)' cannot be recovered from the span; fill it in by hand")
            }
            let caseID = id ?? "span-\(span.record.spanID)"
            let varsText = vars.keys.sorted().map { "\($0): \(PromptDraft.quoted(vars[$0]!))" }.joined(separator: ", ")
            block += "  - id: \(caseID)\n"
            block += "    vars: { \(varsText) }\n"
            if let expected = expected ?? expectedAttribute.flatMap({ call.attributes[$0]?.text }) {
                block += "    expected: \(PromptDraft.quoted(expected))\n"
            } else {
                if let expectedAttribute { env.note("warning: span \(span.record.spanID) and its ancestors have no \(expectedAttribute): its own output is written for review") }
                block += "    expected: \(PromptDraft.quoted(span.outputText ?? ""))  # review: the span's own output, not yet checked\n"
            }
            block += "    source: { trace_id: \(span.record.traceID), span_id: \(span.record.spanID) }\n"
            added += 1
        }
        guard added > 0 else {
            env.note("nothing added")
            return
        }
        if let empty = text.range(of: "cases: []") { text.replaceSubrange(empty, with: "cases:") }
        if !text.hasSuffix("\n") { text += "\n" }
        text += block
        // The file must still pass lint before it replaces the old one.
        var files = try Workspace.Files.workingTree(at: root)
        let relative = files.goldenSets.keys.first { root.appendingPathComponent($0).standardizedFileURL.path == URL(fileURLWithPath: path).standardizedFileURL.path }
        if let relative { files.goldenSets[relative] = text }
        let problems = Workspace(files: files).diagnostics.filter { $0.severity == .error && $0.path == relative }
        guard problems.isEmpty else {
            throw FolioError(.invalidContent, "\(file) would not pass lint with the new cases, so nothing was written:\n" + problems.map(\.description).joined(separator: "\n"))
        }
        try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: path))
        env.print("added \(added) case(s) to \(file)")
    }
}
