import Foundation

/// An OpenSSH `allowed_signers` file: who may sign, with which key, for which
/// namespaces and when (the format `ssh-keygen -Y verify` and git read).
package struct AllowedSigners: Sendable {
    package struct Entry: Sendable, Equatable {
        /// Principal patterns (`alice@example.com`, `*@example.com`, `!bob@example.com`).
        package let principals: [String]
        package let namespaces: [String]?
        package let validAfter: Date?
        package let validBefore: Date?
        package let key: SSHPublicKey
        package let line: Int

        /// The principals as written, for messages.
        package var principalText: String { principals.joined(separator: ",") }

        package func allows(namespace: String) -> Bool {
            namespaces.map { patterns in patterns.contains { Pattern.matches($0, namespace) } } ?? true
        }

        /// Why the key is not valid at `date`, or nil when it is.
        package func validityProblem(at date: Date) -> String? {
            if let validAfter, date < validAfter {
                return "the key of \(principalText) is not valid before \(AllowedSigners.format(validAfter)) (allowed_signers line \(line))"
            }
            if let validBefore, date >= validBefore {
                return "the key of \(principalText) expired on \(AllowedSigners.format(validBefore)) (allowed_signers line \(line))"
            }
            return nil
        }
    }

    /// A problem on one line: `path:line: error: message`.
    package struct Problem: Sendable, Equatable, CustomStringConvertible {
        package let path: String
        package let line: Int
        package let message: String

        package var description: String { "\(path):\(line): error: \(message)" }
    }

    package let entries: [Entry]
    package let problems: [Problem]

    /// Parses the file's text; bad lines become problems and are skipped.
    package init(text: String, path: String = ".folio/allowed_signers") {
        var entries: [Entry] = []
        var problems: [Problem] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            do {
                entries.append(try Self.parse(line, number: index + 1))
            } catch let error as SigningError {
                problems.append(Problem(path: path, line: index + 1, message: error.message))
            } catch {
                problems.append(Problem(path: path, line: index + 1, message: "\(error)"))
            }
        }
        self.entries = entries
        self.problems = problems
    }

    /// The entries whose key is `key` and that allow `namespace`.
    package func entries(for key: SSHPublicKey, namespace: String) -> [Entry] {
        entries.filter { $0.key == key && $0.allows(namespace: namespace) }
    }

    /// True when `principal` matches the entry's patterns (and no negated one).
    package static func principal(_ principal: String, matches entry: Entry) -> Bool {
        var matched = false
        for pattern in entry.principals {
            if pattern.hasPrefix("!") {
                if Pattern.matches(String(pattern.dropFirst()), principal) { return false }
            } else if Pattern.matches(pattern, principal) {
                matched = true
            }
        }
        return matched
    }

    // MARK: - Parsing

    private static func parse(_ line: String, number: Int) throws -> Entry {
        var tokens = try tokenize(line)
        guard !tokens.isEmpty else { throw SigningError(.malformed, "empty line") }
        let principals = tokens.removeFirst().split(separator: ",").map(String.init)
        var namespaces: [String]?
        var validAfter: Date?
        var validBefore: Date?
        if let first = tokens.first, !SSHPublicKey.knownTypes.contains(first) {
            tokens.removeFirst()
            for option in try splitOptions(first) {
                let parts = option.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                guard let first = parts.first, !first.isEmpty else {
                    throw SigningError(.malformed, "an empty option: options are separated by single commas, like namespaces=\"git\",valid-after=\"20260101\"")
                }
                let name = first.lowercased()
                let value = parts.count > 1 ? unquote(parts[1]) : nil
                switch name {
                case "cert-authority":
                    throw SigningError(.unsupported, "cert-authority is not supported: list each signer's own key")
                case "namespaces":
                    namespaces = value?.split(separator: ",").map(String.init)
                case "valid-after":
                    validAfter = try parseTime(value, option: name)
                case "valid-before":
                    validBefore = try parseTime(value, option: name)
                default:
                    throw SigningError(.unsupported, "unknown option '\(parts[0])': use namespaces=, valid-after= or valid-before=")
                }
            }
        }
        guard tokens.count >= 2 else {
            throw SigningError(.malformed, "expected `<principals> [options] <key type> <base64 key>`")
        }
        let type = tokens[0]
        guard SSHPublicKey.knownTypes.contains(type) else {
            throw SigningError(.malformed, "'\(type)' is not a key type")
        }
        guard type == SSHPublicKey.ed25519Type else {
            throw SigningError(.unsupported, "\(type) keys are not supported: Folio verifies ssh-ed25519 keys")
        }
        let key = try SSHPublicKey(line: tokens[0...].joined(separator: " "))
        return Entry(principals: principals, namespaces: namespaces, validAfter: validAfter, validBefore: validBefore, key: key, line: number)
    }

    /// Splits on spaces outside double quotes.
    private static func tokenize(_ line: String) throws -> [String] {
        var tokens: [String] = []
        var current = ""
        var quoted = false
        for character in line {
            if character == "\"" { quoted.toggle() }
            if (character == " " || character == "\t") && !quoted {
                if !current.isEmpty {
                    tokens.append(current)
                    current = ""
                }
            } else {
                current.append(character)
            }
        }
        guard !quoted else { throw SigningError(.malformed, "unterminated quote") }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    private static func splitOptions(_ text: String) throws -> [String] {
        var options: [String] = []
        var current = ""
        var quoted = false
        for character in text {
            if character == "\"" { quoted.toggle() }
            if character == "," && !quoted {
                options.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        options.append(current)
        return options
    }

    private static func unquote(_ text: String) -> String {
        text.count >= 2 && text.hasPrefix("\"") && text.hasSuffix("\"") ? String(text.dropFirst().dropLast()) : text
    }

    /// `YYYYMMDD[HHMM[SS]][Z]`: UTC with `Z`, local time otherwise (as OpenSSH does).
    private static func parseTime(_ value: String?, option: String) throws -> Date {
        guard var text = value else { throw SigningError(.malformed, "\(option) needs a time, like \(option)=\"20260101\"") }
        var timeZone = TimeZone.current
        if text.hasSuffix("Z") || text.hasSuffix("z") {
            text.removeLast()
            timeZone = TimeZone(identifier: "UTC")!
        }
        let formats = [8: "yyyyMMdd", 12: "yyyyMMddHHmm", 14: "yyyyMMddHHmmss"]
        guard text.allSatisfy(\.isNumber), let format = formats[text.count] else {
            throw SigningError(.malformed, "\(option)=\"\(value!)\" is not a time: use YYYYMMDD[HHMM[SS]][Z]")
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = format
        guard let date = formatter.date(from: text) else {
            throw SigningError(.malformed, "\(option)=\"\(value!)\" is not a valid date")
        }
        return date
    }

    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}

/// OpenSSH's pattern matching: `*` and `?` wildcards.
enum Pattern {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == t[ti]) {
                pi += 1
                ti += 1
            } else if pi < p.count && p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
