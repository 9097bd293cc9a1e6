import Foundation
import FolioTestSupport
import Synchronization

@testable import folio

/// Runs `folio` commands: in this process with their output captured (`run`), as most tests
/// do, or as the built binary (`runProcess`), for what only a process shows: exit codes at
/// exit, signals, servers, and the demo.
enum CLI {
    static let binary: String = {
        if let override = ProcessInfo.processInfo.environment["FOLIO_BIN"] { return override }
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL { candidates.append(executable.deletingLastPathComponent().appendingPathComponent("folio")) }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("folio"))
        candidates.append(Fixtures.packageRoot.appendingPathComponent(".build/debug/folio"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }?.path ?? candidates.last!.path
    }()

    /// Runs a command in this process, in `folder`, with the test process's environment
    /// variables and `extra`; returns its exit code and what it wrote.
    static func run(_ arguments: String..., in folder: URL) async -> CommandResult {
        await run(arguments, in: folder)
    }

    static func run(_ arguments: [String], in folder: URL, environment extra: [String: String] = [:]) async -> CommandResult {
        let (env, captured) = CommandEnvironment.captured(in: folder, variables: environment(extra))
        let thread = ThreadExecutor()
        defer { thread.stop() }
        let status = await withTaskExecutorPreference(thread) { await FolioCommand.run(arguments, in: env) }
        return CommandResult(status: status, stdout: captured.output.withLock { $0 }, stderr: captured.errors.withLock { $0 })
    }

    /// Runs the built binary in `folder`.
    static func runProcess(_ arguments: String..., in folder: URL) throws -> CommandResult {
        try runProcess(arguments, in: folder)
    }

    static func runProcess(_ arguments: [String], in folder: URL, environment extra: [String: String] = [:]) throws -> CommandResult {
        try Command.run(binary, arguments, in: folder, environment: environment(extra))
    }

    /// The same on its own thread, for async tests that serve HTTP from the test process.
    static func runProcessAsync(_ arguments: [String], in folder: URL, environment extra: [String: String] = [:]) async throws -> CommandResult {
        try await Command.runAsync(binary, arguments, in: folder, environment: environment(extra))
    }

    static func environment(_ extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_AUTHOR_NAME"] = "Ada Tester"
        environment["GIT_AUTHOR_EMAIL"] = "ada@example.com"
        environment["GIT_COMMITTER_NAME"] = "Ada Tester"
        environment["GIT_COMMITTER_EMAIL"] = "ada@example.com"
        return environment.merging(extra) { _, new in new }
    }
}
