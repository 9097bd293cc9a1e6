import ArgumentParser
import Foundation
import Synchronization

/// Everything a command reads or writes besides its arguments and the repository:
/// standard output and standard error, the folder relative paths resolve against, and the
/// environment variables. `folio` runs its commands in `.process`; tests run them
/// in-process with a `captured` one (git-bug's `execenv`), many at once, each with its own
/// output, folder and variables.
///
/// Commands never call `print`, `FileManager.default.currentDirectoryPath` or
/// `ProcessInfo.processInfo.environment`; the module's `print` below does not compile.
struct CommandEnvironment: Sendable {
    /// Where a command's text goes.
    struct Channel: Sendable {
        fileprivate let write: @Sendable (String) -> Void
        /// Whether it is a terminal (a progress bar redraws in place only there).
        let isTerminal: Bool
        /// The terminal's width, when it is one.
        let terminalWidth: Int?
    }

    let output: Channel
    let errors: Channel
    /// The folder relative paths in arguments are relative to.
    let workingDirectory: URL
    let variables: [String: String]
    /// Whether the command owns the process: only then may it take over Ctrl-C.
    let ownsProcess: Bool

    /// The process's own standard output, error, folder and variables.
    static var process: CommandEnvironment {
        CommandEnvironment(
            output: Channel(write: writeStandardOutput, isTerminal: isatty(STDOUT_FILENO) == 1, terminalWidth: terminalWidth(STDOUT_FILENO)),
            errors: Channel(write: writeStandardError, isTerminal: isatty(STDERR_FILENO) == 1, terminalWidth: nil),
            workingDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true),
            variables: ProcessInfo.processInfo.environment,
            ownsProcess: true
        )
    }

    /// An environment whose output and errors are kept in `Captured` for a test to read.
    static func captured(in folder: URL, variables: [String: String]) -> (CommandEnvironment, Captured) {
        let captured = Captured()
        let environment = CommandEnvironment(
            output: Channel(write: { text in captured.output.withLock { $0 += text } }, isTerminal: false, terminalWidth: nil),
            errors: Channel(write: { text in captured.errors.withLock { $0 += text } }, isTerminal: false, terminalWidth: nil),
            workingDirectory: URL(fileURLWithPath: folder.path, isDirectory: true),
            variables: variables,
            ownsProcess: false
        )
        return (environment, captured)
    }

    /// What a captured command wrote.
    final class Captured: Sendable {
        let output = Mutex("")
        let errors = Mutex("")
    }

    // MARK: Paths

    /// `path` as an absolute path: relative paths are taken from `workingDirectory`.
    func path(_ path: String) -> String {
        url(path).path
    }

    func url(_ path: String) -> URL {
        let expanded = (path as NSString).expandingTildeInPath
        return expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded) : workingDirectory.appendingPathComponent(expanded).standardizedFileURL
    }

    /// A path as the user would have written it: relative to `workingDirectory` when it is
    /// inside it.
    func shown(_ path: String) -> String {
        let folder = workingDirectory.path.hasSuffix("/") ? workingDirectory.path : workingDirectory.path + "/"
        return path.hasPrefix(folder) ? String(path.dropFirst(folder.count)) : path
    }

    // MARK: Output

    /// A line on standard output.
    func print(_ line: String) {
        output.write(line + "\n")
    }

    /// Text on standard output as it is, without a line break.
    func write(_ text: String) {
        output.write(text)
    }

    /// Encodes a value as stable JSON (sorted keys, two-space indent) on standard output.
    func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Sends what is buffered on to the process's standard output (a captured environment
    /// buffers nothing).
    func flush() {
        if ownsProcess { fflush(nil) }
    }

    /// Text on standard error as it is.
    func writeError(_ text: String) {
        errors.write(text)
    }

    /// `error: <message>` on standard error.
    func error(_ message: String) {
        writeError("error: \(message)\n")
    }

    /// A line on standard error: what a command says about its work, apart from its result.
    func note(_ message: String) {
        writeError("\(message)\n")
    }

    /// The width to fit tables to: COLUMNS when set (as shells export it), else the
    /// terminal's, else 120.
    var width: Int {
        if let columns = variables["COLUMNS"].flatMap(Int.init), columns > 20 { return columns }
        return output.terminalWidth ?? 120
    }

    // MARK: The process's channels

    private static func terminalWidth(_ descriptor: Int32) -> Int? {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 else { return nil }
        return Int(size.ws_col)
    }

    /// Through C's buffered standard output, as `print` writes: one system call per buffer,
    /// not per line.
    @Sendable private static func writeStandardOutput(_ text: String) {
        Swift.print(text, terminator: "")
    }

    /// A closed standard error (`folio … 2>&1 | head -1`) loses the text; it must not crash
    /// the command (the non-throwing `FileHandle.write` traps on EPIPE). Standard output is
    /// flushed first, to keep its lines before this one when both go to one place.
    @Sendable static func writeStandardError(_ text: String) {
        fflush(nil)
        try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
    }
}

/// Commands write through their `CommandEnvironment`; a bare `print` would go to the
/// process's standard output, where an in-process test never sees it.
@available(*, unavailable, message: "write through the CommandEnvironment: env.print(…)")
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {}

/// A `folio` command that runs in a `CommandEnvironment`.
protocol FolioSubcommand: AsyncParsableCommand {
    func run(in env: CommandEnvironment) async throws
}

extension FolioSubcommand {
    func run() async throws {
        try await run(in: .process)
    }
}
