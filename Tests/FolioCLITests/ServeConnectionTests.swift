import Foundation
import FolioTestSupport
import Testing

/// `folio serve` answers on the connection's event loop, writing HTTP/1.1 itself: answers
/// come back in request order, keep-alive and `Connection: close` are honoured, a request
/// the parser refuses gets a 400.
@Suite(.serialized)
struct ServeConnectionTests {
    /// Sends `request` bytes on one connection and reads until the server closes it or
    /// `timeout` passes with nothing new.
    func exchange(port: Int, _ request: String, timeout: TimeInterval = 1) throws -> (text: String, closed: Bool) {
        let socket = connectSocket(port: port, timeout: timeout)
        defer { close(socket) }
        return exchange(on: socket, request)
    }

    func connectSocket(port: Int, timeout: TimeInterval) -> Int32 {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(socket >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
        var time = timeval(tv_sec: Int(timeout), tv_usec: Int(timeout.truncatingRemainder(dividingBy: 1) * 1_000_000))
        #expect(setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size)) == 0)
        return socket
    }

    func exchange(on socket: Int32, _ request: String) -> (text: String, closed: Bool) {
        let bytes = Array(request.utf8)
        if !bytes.isEmpty { #expect(send(socket, bytes, bytes.count, 0) == bytes.count) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count == 0 { return (String(decoding: received, as: UTF8.self), true) }
            if count < 0 { return (String(decoding: received, as: UTF8.self), false) }
            received += buffer[0..<count]
        }
    }

    /// The status lines, wherever they start (a body without a final newline runs into the next answer).
    func statusLines(_ text: String) -> [String] {
        text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { "HTTP/1.1 " + ($0.components(separatedBy: "\r\n").first ?? "") }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let fixture = try PromotionFixture()
        let dist = fixture.repo.url.appendingPathComponent("dist")
        let promoted = try CLI.runProcess(["promote", "triage@2", "--env", "production", "--note", "v2", "--signing-key", fixture.key("alice")], in: fixture.repo.url)
        #expect(promoted.status == 0, "\(promoted.stderr)")
        #expect(try CLI.runProcess(["build", "--env", "production", "--out", dist.path, "--signing-key", fixture.key("alice")], in: fixture.repo.url).status == 0)
        let serve = try DeployLoopTests.Serve(dist)
        defer { _ = serve.stop() }
        let manifestLength = try Data(contentsOf: dist.appendingPathComponent("production/manifest.json")).count

        // A POST (Hummingbird's responder) first, GETs and a HEAD behind it in the same write.
        let pipelined =
            "POST /production/manifest.json HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
            + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
            + "HEAD /production/manifest.json HTTP/1.1\r\nHost: x\r\n\r\n"
            + "GET /nothing-here HTTP/1.1\r\nHost: x\r\n\r\n"
            + "GET /healthz?probe=1 HTTP/1.1\r\nHost: x\r\n\r\n"
        let answer = try exchange(port: serve.port, pipelined)
        #expect(statusLines(answer.text) == ["HTTP/1.1 405 Method Not Allowed", "HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found", "HTTP/1.1 200 OK"], "\(answer.text)")
        #expect(!answer.closed)  // keep-alive
        // The HEAD answer says how long the body would be, and has none: the 404 follows it at once.
        let head = try #require(answer.text.range(of: "HTTP/1.1 200 OK\r\n", options: [], range: answer.text.range(of: "ok\n")!.upperBound..<answer.text.endIndex))
        let afterHead = answer.text[head.upperBound...]
        #expect(afterHead.lowercased().contains("content-length: \(manifestLength)\r\n"))
        #expect(afterHead.components(separatedBy: "\r\n\r\n")[1].hasPrefix("HTTP/1.1 404 Not Found"))

        // Connection: close is honoured after the answer.
        let closing = try exchange(port: serve.port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", timeout: 5)
        #expect(statusLines(closing.text) == ["HTTP/1.1 200 OK"])
        #expect(closing.text.hasSuffix("ok\n"))
        #expect(closing.closed)

        // A request the parser refuses gets a 400 and the connection closes.
        let garbage = try exchange(port: serve.port, "NOT HTTP AT ALL\r\n\r\n", timeout: 5)
        #expect(statusLines(garbage.text) == ["HTTP/1.1 400 Bad Request"], "\(garbage.text)")
        #expect(garbage.closed)
        // HTTP/1.0 without keep-alive closes after the answer too; an absolute-form target works.
        let old = try exchange(port: serve.port, "GET http://127.0.0.1/healthz HTTP/1.0\r\n\r\n", timeout: 5)
        #expect(statusLines(old.text) == ["HTTP/1.1 200 OK"], "\(old.text)")
        #expect(old.text.contains("\r\nDate: ") && old.text.hasSuffix("ok\n"))
        #expect(old.closed)
        // SIGTERM with a keep-alive connection open and idle: the server closes it and exits.
        let idle = connectSocket(port: serve.port, timeout: 1)
        defer { close(idle) }
        #expect(statusLines(exchange(on: idle, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").text) == ["HTTP/1.1 200 OK"])
        #expect(serve.stop() == 0)
        #expect(exchange(on: idle, "").closed)
    }
}
