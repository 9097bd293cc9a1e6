/// A problem in a file, reported like a compiler: `path:line:column: error: message`.
///
/// Content problems are collected as diagnostics rather than thrown one at a time,
/// so a single run reports everything wrong with a repository.
public struct Diagnostic: Sendable, Equatable, Hashable, CustomStringConvertible, Codable, Error {
    public enum Severity: String, Sendable, Codable, Comparable {
        case warning
        case error

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs == .warning && rhs == .error
        }
    }

    public let path: String
    /// 1-based; 0 when the whole file is meant.
    public let line: Int
    /// 1-based; 0 when the whole line is meant.
    public let column: Int
    public let severity: Severity
    public let message: String

    public init(path: String, line: Int, column: Int, severity: Severity = .error, message: String) {
        self.path = path
        self.line = line
        self.column = column
        self.severity = severity
        self.message = message
    }

    public var description: String {
        var location = path
        if line > 0 {
            location += ":\(line)"
            if column > 0 { location += ":\(column)" }
        }
        return "\(location): \(severity.rawValue): \(message)"
    }
}

extension Array where Element == Diagnostic {
    /// True when at least one diagnostic is an error (warnings alone do not fail a check).
    public var hasErrors: Bool { contains { $0.severity == .error } }
}
