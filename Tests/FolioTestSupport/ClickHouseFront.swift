import Foundation

/// The real ClickHouse engine (chdb-core) behind `Tests/ClickHouseFront/front.py`, which
/// speaks ClickHouse's HTTP interface on 127.0.0.1. One front serves the whole test process
/// (tests keep apart by database); it exits with the process.
public final class ClickHouseFront: @unchecked Sendable {
    public let port: Int
    public let data: URL
    let server: ServerProcess

    /// The process's front, started on first use.
    public static func shared() throws -> ClickHouseFront {
        try started.get()
    }

    private static let started = Result { try ClickHouseFront() }

    /// The Python that has chdb-core: `FOLIO_CHDB_PYTHON`, else what `make clickhouse`
    /// installed. Missing is a failure, never a skip.
    public static var python: String {
        get throws {
            let path =
                ProcessInfo.processInfo.environment["FOLIO_CHDB_PYTHON"]
                ?? Fixtures.packageRoot.appendingPathComponent(".build/chdb/venv/bin/python").path
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw CommandFailure(
                    command: path, result: CommandResult(status: -1, stdout: "", stderr: "chdb-core is not installed: run `make clickhouse` (or `make test`)"))
            }
            return path
        }
    }

    /// A front of its own, with a password from `passwordVariable` when one is given (the
    /// variable must be in this process's environment).
    /// `data` and `port` start it again where a stopped front was.
    /// `logQueries` names a file the front appends each query to, with its time and the
    /// size of its answer (`-- 0.123 s 456 bytes {parameters}`, the SQL, `;`).
    public init(user: String = "default", passwordVariable: String? = nil, data: URL? = nil, port: Int = 0, logQueries: URL? = nil) throws {
        self.data = data ?? FileManager.default.temporaryDirectory.appendingPathComponent("folio-clickhouse-\(UUID())")
        try FileManager.default.createDirectory(at: self.data, withIntermediateDirectories: true)
        var arguments = [Fixtures.packageRoot.appendingPathComponent("Tests/ClickHouseFront/front.py").path, self.data.path, "--user", user, "--port", String(port)]
        if let passwordVariable { arguments += ["--password-env", passwordVariable] }
        if let logQueries { arguments += ["--log-queries", logQueries.path] }
        server = try ServerProcess(try Self.python, arguments, errorLog: self.data.appendingPathComponent("front.log"))
        self.port = server.port
    }

    /// A fresh database's name.
    public static func databaseName(_ label: String = "t") -> String {
        "\(label)_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased())"
    }

    /// `clickhouse://user@127.0.0.1:PORT/database`.
    public func url(database: String, user: String = "default") -> String {
        "clickhouse://\(user)@127.0.0.1:\(port)/\(database)"
    }

    /// Stops the front; `keepData` leaves its folder for another front.
    public func stop(keepData: Bool = false) {
        if server.process.isRunning { server.process.terminate() }
        let deadline = Date().addingTimeInterval(10)
        while server.process.isRunning && Date() < deadline { usleep(20_000) }
        if server.process.isRunning { kill(server.process.processIdentifier, SIGKILL) }
        server.process.waitUntilExit()
        if !keepData { try? FileManager.default.removeItem(at: data) }
    }
}
