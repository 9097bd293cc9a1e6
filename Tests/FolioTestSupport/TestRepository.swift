import FolioProcess
import Foundation

/// A real git repository in a temporary folder, driven by the git CLI, for tests.
/// Commits get a fixed author and increasing dates so histories are reproducible.
public final class TestRepository: @unchecked Sendable {
    public let url: URL
    public var path: String { url.path }
    private var clock = 1_790_000_000

    public init(branch: String = "main", bare: Bool = false) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("folio-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        if bare {
            try git("init", "-q", "--bare", "-b", branch)
        } else {
            try git("init", "-q", "-b", branch)
        }
    }

    /// Wraps an existing folder (a clone made by `git clone`).
    public init(existing url: URL) {
        self.url = url
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// Writes a file (creating folders) relative to the repository root.
    public func write(_ path: String, _ text: String) throws {
        let file = url.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }

    public func remove(_ path: String) throws {
        try FileManager.default.removeItem(at: url.appendingPathComponent(path))
    }

    /// Stages everything and commits; returns the new commit id.
    @discardableResult
    public func commit(_ message: String, files: [String: String] = [:]) throws -> String {
        for (path, text) in files { try write(path, text) }
        try git("add", "-A")
        try git("commit", "-q", "--allow-empty", "-m", message)
        return try git("rev-parse", "HEAD")
    }

    /// Runs git in the repository and returns its trimmed standard output.
    @discardableResult
    public func git(_ arguments: String...) throws -> String {
        try git(arguments)
    }

    @discardableResult
    public func git(_ arguments: [String], input: String? = nil) throws -> String {
        clock += 60
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_AUTHOR_NAME"] = "Ada Tester"
        environment["GIT_AUTHOR_EMAIL"] = "ada@example.com"
        environment["GIT_COMMITTER_NAME"] = "Ada Tester"
        environment["GIT_COMMITTER_EMAIL"] = "ada@example.com"
        environment["GIT_AUTHOR_DATE"] = "\(clock) +0000"
        environment["GIT_COMMITTER_DATE"] = "\(clock) +0000"
        let result = try Command.run("/usr/bin/env", ["git"] + arguments, in: url, environment: environment, input: input)
        guard result.status == 0 else {
            throw CommandFailure(command: "git " + arguments.joined(separator: " "), result: result)
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The outcome of a finished process.
public struct CommandResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    /// The signal that ended the process, if one did (then `status` is its number).
    public let signal: Int32?

    public init(status: Int32, stdout: String, stderr: String, signal: Int32? = nil) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.signal = signal
    }
}

public struct CommandFailure: Error, CustomStringConvertible {
    public let command: String
    public let result: CommandResult

    public init(command: String, result: CommandResult) {
        self.command = command
        self.result = result
    }

    public var description: String {
        "`\(command)` exited \(result.status): \(result.stderr)"
    }
}

public enum Command {
    /// Runs a program to completion, capturing its output, through the wrapper Folio itself
    /// uses: its launches take turns with Folio's, so neither leaks pipes into the other.
    public static func run(
        _ executable: String, _ arguments: [String], in folder: URL? = nil,
        environment: [String: String]? = nil, input: String? = nil
    ) throws -> CommandResult {
        let result = try ExternalProgram(executable, arguments, in: folder, environment: environment).run(input: input.map { Data($0.utf8) })
        return CommandResult(
            status: result.status, stdout: String(decoding: result.output, as: UTF8.self), stderr: String(decoding: result.error, as: UTF8.self), signal: result.signal)
    }
}

extension Command {
    /// `run` on a thread of its own: async tests that serve HTTP from this process (a fake
    /// provider) must not block the cooperative pool's few threads while a child calls them.
    public static func runAsync(
        _ executable: String, _ arguments: [String], in folder: URL? = nil,
        environment: [String: String]? = nil, input: String? = nil
    ) async throws -> CommandResult {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try run(executable, arguments, in: folder, environment: environment, input: input) })
            }
        }
    }
}

/// A long-running folio command (`serve`, `collect`) started with `--port 0`: waits for
/// its first line and reads the port it bound.
public final class ServerProcess: @unchecked Sendable {
    public let process = Process()
    public let port: Int
    /// What the program printed first (the line with its address).
    public let firstLine: String

    /// - Parameter errorLog: a file for the program's standard error (else it is dropped).
    public init(_ executable: String, _ arguments: [String], in folder: URL? = nil, errorLog: URL? = nil, environment: [String: String]? = nil) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        if let folder { process.currentDirectoryURL = folder }
        let output = Pipe()
        process.standardOutput = output
        if let errorLog {
            _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: errorLog)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let range = text.range(of: "http://127.0.0.1:"), let port = Int(text[range.upperBound...].prefix { $0.isNumber }) else {
            throw CommandFailure(command: ([executable] + arguments).joined(separator: " "), result: CommandResult(status: -1, stdout: text, stderr: ""))
        }
        self.port = port
        firstLine = text
    }
}
