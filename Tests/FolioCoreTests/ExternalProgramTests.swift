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
        // On a thread of its own: on the shared pool, the time measured would include waiting
        // for a thread other tests hold.
        let thread = ThreadExecutor()
        defer { thread.stop() }
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await withTaskExecutorPreference(thread) { try await ExternalProgram("sleep", ["30"]).run(timeout: .milliseconds(200)) }
        #expect(result.timedOut)
        #expect(result.status != 0)
        #expect(clock.now - start < .seconds(20))
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
}
