import Foundation

/// nginx serving a folder on a loopback port, in the foreground, stopped by its pid.
public final class Nginx: @unchecked Sendable {
    public let port: Int
    private let process: Process
    private let folder: URL

    public convenience init(serving root: URL) throws {
        try self.init { port in
            """
            listen 127.0.0.1:\(port);
            root \(root.path);
            gzip_static on;
            etag on;
            location /prompts/ { add_header Cache-Control "public, max-age=31536000, immutable"; }
            location ~ /manifest\\.json { add_header Cache-Control "public, max-age=300"; }
            """
        }
    }

    /// HTTPS on a loopback port, with `certificate` and `key` (PEM files), passing every
    /// request on to `upstream` (a plain HTTP server) and streaming its answer back.
    public convenience init(tlsProxyTo upstream: URL, certificate: URL, key: URL) throws {
        try self.init { port in
            """
            listen 127.0.0.1:\(port) ssl;
            ssl_certificate \(certificate.path);
            ssl_certificate_key \(key.path);
            client_max_body_size 0;
            location / {
                proxy_pass \(upstream.absoluteString.hasSuffix("/") ? String(upstream.absoluteString.dropLast()) : upstream.absoluteString);
                proxy_buffering off;
                proxy_read_timeout 600s;
            }
            """
        }
    }

    private init(server: (Int) -> String) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("folio-nginx-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        port = try Self.freePort()
        let config = """
            worker_processes 1;
            error_log \(folder.path)/error.log;
            pid \(folder.path)/nginx.pid;
            events { worker_connections 256; }
            http {
                include /etc/nginx/mime.types;
                access_log off;
                client_body_temp_path \(folder.path)/body;
                proxy_temp_path \(folder.path)/proxy;
                fastcgi_temp_path \(folder.path)/fastcgi;
                uwsgi_temp_path \(folder.path)/uwsgi;
                scgi_temp_path \(folder.path)/scgi;
                server {
                \(server(port))
                }
            }
            """
        let configPath = folder.appendingPathComponent("nginx.conf")
        try config.write(to: configPath, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        process.arguments = ["-c", configPath.path, "-g", "daemon off;"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until it accepts connections (bounded).
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if Self.canConnect(port) { return }
            usleep(20_000)
        }
        throw CommandFailure(
            command: "nginx", result: CommandResult(status: -1, stdout: "", stderr: (try? String(contentsOf: folder.appendingPathComponent("error.log"), encoding: .utf8)) ?? "did not start"))
    }

    /// SIGQUIT: nginx's graceful stop, which also ends its workers; it removes its pid file
    /// when done. (Foundation's waitUntilExit spins when called from async code, so the pid
    /// file is what is awaited, within a bound.)
    public func stop() {
        kill(process.processIdentifier, SIGQUIT)
        let pidFile = folder.appendingPathComponent("nginx.pid").path
        let deadline = Date().addingTimeInterval(10)
        while FileManager.default.fileExists(atPath: pidFile) && Date() < deadline { usleep(20_000) }
        try? FileManager.default.removeItem(at: folder)
    }

    static func freePort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func canConnect(_ port: Int) -> Bool {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
    }
}
