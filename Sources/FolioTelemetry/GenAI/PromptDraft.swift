import Foundation

/// A prompt file written from a production span: its system instructions and input
/// messages, with each given value turned into a declared `{{variable}}`.
package struct PromptDraft: Sendable {
    package let name: String
    package let messages: [SpanMessage]
    package let variables: [String]
    package let model: [(key: String, value: String)]
    package let source: String

    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    package init(span: GenAISpan, name: String, values: [String: String]) throws {
        let values = values.isEmpty ? span.promptVariables : values
        var messages = span.systemInstructions + span.inputMessages
        guard !messages.isEmpty else {
            throw Failure(
                description:
                    "span \(span.span.id) records no input messages (no messages attribute in any dialect, and no content log records tied to it): there is nothing to make a prompt from")
        }
        if let braces = messages.first(where: { $0.content.contains("{{") }) {
            throw Failure(description: "a \(braces.role) message of span \(span.span.id) contains '{{', which a template would read as a tag: write this prompt by hand")
        }
        // Longest values first, so a value inside another is not replaced within it.
        for (variable, value) in values.sorted(by: { $0.value.count > $1.value.count }) where !value.isEmpty {
            guard messages.contains(where: { $0.content.contains(value) }) else {
                throw Failure(description: "the value of '\(variable)' does not occur in the span's messages: check --var \(variable)=…")
            }
            messages = messages.map { SpanMessage(role: $0.role, content: $0.content.replacingOccurrences(of: value, with: "{{\(variable)}}")) }
        }
        var model: [(String, String)] = []
        if let provider = span.provider { model.append(("provider", provider)) }
        if let requested = span.requestModel ?? span.model { model.append(("name", requested)) }
        for (key, field) in [("temperature", CallField.temperature), ("max_tokens", .maxTokens), ("top_p", .topP)] {
            if let value = span.requestSetting(field, key: key) { model.append((key, value)) }
        }
        self.name = name
        self.messages = messages
        self.variables = values.keys.sorted()
        self.model = model
        self.source = "span \(span.span.id) of trace \(span.span.trace)"
    }

    /// The file's YAML (`schema: folio/prompt@1`).
    package var yaml: String {
        var lines = ["schema: folio/prompt@1", "name: \(name)", "description: \(Self.quoted("Created from \(source)."))"]
        if !model.isEmpty {
            lines.append("model:")
            lines += model.map { key, value in "  \(key): \(key == "provider" || key == "name" ? Self.quoted(value) : value)" }
        }
        if !variables.isEmpty {
            lines.append("variables:")
            lines += variables.map { "  \($0): { type: string, required: true }" }
        }
        lines.append("messages:")
        for message in messages {
            lines.append("  - role: \(message.role)")
            lines.append("    content: \(Self.quoted(message.content))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A YAML double-quoted scalar that reads back as exactly `text`. Every character YAML
    /// would not keep as written is escaped: the line breaks JSON leaves raw (U+0085 as `\N`,
    /// U+2028 as `\L`, U+2029 as `\P`, which a YAML reader folds like a newline), control
    /// characters, and what YAML 1.1 does not allow in a stream (DEL, C1 controls, U+FEFF,
    /// U+FFFE and U+FFFF).
    package static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22: result += "\\\""
            case 0x5C: result += "\\\\"
            case 0x0A: result += "\\n"
            case 0x09: result += "\\t"
            case 0x0D: result += "\\r"
            case 0x85: result += "\\N"
            case 0x2028: result += "\\L"
            case 0x2029: result += "\\P"
            case 0x00..<0x20, 0x7F..<0xA0: result += String(format: "\\x%02X", scalar.value)
            case 0xFEFF, 0xFFFE, 0xFFFF: result += String(format: "\\u%04X", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
