import Foundation
import FolioTestSupport
import Testing

/// `folio serve` under clients that close, stall or pile up: every closed connection gives
/// its socket back, a stalled head or an idle keep-alive connection is closed on time, and
/// connections past the cap wait instead of exhausting file descriptors.
@Suite(.serialized)
struct ServeLimitsTests {
    let sockets = ServeConnectionTests()

    func dist() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("production"), withIntermediateDirectories: true)
        try Data("{\"schema\":\"folio/manifest@1\"}\n".utf8).write(to: folder.appendingPathComponent("production/manifest.json"))
        return folder
    }

    func openDescriptors(_ process: Process) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.processIdentifier)/fd").count) ?? -1
    }

    /// Waits (polling, up to `seconds`) for `condition`.
    func eventually(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    @Test func everyClosedConnectionGivesItsSocketBack() throws {
        let serve = try DeployLoopTests.Serve(try dist())
        defer { _ = serve.stop() }
        #expect(sockets.statusLines(try sockets.exchange(port: serve.port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").text) == ["HTTP/1.1 200 OK"])
        #expect(eventually(5) { openDescriptors(serve.process) > 0 })
        let before = openDescriptors(serve.process)
        for _ in 0..<100 {
            // A request on a keep-alive connection, then the client hangs up.
            let socket = sockets.connectSocket(port: serve.port, timeout: 2)
            let request = Array("GET /production/manifest.json HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
            #expect(send(socket, request, request.count, 0) == request.count)
            var buffer = [UInt8](repeating: 0, count: 4096)
            #expect(recv(socket, &buffer, buffer.count, 0) > 0)
            close(socket)
            // Connect and close without a request.
            close(sockets.connectSocket(port: serve.port, timeout: 2))
        }
        #expect(eventually(10) { openDescriptors(serve.process) <= before + 2 }, "descriptors: \(before) before, \(openDescriptors(serve.process)) after 200 closed connections")
    }

    @Test func aStalledHeadAndAnIdleConnectionAreClosedOnTime() throws {
        let serve = try DeployLoopTests.Serve(try dist(), extra: ["--header-timeout", "1", "--idle-timeout", "2"])
        defer { _ = serve.stop() }
        // Half a header line, then nothing: closed after the header timeout, not the idle one.
        let half = sockets.connectSocket(port: serve.port, timeout: 5)
        defer { close(half) }
        var start = Date()
        let stalled = sockets.exchange(on: half, "GET /healthz HTTP/1.1\r\nHo")
        #expect(stalled.closed && stalled.text.isEmpty)
        #expect(Date().timeIntervalSince(start) < 1.8, "closed after \(Date().timeIntervalSince(start)) s")

        // One byte every 200 ms never completes the head within the timeout either.
        let slow = sockets.connectSocket(port: serve.port, timeout: 0.2)
        defer { close(slow) }
        start = Date()
        var closed = false
        for byte in Array("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".utf8) {
            if send(slow, [byte], 1, Int32(MSG_NOSIGNAL)) != 1 || sockets.exchange(on: slow, "").closed {
                closed = true
                break
            }
        }
        #expect(closed)
        #expect(Date().timeIntervalSince(start) < 2.5, "closed after \(Date().timeIntervalSince(start)) s")

        // A keep-alive connection that answered and then sits idle is closed after the idle timeout.
        let idle = sockets.connectSocket(port: serve.port, timeout: 4)
        defer { close(idle) }
        start = Date()
        let answered = sockets.exchange(on: idle, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(sockets.statusLines(answered.text) == ["HTTP/1.1 200 OK"])
        let after = sockets.exchange(on: idle, "")
        #expect(after.closed)
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed > 1.5 && elapsed < 3.9, "closed after \(elapsed) s")
    }

    @Test func connectionsPastTheCapWaitToBeAccepted() throws {
        let serve = try DeployLoopTests.Serve(try dist(), extra: ["--max-connections", "2"])
        defer { _ = serve.stop() }
        let request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        let first = sockets.connectSocket(port: serve.port, timeout: 2)
        let second = sockets.connectSocket(port: serve.port, timeout: 2)
        defer { close(second) }
        #expect(sockets.statusLines(sockets.exchange(on: first, request).text) == ["HTTP/1.1 200 OK"])
        #expect(sockets.statusLines(sockets.exchange(on: second, request).text) == ["HTTP/1.1 200 OK"])
        // The third connects (the kernel's backlog) but is not answered while two are open.
        let third = sockets.connectSocket(port: serve.port, timeout: 0.5)
        defer { close(third) }
        #expect(sockets.exchange(on: third, request).text.isEmpty)
        close(first)
        var answer = ""
        #expect(
            eventually(5) {
                answer += sockets.exchange(on: third, "").text
                return answer.contains("HTTP/1.1 200 OK")
            }, "\(answer)")
    }
}
