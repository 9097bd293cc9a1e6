/// A problem in a file, reported like a compiler: `path:line:column: error: message`.
///
/// Content problems are collected as diagnostics rather than thrown one at a time,
/// so a single run reports everything wrong with a repository.
package struct Diagnostic: Sendable, Equatable, Hashable, CustomStringConvertible, Codable, Error {
    package enum Severity: String, Sendable, Codable, Comparable {
        case warning
        case error

        package static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs == .warning && rhs == .error
        }
    }

    package let path: String
    /// 1-based; 0 when the whole file is meant.
    package let line: Int
    /// 1-based; 0 when the whole line is meant.
    package let column: Int
    package let severity: Severity
    package let message: String

    package init(path: String, line: Int, column: Int, severity: Severity = .error, message: String) {
        self.path = path
        self.line = line
        self.column = column
        self.severity = severity
        self.message = message
    }

    package var description: String {
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
    package var hasErrors: Bool { contains { $0.severity == .error } }
}
