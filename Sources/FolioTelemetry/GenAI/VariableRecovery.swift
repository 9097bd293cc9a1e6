import Foundation

/// Recovers the values a span's messages were rendered from, by matching each message
/// template (simple `{{name}}` tags only) against the recorded message text.
package enum VariableRecovery {
    /// Values by variable name; a template with sections, partials or a message that does
    /// not match recovers nothing from that message.
    package static func recover(templates: [(role: String, content: String)], messages: [SpanMessage]) -> [String: String] {
        var values: [String: String] = [:]
        let candidates = messages
        for (index, template) in templates.enumerated() {
            guard let pattern = regex(for: template.content) else { continue }
            let message =
                index < candidates.count && candidates[index].role == template.role
                ? candidates[index] : candidates.first { $0.role == template.role }
            guard let text = message?.content else { continue }
            let range = NSRange(text.startIndex..., in: text)
            guard let match = pattern.regex.firstMatch(in: text, options: [], range: range) else { continue }
            for (position, name) in pattern.names.enumerated() {
                guard let captured = Range(match.range(at: position + 1), in: text) else { continue }
                if values[name] == nil { values[name] = String(text[captured]) }
            }
        }
        return values
    }

    /// `literal{{a}}literal{{b}}` → `^literal(.*?)literal(.*?)$`; nil for anything but plain variables.
    static func regex(for template: String) -> (regex: NSRegularExpression, names: [String])? {
        var pattern = "^"
        var names: [String] = []
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            pattern += NSRegularExpression.escapedPattern(for: String(rest[..<open.lowerBound]))
            guard let close = rest[open.upperBound...].range(of: "}}") else { return nil }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
            if names.contains(name) {
                pattern += "(?:.*?)"
            } else {
                names.append(name)
                pattern += "(.*?)"
            }
            rest = rest[close.upperBound...]
        }
        pattern += NSRegularExpression.escapedPattern(for: String(rest)) + "$"
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators]) else { return nil }
        return (regex, names)
    }
}
