import Foundation
import FolioSigning
import FolioTestSupport
import Synchronization
import Testing

/// A client that fetches a manifest and then its signature never gets a torn pair, however
/// the fetches interleave with rebuilds: it asks for the signature by the manifest's sha256
/// (`signatures/<sha256>.sig`), which a rebuild never replaces.
@Suite(.serialized)
struct ManifestPublishRaceTests {
    /// The body of a GET, or nil (any status but 200).
    static func get(port: Int, _ path: String) -> Data? {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)
        guard send(socket, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return nil }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        let text = Data(received)
        guard let end = text.range(of: Data("\r\n\r\n".utf8)), String(decoding: text[..<end.lowerBound], as: UTF8.self).hasPrefix("HTTP/1.1 200") else { return nil }
        return Data(text[end.upperBound...])
    }

    @Test func aReaderRacingRebuildsAlwaysGetsTheSignatureOfTheManifestItRead() throws {
        let fixture = try PromotionFixture(versions: 3)
        let dist = fixture.repo.url.appendingPathComponent("dist")
        let key = try SSHPublicKey(line: try fixture.publicKey("alice"))
        func folio(_ arguments: String...) throws {
            let result = try CLI.runProcess(arguments + ["--signing-key", fixture.key("alice")], in: fixture.repo.url)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        try folio("promote", "triage@1", "--env", "production", "--note", "v1")
        try folio("build", "--env", "production", "--out", dist.path)
        let serve = try DeployLoopTests.Serve(dist)
        defer { _ = serve.stop() }

        // The reader is a thread of its own: the rebuilds below block this one, and tasks
        // could all be blocked the same way by other tests.
        let done = Atomic<Bool>(false)
        let port = serve.port
        let finished = DispatchSemaphore(value: 0)
        let outcome = Mutex<(reads: Int, torn: [String])>((0, []))
        Thread.detachNewThread {
            defer { finished.signal() }
            var reads = 0
            var torn: [String] = []
            defer { outcome.withLock { $0 = (reads, torn) } }
            while !done.load(ordering: .acquiring) {
                guard let manifest = Self.get(port: port, "/production/manifest.json") else { continue }
                let path = "/production/" + "signatures/\(ContentHash.sha256Hex(manifest)).sig"
                guard let signature = Self.get(port: port, path) else {
                    torn.append("no signature at \(path)")
                    continue
                }
                do {
                    let parsed = try SSHSignature(armored: String(decoding: signature, as: UTF8.self))
                    guard parsed.publicKey == key else { throw SigningError(.badSignature, "another key") }
                    try parsed.verify(manifest, namespace: "folio-manifest")
                    reads += 1
                } catch {
                    torn.append("\(error)")
                }
            }
        }
        // Each rebuild publishes another manifest: v2, v3, then back to v2, and so on.
        for round in 0..<12 {
            try folio("promote", "triage@\([2, 3][round % 2])", "--env", "production", "--note", "round \(round)")
            try folio("build", "--env", "production", "--out", dist.path)
        }
        done.store(true, ordering: .releasing)
        finished.wait()
        let result = outcome.withLock { $0 }
        #expect(result.torn.isEmpty, "\(result.torn.count) torn reads of \(result.reads + result.torn.count): \(result.torn.prefix(3))")
        #expect(result.reads > 20)
        // Old signatures stay for clients that read an older manifest; the folder is pruned.
        let kept = try FileManager.default.contentsOfDirectory(atPath: dist.appendingPathComponent("production/signatures").path)
        #expect(kept.count == 13)
    }
}
