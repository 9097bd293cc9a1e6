import FolioModel

/// Walks template nodes against a context stack and appends to the output text.
struct TemplateRenderer {
    static let maximumPartialDepth = 64

    let escape: EscapeMode
    let partials: [String: String]
    let strictPartials: Bool
    private(set) var output = ""
    private var stack: [JSONValue]
    private var partialDepth = 0
    private var partialExpansions = 0
    private var parsedPartials: [String: Template] = [:]

    init(escape: EscapeMode, partials: [String: String], context: JSONValue, strictPartials: Bool = false) {
        self.escape = escape
        self.partials = partials
        self.strictPartials = strictPartials
        self.stack = [context]
        output.reserveCapacity(512)
    }

    mutating func render(_ nodes: [TemplateNode]) throws(TemplateRenderError) {
        for node in nodes {
            guard output.utf8.count <= Limits.renderedBytes else {
                throw TemplateRenderError(
                    message: "the rendered text is larger than \(Limits.renderedBytes) bytes: a section or partial repeats too much (raise FOLIO_MAX_RENDER_BYTES if it is meant to)")
            }
            switch node {
            case .text(let text):
                output += text
            case .variable(let name, let escaped):
                guard let value = lookup(name) else { continue }
                append(value.text, escaped: escaped && escape == .html)
            case .section(let name, let inverted, let children):
                let value = lookup(name)
                if inverted {
                    if !TemplateRenderer.isTruthy(value) { try render(children) }
                    continue
                }
                guard let value, TemplateRenderer.isTruthy(value) else { continue }
                if case .array(let items) = value {
                    for item in items {
                        stack.append(item)
                        try render(children)
                        stack.removeLast()
                    }
                } else {
                    stack.append(value)
                    try render(children)
                    stack.removeLast()
                }
            case .partial(let name, let indentation):
                try renderPartial(name, indentation: indentation)
            }
        }
    }

    private mutating func renderPartial(_ name: String, indentation: [UInt8]) throws(TemplateRenderError) {
        let key = String(decoding: indentation, as: UTF8.self) + "\u{0}" + name
        let template: Template
        if let cached = parsedPartials[key] {
            template = cached
        } else {
            guard let source = partials[name] else {
                guard strictPartials else { return }
                throw TemplateRenderError(message: "unknown partial '\(name)': it is not among the partials this version was published with")
            }
            do {
                template = try Template(indented: source, by: indentation)
            } catch {
                throw TemplateRenderError(message: "partial '\(name)' has a syntax error at \(error)")
            }
            parsedPartials[key] = template
        }
        partialExpansions += 1
        guard partialExpansions <= Limits.partialExpansions else {
            throw TemplateRenderError(
                message:
                    "partials were included more than \(Limits.partialExpansions) times: partial '\(name)' is part of a chain in which partials include others several times (raise FOLIO_MAX_PARTIAL_EXPANSIONS if it is meant to)"
            )
        }
        guard partialDepth < TemplateRenderer.maximumPartialDepth else {
            throw TemplateRenderError(message: "partial '\(name)' includes itself more than \(TemplateRenderer.maximumPartialDepth) levels deep")
        }
        partialDepth += 1
        defer { partialDepth -= 1 }
        try render(template.nodes)
    }

    /// Resolves a name against the context stack, innermost first; the rest of a dotted
    /// name is resolved inside the value the first part found (no masking).
    private func lookup(_ name: TemplateName) -> JSONValue? {
        if name.raw == "." { return stack.last }
        let parts = name.parts
        var found: JSONValue?
        for context in stack.reversed() {
            if case .object(let fields) = context, let value = fields[parts[0]] {
                found = value
                break
            }
        }
        guard var current = found else { return nil }
        for part in parts.dropFirst() {
            guard case .object(let fields) = current, let next = fields[part] else { return nil }
            current = next
        }
        return current
    }

    /// Falsy: missing, null, false, an empty list, an empty string.
    static func isTruthy(_ value: JSONValue?) -> Bool {
        switch value {
        case nil, .null?: return false
        case .bool(let flag)?: return flag
        case .array(let items)?: return !items.isEmpty
        case .string(let text)?: return !text.isEmpty
        default: return true
        }
    }

    private mutating func append(_ text: String, escaped: Bool) {
        guard escaped, text.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }) else {
            output += text
            return
        }
        for character in text.unicodeScalars {
            switch character {
            case "&": output += "&amp;"
            case "\"": output += "&quot;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            default: output.unicodeScalars.append(character)
            }
        }
    }
}
