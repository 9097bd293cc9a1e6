import Foundation

/// Messages as instrumentations record them in attribute text: JSON (a list, one message,
/// OpenAI's request or response, the conventions' `parts`), a Python repr of a list (the
/// seed's `str(messages)`, parsed, never evaluated), flattened attributes, or bare text.
enum Messages {
    static func from(_ sources: [MessageSource], in attributes: [String: String], defaultRole: String) -> [SpanMessage] {
        for source in sources {
            let found: [SpanMessage]
            switch source {
            case .messages(let name):
                found = attributes[name].map { parse($0, defaultRole: defaultRole) } ?? []
            case .flattened(let prefix, let role, let content):
                found = flattened(attributes, prefix: prefix, role: role, content: content, defaultRole: defaultRole)
            case .request(let name):
                guard let text = attributes[name], let request = try? JSONNode.parse(text) else { continue }
                found = request["messages"].map { items(from: $0, defaultRole: defaultRole) } ?? []
            case .response(let name):
                guard let value = attributes[name] else { continue }
                found = response(value, defaultRole: defaultRole)
            }
            if !found.isEmpty { return found }
        }
        return []
    }

    static func flattened(_ attributes: [String: String], prefix: String, role: String, content: String, defaultRole: String) -> [SpanMessage] {
        var result: [SpanMessage] = []
        var index = 0
        while let text = attributes["\(prefix).\(index).\(content)"] {
            result.append(SpanMessage(role: attributes["\(prefix).\(index).\(role)"] ?? defaultRole, content: text))
            index += 1
        }
        return result
    }

    /// A response: OpenAI's JSON (`choices[].message`), a message list, or plain text.
    static func response(_ text: String, defaultRole: String) -> [SpanMessage] {
        if let parsed = try? JSONNode.parse(text) {
            if let choices = parsed["choices"]?.array {
                return choices.compactMap { choice in
                    guard let message = choice["message"] else { return choice["text"]?.string.map { SpanMessage(role: defaultRole, content: $0) } }
                    return items(from: .array([message]), defaultRole: defaultRole).first
                }
            }
            if let content = parsed["content"], parsed["role"] != nil || parsed.isObject {
                return items(from: .array([.object([("role", parsed["role"] ?? .string(defaultRole)), ("content", content)])]), defaultRole: defaultRole)
            }
        }
        return parse(text, defaultRole: defaultRole)
    }

    /// Messages in one attribute's text: JSON, a Python repr (`str(messages)`), or bare
    /// text (one message of the default role).
    static func parse(_ text: String, defaultRole: String) -> [SpanMessage] {
        let trimmed = trimmedText(text)
        if trimmed.hasPrefix("[") || trimmed.hasPrefix("{") {
            if let parsed = try? JSONNode.parse(trimmed) { return items(from: parsed, defaultRole: defaultRole) }
            if let parsed = try? PythonLiteral.parse(trimmed) { return items(from: parsed, defaultRole: defaultRole) }
        }
        return text.isEmpty ? [] : [SpanMessage(role: defaultRole, content: text)]
    }

    /// `text` without the white space and line breaks around it, as Foundation trims them;
    /// text with none there (nearly all) is returned as it is, since Foundation's trim goes
    /// through NSString (a tenth of `folio report`'s time on a million calls in files).
    static func trimmedText(_ text: String) -> String {
        let ends = CharacterSet.whitespacesAndNewlines
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last, ends.contains(first) || ends.contains(last) else { return text }
        return text.trimmingCharacters(in: ends)
    }

    /// A message list or one message: `{"role", "content"}` (content as text or OpenAI's
    /// parts `[{"type": "text", "text"}]`), or the conventions' `{"role", "parts": [{"type":
    /// "text", "content"}]}`.
    static func items(from parsed: JSONNode, defaultRole: String) -> [SpanMessage] {
        let list = parsed.array ?? [parsed]
        return list.compactMap { item in
            guard item.isObject else { return item.string.map { SpanMessage(role: defaultRole, content: $0) } }
            let role = item["role"]?.string ?? defaultRole
            if let parts = item["parts"]?.array {
                return SpanMessage(role: role, content: textParts(parts, key: "content"))
            }
            switch item["content"] {
            case .string(let text)?: return SpanMessage(role: role, content: text)
            case .array(let parts)?: return SpanMessage(role: role, content: textParts(parts, key: "text"))
            case nil, .null?: return item["message"].flatMap { items(from: $0, defaultRole: role).first } ?? SpanMessage(role: role, content: "")
            case let other?: return SpanMessage(role: role, content: jsonText(other))
            }
        }
    }

    static func textParts(_ parts: [JSONNode], key: String) -> String {
        parts.compactMap { part -> String? in
            if let text = part.string { return text }
            guard (part["type"]?.string ?? "text") == "text" else { return nil }
            return part[key]?.string ?? part["content"]?.string ?? part["text"]?.string
        }.joined(separator: "\n")
    }

    static func jsonText(_ node: JSONNode) -> String {
        switch node {
        case .string(let text): return text
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return AttributeText.ecmaScript(number)
        case .array(let items): return "[" + items.map(jsonText).joined(separator: ", ") + "]"
        case .object(let members): return "{" + members.map { "\($0.key): \(jsonText($0.value))" }.joined(separator: ", ") + "}"
        }
    }
}
