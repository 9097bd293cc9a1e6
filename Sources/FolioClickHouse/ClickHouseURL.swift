import FolioModel
import Foundation

/// A ClickHouse trace store named by URL: `clickhouse://user@host:8123/otel?traces_table=otel_traces&logs_table=otel_logs`
/// (HTTP), or `clickhouses://` (HTTPS, as ClickHouse Cloud serves on 8443). The password
/// is never part of the URL: it comes from an environment variable (`passwordVariable`).
package struct ClickHouseURL: Sendable, Equatable, CustomStringConvertible {
    package var secure: Bool
    package var host: String
    package var port: Int
    package var user: String
    package var database: String
    package var tracesTable: String
    package var logsTable: String
    /// The environment variable that holds the password.
    package var passwordVariable: String

    package static let defaultPasswordVariable = "FOLIO_CLICKHOUSE_PASSWORD"

    package struct Invalid: UserFacingError {
        package let message: String
        package var hint: String? { nil }
        package var exitCode: Int32 { 2 }

        init(description: String) {
            message = description
        }
    }

    package static func isClickHouse(_ text: String) -> Bool {
        text.hasPrefix("clickhouse://") || text.hasPrefix("clickhouses://")
    }

    package init(_ text: String, passwordVariable: String? = nil) throws {
        guard Self.isClickHouse(text), let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            throw Invalid(description: "'\(Self.redacted(text))' is not a ClickHouse URL: write clickhouse://user@host:8123/database?traces_table=otel_traces&logs_table=otel_logs")
        }
        guard components.password == nil else {
            throw Invalid(
                description:
                    "the ClickHouse URL must not hold a password: remove it, and put it in the environment variable \(passwordVariable ?? Self.defaultPasswordVariable) (or the one `password_env:` names in folio.yaml)"
            )
        }
        secure = components.scheme == "clickhouses"
        self.host = host
        port = components.port ?? (secure ? 8443 : 8123)
        user = components.user.flatMap { $0.removingPercentEncoding } ?? "default"
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        database = path.isEmpty ? "otel" : path
        var traces = "otel_traces"
        var logs = "otel_logs"
        for item in components.queryItems ?? [] {
            switch item.name {
            case "traces_table": traces = item.value ?? traces
            case "logs_table": logs = item.value ?? logs
            default:
                throw Invalid(description: "unknown parameter '\(item.name)' in the ClickHouse URL: use traces_table and logs_table")
            }
        }
        for (what, name) in [("database", database), ("traces_table", traces), ("logs_table", logs)] where !Self.isIdentifier(name) {
            throw Invalid(description: "the ClickHouse \(what) '\(name)' is not a plain name: use letters, digits and '_'")
        }
        tracesTable = traces
        logsTable = logs
        self.passwordVariable = passwordVariable ?? Self.defaultPasswordVariable
    }

    /// Table and database names go into SQL as identifiers (values never do): only plain
    /// names are accepted.
    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "_" }
    }

    package var endpoint: URL { URL(string: "\(secure ? "https" : "http")://\(host):\(port)/")! }

    /// For messages: the URL without any secret.
    package var description: String {
        "\(secure ? "clickhouses" : "clickhouse")://\(user)@\(host):\(port)/\(database)?traces_table=\(tracesTable)&logs_table=\(logsTable)"
    }

    /// A URL with any password cut out, for an error about the URL itself.
    static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? "(a URL with a password)"
    }
}
