import ArgumentParser
import Foundation
import FolioCore
import FolioGit
import FolioModel

/// `folio`: prompts as files in git.
struct FolioCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "folio",
        abstract: "Prompts as files in git: lint, version, render, diff and promote them.",
        discussion: """
            Exit codes: 0 ok, 1 the check found problems, 2 usage or configuration error,
            3 an evaluation was inconclusive (eval, check), 4 a file could not be written.

            Shell completions: folio --generate-completion-script bash|zsh|fish
            """,
        version: "2.0.0",
        subcommands: [
            InitCommand.self, LintCommand.self, RenderCommand.self, VersionsCommand.self,
            DiffCommand.self, PromoteCommand.self, RollbackCommand.self, LogCommand.self, VerifyCommand.self, BuildCommand.self, ServeCommand.self, TracesCommand.self, ReportCommand.self,
            AlertCommand.self, PromptCommand.self, GoldenSetCommand.self,
            EvalCommand.self, CheckCommand.self, HooksCommand.self, CollectCommand.self,
            UICommand.self, DemoCommand.self,
        ]
    )

    /// Runs `folio` with the process's arguments and exits with its code. Every way out
    /// waits for libgit2's background set-up first (`Libgit2.finishPreparation`).
    static func execute(_ arguments: [String]) async -> Never {
        let code = await run(arguments, in: .process)
        Libgit2.finishPreparation()
        fflush(nil)
        Foundation.exit(code)
    }

    /// Parses and runs a command in `env`; maps errors to Folio's exit codes (2 for usage
    /// and configuration problems, 1 for problems a check found) and returns the code.
    static func run(_ arguments: [String], in env: CommandEnvironment) async -> Int32 {
        do {
            var command = try parseAsRoot(normalizePush(arguments))
            if let command = command as? any FolioSubcommand {
                try await command.run(in: env)
            } else {
                try command.run()  // a group without a subcommand: its help
            }
            return 0
        } catch let error as any UserFacingError {
            env.error(error.description)
            return error.exitCode
        } catch let error as CocoaError {
            let error = fileError(error)
            env.error(error.description)
            return error.exitCode
        } catch let error as ExitCode {
            return error.rawValue
        } catch {
            let code = exitCode(for: error)
            if code == .success {  // --help, --version, completion scripts
                env.print(fullMessage(for: error))
                return 0
            }
            env.writeError(fullMessage(for: error) + "\n")
            return code == .validationFailure ? 2 : code.rawValue
        }
    }

    /// Foundation's file errors, said plainly: a failed write exits 4, a failed read 2.
    static func fileError(_ error: CocoaError) -> FolioError {
        let path = (error.userInfo[NSFilePathErrorKey] as? String) ?? error.url?.path ?? "a file"
        let reason =
            (error.underlying as? POSIXError).map { String(cString: strerror($0.code.rawValue)) }
            ?? (error.userInfo[NSUnderlyingErrorKey] as? NSError).map { String(cString: strerror(Int32($0.code))) } ?? error.localizedDescription
        if (CocoaError.Code.fileWriteUnknown.rawValue...CocoaError.Code.fileWriteVolumeReadOnly.rawValue).contains(error.code.rawValue) {
            return FolioError(.io, "cannot write \(path): \(reason)", hint: "check that the folder can be created there, is writable and the disk has room")
        }
        return FolioError(.usage, "cannot read \(path): \(reason)", hint: "check the path")
    }
}

/// `--push` may stand alone (meaning `origin`) or name a remote.
func normalizePush(_ arguments: [String]) -> [String] {
    var result: [String] = []
    for (index, argument) in arguments.enumerated() {
        result.append(argument)
        guard argument == "--push" else { continue }
        let next = index + 1 < arguments.count ? arguments[index + 1] : nil
        if next == nil || next!.hasPrefix("-") || next!.contains("@") { result.append("origin") }
    }
    return result
}

/// Shared `--repo` option: which repository to work in.
struct RepositoryOptions: ParsableArguments {
    @Option(name: .customLong("repo"), help: "A folder inside the prompt repository (default: the current folder).")
    var path: String = "."

    func open(_ env: CommandEnvironment) throws -> PromptRepository {
        try PromptRepository(discovering: env.path(path))
    }
}

/// Output formats that scripts read.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
