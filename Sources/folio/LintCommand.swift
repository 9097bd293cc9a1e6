import ArgumentParser
import Foundation
import FolioCore
import FolioGit
import FolioModel

struct LintCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check folio.yaml, prompts, partials and golden sets; report every problem.",
        discussion: """
            Each problem is printed as path:line:column: error|warning: message.
            Exits 1 when there is at least one error (warnings alone pass).

            Examples:
              folio lint
              folio lint prompts/support_ticket_triage.yaml goldensets/
              folio lint --format json
            """
    )

    @Argument(help: "Files or folders to report on (default: the whole repository). All files are read for cross-checks.")
    var paths: [String] = []

    @Option(help: "text or json.")
    var format: OutputFormat = .text

    @OptionGroup var repository: RepositoryOptions

    struct Report: Encodable {
        let schema = "folio/lint@1"
        let diagnostics: [Diagnostic]
        let errors: Int
        let warnings: Int
    }

    func run(in env: CommandEnvironment) throws {
        let start = env.url(repository.path)
        let root = (try? Repository(discovering: start.path)).flatMap { $0.workingDirectory }.map { URL(fileURLWithPath: $0) } ?? start
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent("folio.yaml").path) else {
            throw FolioError(.configuration, "no folio.yaml in \(root.path): this is not a Folio repository", hint: "run `folio init` to create one")
        }
        let workspace = Workspace(files: try .workingTree(at: root))
        let filters = try paths.map { try relative($0, to: root, env) }
        let shown = workspace.diagnostics.filter { diagnostic in
            filters.isEmpty || filters.contains { $0.isEmpty || diagnostic.path == $0 || diagnostic.path.hasPrefix($0 + "/") }
        }
        let errors = shown.filter { $0.severity == .error }.count
        let warnings = shown.count - errors
        switch format {
        case .json:
            try env.printJSON(Report(diagnostics: shown, errors: errors, warnings: warnings))
        case .text:
            for diagnostic in shown { env.print(diagnostic.description) }
            let files = workspace.prompts.count + workspace.partials.count + workspace.goldenSets.count + (workspace.config == nil ? 0 : 1)
            env.note(errors + warnings == 0 ? "ok: \(files) files checked" : "\(errors) error(s), \(warnings) warning(s)")
        }
        if errors > 0 { throw ExitCode(1) }
    }

    private func relative(_ path: String, to root: URL, _ env: CommandEnvironment) throws -> String {
        let absolute = env.url(path).standardizedFileURL.resolvingSymlinksInPath().path
        let base = root.standardizedFileURL.resolvingSymlinksInPath().path
        guard absolute == base || absolute.hasPrefix(base + "/") else {
            throw FolioError(.usage, "'\(path)' is outside the repository \(base)")
        }
        guard FileManager.default.fileExists(atPath: absolute) else {
            throw FolioError(.usage, "'\(path)' does not exist")
        }
        return absolute == base ? "" : String(absolute.dropFirst(base.count + 1))
    }
}
