import FolioModel
import Foundation
import Synchronization

/// The one way Folio runs another program: git, ssh-keygen and gpg for promotions, a
/// `command` provider, the local model server, the demo's steps.
///
/// Not swift-subprocess: its API is async only, and the promotion path that signs tags and
/// pushes them is synchronous around libgit2's non-Sendable repository; bridging it back
/// would bring back the semaphore the command root no longer has.
package struct ExternalProgram: Sendable {
    /// What becomes of the program's standard output and error.
    package enum Output: Sendable {
        /// Collected into `Result` (read on threads of their own, so a chatty program never
        /// blocks on a full pipe).
        case capture
        /// The terminal's: standard input and error stay this process's too, so the program
        /// can ask for a passphrase; only standard output is collected.
        case interactive
        /// This process's standard output and error (the demo narrates through them).
        case inherit
        /// Appended to a file (a server's log).
        case file(URL)
    }

    package struct Result: Sendable {
        package var status: Int32
        package var output: Data
        package var error: Data
        /// Ended by the timeout (SIGKILL).
        package var timedOut: Bool
        /// The signal that ended the program, if one did (`status` is then its number).
        package var signal: Int32?
    }

    /// A name looked up on PATH, or an absolute path.
    package var executable: String
    package var arguments: [String]
    package var folder: URL?
    /// nil: this process's environment.
    package var environment: [String: String]?

    package init(_ executable: String, _ arguments: [String], in folder: URL? = nil, environment: [String: String]? = nil) {
        self.executable = executable
        self.arguments = arguments
        self.folder = folder
        self.environment = environment
    }

    /// Runs the program to its end, blocking this thread (for synchronous callers).
    package func run(input: Data? = nil, output: Output = .capture, timeout: Duration? = nil) throws -> Result {
        let launched = try launch(input: input, output: output, timeout: timeout)
        launched.finished.wait()
        return launched.result()
    }

    /// Runs the program to its end without blocking a thread of the cooperative pool: its
    /// exit and its output are awaited through Dispatch.
    package func run(input: Data? = nil, output: Output = .capture, timeout: Duration? = nil) async throws -> Result {
        let launched = try launch(input: input, output: output, timeout: timeout)
        let finished = launched.finished
        await withCheckedContinuation { continuation in
            onThreadOfItsOwn {
                finished.wait()
                continuation.resume()
            }
        }
        return launched.result()
    }

    /// Starts a program that runs until it is stopped (a server).
    package func start(output: Output) throws -> RunningProgram {
        RunningProgram(try launch(input: nil, output: output, timeout: nil))
    }

    /// Standard output as a pipe this process reads, for a server that prints its address
    /// on its first line (or a run whose progress is shown as it comes: `includingErrors`
    /// sends standard error into the same pipe).
    package func startReadingOutput(includingErrors: Bool = false) throws -> (RunningProgram, FileHandle) {
        try Self.launching.withLock { _ in
            let process = try makeProcess()
            let pipe = Pipe()
            closeOnExec(pipe)
            process.standardOutput = pipe
            process.standardError = includingErrors ? pipe : FileHandle.nullDevice
            let launched = try Launched(process, program: executable)
            return (RunningProgram(launched), pipe.fileHandleForReading)
        }
    }

    private func makeProcess() throws -> Process {
        let process = Process()
        if executable.hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        if let folder { process.currentDirectoryURL = folder }
        if let environment { process.environment = environment }
        return process
    }

    private func launch(input: Data?, output: Output, timeout: Duration?) throws -> Launched {
        // Two launches at once would leak each other's pipes into their children (see
        // `launching`); the lock is held from the first descriptor made to the spawn.
        try Self.launching.withLock { _ in try launchAlone(input: input, output: output, timeout: timeout) }
    }

    /// Foundation's `Process.run` closes every descriptor above 2 in the child, but counts
    /// them before it spawns: one made meanwhile on another thread (a pipe, the socket
    /// Foundation itself watches for the child's exit) is inherited, and whoever waits for
    /// that pipe's end or that exit then waits for the other program too. A timeout test
    /// measured 30.7 s instead of 0.2 s on CI. So launches take turns, their pipes close on
    /// exec, and an exit is learned from the kernel (`waitid`), not from the socket.
    private static let launching = Mutex(())

    private func launchAlone(input: Data?, output: Output, timeout: Duration?) throws -> Launched {
        let process = try makeProcess()
        var readers: [(handle: FileHandle, isError: Bool)] = []
        var stdin: Pipe?
        var log: FileHandle?
        switch output {
        case .capture:
            let out = Pipe(), err = Pipe(), inPipe = Pipe()
            closeOnExec(out, err, inPipe)
            process.standardOutput = out
            process.standardError = err
            process.standardInput = inPipe
            readers = [(out.fileHandleForReading, false), (err.fileHandleForReading, true)]
            stdin = inPipe
        case .interactive:
            let out = Pipe()
            closeOnExec(out)
            process.standardOutput = out
            readers = [(out.fileHandleForReading, false)]
        case .inherit:
            fflush(nil)
        case .file(let url):
            if !FileManager.default.fileExists(atPath: url.path) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
            let handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
            process.standardOutput = handle
            process.standardError = handle
            log = handle
        }
        defer { try? log?.close() }  // the child has its own copy once it runs
        let launched = try Launched(process, program: executable)
        let shared = launched.shared
        for (handle, isError) in readers {
            shared.finished.enter()
            onThreadOfItsOwn {
                let data = handle.readDataToEndOfFile()
                // Closed here, not when the Pipe goes: Foundation keeps the Process, and so
                // its pipes, alive after the exit (two descriptors a run, 1,500 in one test
                // run, until Process.run crashed counting them).
                try? handle.close()
                shared.collected.withLock {
                    if isError { $0.error = data } else { $0.output = data }
                }
                shared.finished.leave()
            }
        }
        if let stdin {
            // A program may exit without reading its input: writing must then fail with
            // EPIPE, not end this process with SIGPIPE (as NIO does for sockets), and a
            // failed write is no error of its own (its status says what happened).
            signal(SIGPIPE, SIG_IGN)
            try? stdin.fileHandleForReading.close()
            let writer = stdin.fileHandleForWriting
            onThreadOfItsOwn {
                if let input { try? writer.write(contentsOf: input) }
                try? writer.close()
            }
        }
        if let timeout {
            let seconds = timeout.inSeconds
            let pid = launched.process.processIdentifier
            onThreadOfItsOwn {
                guard shared.exited.wait(timeout: .now() + seconds) == .timedOut else { return }
                let running = shared.collected.withLock { state in
                    if !state.exited { state.timedOut = true }
                    return !state.exited
                }
                // SIGKILL: children inherit their parent's blocked signals (a test
                // runner blocks SIGTERM), and a program past its deadline is abandoned.
                if running { kill(pid, SIGKILL) }
            }
        }
        return launched
    }

    fileprivate struct Collected {
        var output = Data()
        var error = Data()
        var status: Int32 = 0
        var signal: Int32?
        var exited = false
        var timedOut = false
    }

    /// What the threads that wait for a started program share: `finished` is left once it
    /// has exited and every collected stream has reached its end.
    fileprivate final class Shared: Sendable {
        let finished = DispatchGroup()
        /// Left when the program has exited.
        let exited = DispatchGroup()
        let collected = Mutex(Collected())

        /// Records the exit once, whichever of the two watchers learns of it first.
        func exit(status: Int32, signal: Int32?) {
            let first = collected.withLock { state in
                guard !state.exited else { return false }
                state.exited = true
                state.status = status
                state.signal = signal
                return true
            }
            guard first else { return }
            exited.leave()
            finished.leave()
        }
    }

    /// A started process and what its waiters share.
    fileprivate final class Launched: Sendable {
        let process: Process
        let shared = Shared()

        init(_ process: Process, program: String) throws {
            self.process = process
            let shared = shared
            shared.finished.enter()
            shared.exited.enter()
            process.terminationHandler = { process in
                shared.exit(status: process.terminationStatus, signal: process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil)
            }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                shared.exited.leave()
                shared.finished.leave()
                throw ExternalProgramError(program: program, reason: error.localizedDescription)
            }
            let pid = process.processIdentifier
            onThreadOfItsOwn {
                // WNOWAIT leaves the child for Foundation to reap. ECHILD: it already has,
                // and its termination handler reports the exit.
                var info = siginfo_t()
                while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 {
                    guard errno == EINTR else { return }
                }
                let status = info._sifields._sigchld.si_status
                let killed = info.si_code == Int32(CLD_KILLED) || info.si_code == Int32(CLD_DUMPED)
                shared.exit(status: status, signal: killed ? status : nil)
            }
        }

        var finished: DispatchGroup { shared.finished }

        func result() -> Result {
            shared.collected.withLock { Result(status: $0.status, output: $0.output, error: $0.error, timedOut: $0.timedOut, signal: $0.signal) }
        }
    }
}

/// Pipes this process makes for a child must not reach any other child: the descriptors
/// close on exec (the child's own copies, made by dup2 onto 0, 1 and 2, stay open).
private func closeOnExec(_ pipes: Pipe...) {
    for pipe in pipes {
        for handle in [pipe.fileHandleForReading, pipe.fileHandleForWriting] {
            _ = fcntl(handle.fileDescriptor, F_SETFD, fcntl(handle.fileDescriptor, F_GETFD) | FD_CLOEXEC)
        }
    }
}

/// Runs blocking work (a read to the end of a pipe, a wait) on a thread of its own, never on
/// Dispatch's global pool: on Linux that pool grows slowly past the number of cores, so a
/// few blocked reads on a 2-core machine held a timeout back for 35 s.
private func onThreadOfItsOwn(_ work: @escaping @Sendable () -> Void) {
    let thread = Thread(block: work)
    thread.stackSize = 256 * 1024
    thread.start()
}

/// A program started with `ExternalProgram.start`.
package struct RunningProgram: Sendable {
    fileprivate let launched: ExternalProgram.Launched

    fileprivate init(_ launched: ExternalProgram.Launched) { self.launched = launched }

    package var isRunning: Bool { !launched.shared.collected.withLock { $0.exited } }

    package var processIdentifier: Int32 { launched.process.processIdentifier }

    /// Sends `signal` (SIGTERM: a graceful stop) and waits for the exit.
    package func stop(signal: Int32 = SIGTERM) {
        if isRunning { kill(launched.process.processIdentifier, signal) }
        launched.finished.wait()
    }
}

/// The program could not be started (not installed, not executable).
package struct ExternalProgramError: UserFacingError {
    package let program: String
    package let reason: String
    package var message: String { "cannot run \(program): \(reason)" }
    package var hint: String? { "check that \(program) is installed and on PATH" }
    package var exitCode: Int32 { 2 }
}
