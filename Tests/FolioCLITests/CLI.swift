import Foundation
import FolioTestSupport

/// Runs the built `folio` binary, as a user would.
enum CLI {
    static let binary: String = {
        if let override = ProcessInfo.processInfo.environment["FOLIO_BIN"] { return override }
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL { candidates.append(executable.deletingLastPathComponent().appendingPathComponent("folio")) }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("folio"))
        candidates.append(Fixtures.packageRoot.appendingPathComponent(".build/debug/folio"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }?.path ?? candidates.last!.path
    }()

    static func run(_ arguments: String..., in folder: URL) throws -> CommandResult {
        try run(arguments, in: folder)
    }

    static func run(_ arguments: [String], in folder: URL, environment extra: [String: String] = [:]) throws -> CommandResult {
        try Command.run(binary, arguments, in: folder, environment: environment(extra))
    }

    /// The same on its own thread, for async tests that serve HTTP from the test process.
    static func runAsync(_ arguments: [String], in folder: URL, environment extra: [String: String] = [:]) async throws -> CommandResult {
        try await Command.runAsync(binary, arguments, in: folder, environment: environment(extra))
    }

    static func environment(_ extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
        environment["GIT_AUTHOR_NAME"] = "Ada Tester"
        environment["GIT_AUTHOR_EMAIL"] = "ada@example.com"
        environment["GIT_COMMITTER_NAME"] = "Ada Tester"
        environment["GIT_COMMITTER_EMAIL"] = "ada@example.com"
        return environment
    }
}
