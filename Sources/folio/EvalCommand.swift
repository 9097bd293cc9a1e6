import ArgumentParser
import FolioCore
import FolioEval
import FolioModel
import Foundation

/// `folio eval`: run a prompt version's golden sets on a real provider; optionally side by
/// side with another version or with other models.
struct EvalCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Run a prompt's golden sets on a provider; compare two versions or several models side by side.",
        discussion: """
            Examples:
              folio eval support_ticket_triage                      the working tree's draft
              folio eval support_ticket_triage@2 --compare @production
              folio eval support_ticket_triage --model gpt-4o --model gpt-4o-mini
              folio eval support_ticket_triage --var ticket_text="I was charged twice" --expect billing
            Exit codes: 0 pass, 1 failures (or a regression when comparing), 2 usage or configuration error, 3 inconclusive.
            """
    )

    @Argument(help: "<prompt>[@<version>|@draft|@<commit>]; default: the working tree.")
    var prompt: String

    @Option(help: "Only this golden set (its file name without .yaml, under goldensets/<prompt>/).")
    var goldenset: String?

    @Option(help: "Compare with this version: <version>, @<environment> or a git revision.")
    var compare: String?

    @Option(help: "Run with this model (repeat the option to compare models side by side).")
    var model: [String] = []

    @Option(name: .customLong("var"), help: "Run one case with these variables instead of the golden sets: name=value (repeatable; JSON for a list or object variable).")
    var variables: [String] = []

    @Option(name: .customLong("vars-file"), help: "The one case's variables from a YAML or JSON file; --var wins over it.")
    var variablesFile: String?

    @Option(help: "The one case's expected answer, checked as a golden set's `expected:` (equal, trimmed); without it the answers are shown, not checked.")
    var expect: String?

    @Option(help: "Output: table, json, markdown, junit or html.")
    var format: ReportWriter.Format = .table

    @Option(help: "Also write every report format to this folder.")
    var out: String?

    @OptionGroup var runOptions: EvalRunOptions
    @OptionGroup var repository: RepositoryOptions

    func validate() throws {
        if compare != nil, model.count > 1 { throw ValidationError("use --compare or several --model options, not both") }
        if goldenset != nil, !variables.isEmpty || variablesFile != nil { throw ValidationError("use --goldenset or --var/--vars-file, not both") }
        if expect != nil, variables.isEmpty, variablesFile == nil { throw ValidationError("--expect checks the case --var gives: pass the variables with --var or --vars-file") }
    }

    func run(in env: CommandEnvironment) async throws {
        let repo = try repository.open(env)
        let reference = try PromptReference(parsing: prompt)
        let head = try repo.resolve(reference)
        let setup = runOptions.setup(repo, env)
        var sides: [EvalSide] = []
        if let compare {
            sides.append(try setup.side(label: "base", try repo.resolve(try compareReference(compare, name: reference.name, repo)), model: model.first))
            sides.append(try setup.side(label: "head", head, model: model.first))
        } else if model.count > 1 {
            sides = try model.map { try setup.side(label: $0, head, model: $0) }
        } else {
            sides = [try setup.side(label: "head", head, model: model.first)]
        }
        let jobs: [EvalJob]
        if !variables.isEmpty || variablesFile != nil {
            jobs = [EvalJob(goldenSetPath: "--var", goldenSet: try oneCase(head, env), sides: sides)]
        } else {
            let sets = try EvalSetup.goldenSets(of: reference.name, in: try repo.workingTreeWorkspace(), named: goldenset)
            guard !sets.isEmpty else {
                let what = goldenset.map { "goldensets/\(reference.name)/\($0).yaml" } ?? "goldensets/\(reference.name)/"
                throw FolioError(
                    .usage, "prompt '\(reference.name)' has no golden set at \(what)",
                    hint: "create one with `folio goldenset add`, pick another with --goldenset, or run one case with --var")
            }
            jobs = sets.map { EvalJob(goldenSetPath: $0.path, goldenSet: $0.set, sides: sides) }
        }
        let report = try await EvalSession.run(jobs, options: try runOptions.evalOptions(setup), env)
        try EvalSession.output(report, format: format, out: out, env)
        throw ExitCode(EvalSession.exitCode(report))
    }

    /// The golden set of one case that `--var`/`--vars-file` (and `--expect`) describe: checked
    /// as `expected:` is when expected is given, otherwise with no assertion (it passes, and
    /// the report shows each side's answer).
    func oneCase(_ head: ResolvedPrompt, _ env: CommandEnvironment) throws -> GoldenSet {
        let compiled = try head.compiled()
        var values = try variablesFile.map { try VariablesFile.load(env.path($0)) } ?? [:]
        values.merge(try VariablesFile.parsePairs(variables, declared: compiled.prompt.variables)) { _, new in new }
        do {
            _ = try compiled.render(values, allowUnknown: false)
        } catch {
            throw FolioError(.usage, error.message, hint: error.kind == .missingVariable ? error.variable.map { "pass it with --var \($0)=… or --vars-file" } : nil)
        }
        let goldenCase = GoldenCase(id: "given-variables", vars: values, expected: expect, assertions: expect == nil ? [] : nil)
        return GoldenSet(prompt: head.name, cases: [goldenCase])
    }

    /// `@production` → the version published there; anything else as a prompt reference.
    func compareReference(_ text: String, name: String, _ repo: PromptRepository) throws -> PromptReference {
        if text.hasPrefix("@") {
            let environment = String(text.dropFirst())
            guard repo.config.environments.contains(environment) else {
                throw FolioError(.usage, "'\(environment)' is not an environment in folio.yaml (it has \(repo.config.environments.joined(separator: ", ")))")
            }
            guard let published = try PromotionLog(repository: repo).published(name, in: environment) else {
                throw FolioError(.usage, "prompt '\(name)' has never been promoted to \(environment)", hint: "compare with a version instead: --compare 1")
            }
            return PromptReference(name: name, selector: .version(published.version))
        }
        return try PromptReference(parsing: text.contains("@") ? text : "\(name)@\(text)")
    }
}

/// `folio check`: the pre-merge gate.
struct CheckCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Evaluate the prompts a change touches on base and head; fail on new failures.",
        discussion: """
            Finds the prompts and golden sets changed between the merge base of --base and --head,
            runs each changed prompt's head golden sets against its base version and its head
            version, and gates on new failures (pass on base, fail on head). A new prompt runs
            head only and must pass.

            Examples:
              folio check --base origin/main --out reports/
              folio check --base main --head my-branch --provider replay --format markdown
            Exit codes: 0 pass, 1 regression, 2 usage or configuration error, 3 inconclusive.
            """
    )

    @Option(help: "The revision the change will merge into (for example origin/main).")
    var base: String

    @Option(help: "The revision with the change.")
    var head: String = "HEAD"

    @Option(help: "Write report.json, report.md, junit.xml, report.html and report.txt here.")
    var out: String?

    @Option(help: "Output on standard output: table, json, markdown, junit or html.")
    var format: ReportWriter.Format = .table

    @Flag(name: .customLong("trust-head-providers"), help: "Use the head revision's providers even where it changes how they are reached (base_url, api_key_env, headers, command).")
    var trustHeadProviders = false

    @OptionGroup var runOptions: EvalRunOptions
    @OptionGroup var repository: RepositoryOptions

    func run(in env: CommandEnvironment) async throws {
        let repo = try repository.open(env)
        let plan = try CheckPlanner.plan(repo, base: base, head: head)
        env.note("Comparing \(plan.baseCommit.short) (merge base with \(base)) → \(plan.headCommit.short) (\(head))")
        for note in plan.notes { env.note("note: \(note)") }
        let (providers, trustNote) = try plan.providers(trustingHead: trustHeadProviders)
        if let trustNote { env.note("note: \(trustNote)") }
        let setup = runOptions.setup(repo, env, providers: providers)
        var jobs: [EvalJob] = []
        for item in plan.items {
            env.note("\(item.prompt): " + item.reasons.joined(separator: "; "))
            var sides: [EvalSide] = []
            if let base = item.base { sides.append(try setup.side(label: "base", base)) }
            sides.append(try setup.side(label: "head", item.head))
            jobs += item.goldenSets.map { EvalJob(goldenSetPath: $0.path, goldenSet: $0.set, sides: sides) }
        }
        var report: EvalReport
        if jobs.isEmpty {
            env.note("No prompt or golden set with cases changed: nothing to evaluate.")
            report = EvalReport(verdict: .pass, runs: [], durationSeconds: 0, notes: trustNote.map { [$0] })
        } else {
            report = try await EvalSession.run(jobs, options: try runOptions.evalOptions(setup), env)
            if let trustNote { report.notes = (report.notes ?? []) + [trustNote] }
        }
        try EvalSession.output(report, format: format, out: out, env)
        throw ExitCode(EvalSession.exitCode(report))
    }
}
