import ArgumentParser
import Foundation
import FolioCore
import FolioServer
import Logging

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a dist/ folder to Folio SDKs: ETags, 304s, gzip, cache headers.",
        discussion: """
        Manifests get Cache-Control: public, max-age=300; version files get
        public, max-age=31536000, immutable. /healthz answers ok. Stops cleanly on
        SIGINT or SIGTERM. Any static host (nginx, S3, a CDN) can serve the same folder.

        Example:
          folio serve dist/ --port 8080
        """
    )

    @Argument(help: "The folder `folio build` wrote.")
    var dist: String

    @Option(help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "The port (0 picks a free one).")
    var port: Int = 8080

    @Flag(name: .customLong("no-access-log"), help: "Do not log each request (errors are still logged).")
    var noAccessLog = false

    func validate() throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dist, isDirectory: &isFolder), isFolder.boolValue else {
            throw ValidationError("'\(dist)' is not a folder: run `folio build --out \(dist)` first")
        }
    }

    func run() throws {
        let level: Logger.Level = noAccessLog ? .warning : .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let root = URL(fileURLWithPath: dist)
        let server = StaticServer(root: root, host: host, port: port)
        let host = self.host
        try runBlocking {
            try await server.run { port in
                print("serving \(root.path) on http://\(host):\(port) (Ctrl-C to stop)")
                fflush(nil)
            }
        }
    }
}
