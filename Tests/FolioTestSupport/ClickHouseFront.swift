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
    public init(user: String = "default", passwordVariable: String? = nil) throws {
        data = FileManager.default.temporaryDirectory.appendingPathComponent("folio-clickhouse-\(UUID())")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        var arguments = [Fixtures.packageRoot.appendingPathComponent("Tests/ClickHouseFront/front.py").path, data.path, "--user", user]
        if let passwordVariable { arguments += ["--password-env", passwordVariable] }
        server = try ServerProcess(try Self.python, arguments, errorLog: data.appendingPathComponent("front.log"))
        port = server.port
    }

    /// A fresh database's name.
    public static func databaseName(_ label: String = "t") -> String {
        "\(label)_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased())"
    }

    /// `clickhouse://user@127.0.0.1:PORT/database`.
    public func url(database: String, user: String = "default") -> String {
        "clickhouse://\(user)@127.0.0.1:\(port)/\(database)"
    }

    public func stop() {
        if server.process.isRunning { server.process.terminate() }
        server.process.waitUntilExit()
        try? FileManager.default.removeItem(at: data)
    }
}
