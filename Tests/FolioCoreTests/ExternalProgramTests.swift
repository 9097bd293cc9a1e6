import Foundation
import FolioProcess
import FolioTestSupport
import Testing

/// `ExternalProgram`, the one way Folio runs another program (git, ssh-keygen, gpg, a
/// command provider, the local model server, the demo's steps).
struct ExternalProgramTests {
    static let script = ExternalProgram("sh", ["-c", "cat; echo complaint >&2; exit 3"])

    @Test func capturesOutputErrorAndStatusWithInput() throws {
        let input = Data(String(repeating: "a line of input\n", count: 100_000).utf8)  // beyond a pipe's buffer
        let result = try Self.script.run(input: input)
        #expect(result.status == 3)
        #expect(result.output == input)
        #expect(result.error == Data("complaint\n".utf8))
        #expect(!result.timedOut)
    }

    @Test func theAsyncRunGivesTheSame() async throws {
        let result = try await Self.script.run(input: Data("hello".utf8))
        #expect(result.status == 3 && result.output == Data("hello".utf8) && result.error == Data("complaint\n".utf8))
    }

    @Test func aProgramThatIgnoresItsInputNeitherBlocksNorKillsThisProcess() throws {
        let result = try ExternalProgram("true", []).run(input: Data(count: 8 << 20))
        #expect(result.status == 0)
    }

    @Test func aTimeoutEndsTheProgram() async throws {
        let (result, elapsed) = try await ThreadExecutor.timed { try await ExternalProgram("sleep", ["30"]).run(timeout: .milliseconds(200)) }
        #expect(result.timedOut && result.signal == SIGKILL)
        #expect(elapsed < .seconds(20))
        let quick = try await ExternalProgram("true", []).run(timeout: .seconds(30))
        #expect(!quick.timedOut && quick.status == 0)
    }

    /// Dispatch's global pool grows slowly past the number of cores on Linux: a timeout
    /// that needs one of its threads waits while other work blocks them.
    @Test func aTimeoutFiresWhileDispatchsPoolIsBusy() throws {
        let busy = DispatchGroup()
        for _ in 0..<(ProcessInfo.processInfo.activeProcessorCount * 4) {
            DispatchQueue.global().async(group: busy) { Thread.sleep(forTimeInterval: 3) }
        }
        let clock = ContinuousClock()
        let start = clock.now
        let result = try ExternalProgram("sleep", ["30"]).run(timeout: .milliseconds(200))
        #expect(result.timedOut)
        #expect(clock.now - start < .milliseconds(2500))  // the pool is busy for 3 s
        busy.wait()
    }

    @Test func aProgramThatCannotStartIsAnErrorNamingIt() throws {
        #expect(throws: ExternalProgramError.self) { try ExternalProgram("/nonexistent/folio-helper", []).run() }
        do {
            _ = try ExternalProgram("/nonexistent/folio-helper", []).run()
        } catch let error as ExternalProgramError {
            #expect(error.message.contains("/nonexistent/folio-helper") && error.exitCode == 2)
        } catch {
            Issue.record("\(error)")
        }
        // A name not on PATH: env says so and exits 127.
        #expect(try ExternalProgram("folio-no-such-program", []).run().status == 127)
    }

    @Test func aStartedProgramRunsUntilStopped() throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("folio-program-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let running = try ExternalProgram("sh", ["-c", "echo started; exec sleep 30"]).start(output: .file(log))
        #expect(running.isRunning)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, (try? String(contentsOf: log, encoding: .utf8))?.contains("started") != true { Thread.sleep(forTimeInterval: 0.02) }
        running.stop(signal: SIGKILL)  // (the test runner blocks SIGTERM, and children inherit that)
        #expect(!running.isRunning)
        #expect(try String(contentsOf: log, encoding: .utf8).contains("started"))
    }

    /// Foundation learns of a child's exit when a socket the child inherited closes, so a
    /// program that outlives its parent and keeps that socket (or one that got it by accident,
    /// started on another thread at the same moment) hid the exit until it ended too: 30 s
    /// here before `waitid`.
    @Test func anExitIsSeenWhileAProgramItStartedLivesOn() throws {
        let clock = ContinuousClock()
        let start = clock.now
        let result = try ExternalProgram("sh", ["-c", "sleep 30 >/dev/null 2>&1 & echo $!; exit 4"]).run(timeout: .seconds(60))
        if let orphan = Int32(String(decoding: result.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) { kill(orphan, SIGKILL) }
        #expect(result.status == 4 && result.signal == nil && !result.timedOut)
        #expect(clock.now - start < .seconds(20))
    }

    @Test func aSignalThatEndsAProgramIsReported() throws {
        let result = try ExternalProgram("sh", ["-c", "kill -KILL $$"]).run()
        #expect(result.signal == SIGKILL && result.status == SIGKILL)
    }

    /// Pipes made for one program stay out of every other: a program spawned meanwhile by
    /// code that closes nothing (here posix_spawn itself) does not inherit them.
    @Test func pipesCloseOnExec() throws {
        let running = try ExternalProgram("sh", ["-c", "exec sleep 30"]).start(output: .capture)
        defer { running.stop(signal: SIGKILL) }
        let pipe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(running.processIdentifier)/fd/1")
        #expect(pipe.hasPrefix("pipe:"))
        let listing = FileManager.default.temporaryDirectory.appendingPathComponent("folio-fds-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: listing) }
        let words = ["/bin/sh", "-c", "ls -l /proc/$$/fd > '\(listing.path)'"]
        let arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        #expect(posix_spawn(&pid, "/bin/sh", nil, nil, arguments, environ) == 0)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let fds = try String(contentsOf: listing, encoding: .utf8)
        #expect(fds.contains("pipe:") || fds.contains("socket:") || fds.contains("/dev/"))
        #expect(!fds.contains(pipe), "\(pipe) reached another program:\n\(fds)")
    }

    /// A run closes the pipes it made: Foundation keeps a finished Process (and so its
    /// pipes) alive, and the test process once reached 1,500 descriptors, two per run.
    @Test func aRunLeavesNoPipeOpen() throws {
        let result = try ExternalProgram("sh", ["-c", "readlink /proc/$$/fd/0 /proc/$$/fd/1 /proc/$$/fd/2"]).run()
        let pipes = Set(String(decoding: result.output, as: UTF8.self).split(separator: "\n").map(String.init))
        #expect(pipes.count == 3 && pipes.allSatisfy { $0.hasPrefix("pipe:") })
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)") }
        #expect(pipes.isDisjoint(with: open), "still open: \(pipes.intersection(open))")
    }
}
