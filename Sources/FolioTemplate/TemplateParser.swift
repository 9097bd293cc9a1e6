import FolioModel

/// Parses Mustache source into nodes: tags, delimiter changes and the spec's
/// standalone-line rules (a section, comment, partial or delimiter tag alone on
/// its line removes that line).
struct TemplateParser {
    private let source: [UInt8]
    private var position = 0
    private var open: [UInt8] = Array("{{".utf8)
    private var close: [UInt8] = Array("}}".utf8)
    /// Where the last tag was found: positions are counted on from there, so finding
    /// every tag's line and column is one pass over the source, not one per tag.
    private var counted = (offset: 0, line: 1, column: 1)

    init(_ source: [UInt8]) {
        self.source = source
    }

    private struct Frame {
        var name: TemplateName?
        var inverted: Bool
        var nodes: [TemplateNode] = []
    }

    mutating func parse() throws(TemplateSyntaxError) -> [TemplateNode] {
        var stack = [Frame(name: nil, inverted: false)]
        while position < source.count {
            guard let tagStart = find(open, from: position) else {
                stack[stack.count - 1].nodes.append(.text(String(decoding: source[position...], as: UTF8.self)))
                break
            }
            let tag = try readTag(at: tagStart)
            let standalone = tag.kind.canStandAlone ? standaloneBounds(tagStart: tagStart, tagEnd: tag.end) : nil
            let textEnd = standalone?.lineStart ?? tagStart
            if textEnd > position {
                stack[stack.count - 1].nodes.append(.text(String(decoding: source[position..<textEnd], as: UTF8.self)))
            }
            position = standalone?.lineEnd ?? tag.end
            let name = TemplateName(raw: tag.content, line: tag.line, column: tag.column)
            switch tag.kind {
            case .comment:
                break
            case .delimiters:
                try setDelimiters(tag.content, tag: name)
            case .variable(let escaped):
                try requireName(name)
                stack[stack.count - 1].nodes.append(.variable(name, escaped: escaped))
            case .partial:
                try requireName(name)
                let indentation = standalone.map { Array(source[$0.lineStart..<tagStart]) } ?? []
                stack[stack.count - 1].nodes.append(.partial(tag.content, indentation: indentation))
            case .sectionOpen(let inverted):
                try requireName(name)
                guard stack.count <= Limits.templateNesting else {
                    throw TemplateSyntaxError(
                        message: "sections nest more than \(Limits.templateNesting) deep: flatten the template (or raise FOLIO_MAX_TEMPLATE_NESTING)", line: tag.line, column: tag.column)
                }
                stack.append(Frame(name: name, inverted: inverted))
            case .sectionClose:
                guard stack.count > 1, let openName = stack.last?.name else {
                    throw TemplateSyntaxError(message: "'{{/\(tag.content)}}' closes a section that was never opened", line: tag.line, column: tag.column)
                }
                guard openName.raw == tag.content else {
                    throw TemplateSyntaxError(
                        message: "'{{/\(tag.content)}}' does not match the open section '\(openName.raw)' (line \(openName.line))",
                        line: tag.line, column: tag.column
                    )
                }
                let frame = stack.removeLast()
                stack[stack.count - 1].nodes.append(.section(openName, inverted: frame.inverted, children: frame.nodes))
            }
        }
        if stack.count > 1, let unclosed = stack.last?.name {
            throw TemplateSyntaxError(message: "section '\(unclosed.raw)' is never closed: add {{/\(unclosed.raw)}}", line: unclosed.line, column: unclosed.column)
        }
        return stack[0].nodes
    }

    // MARK: - Tags

    private enum TagKind {
        case variable(escaped: Bool)
        case sectionOpen(inverted: Bool)
        case sectionClose
        case partial
        case comment
        case delimiters

        var canStandAlone: Bool {
            if case .variable = self { return false }
            return true
        }
    }

    private struct Tag {
        var kind: TagKind
        var content: String
        var end: Int
        var line: Int
        var column: Int
    }

    private mutating func readTag(at start: Int) throws(TemplateSyntaxError) -> Tag {
        let (line, column) = lineAndColumn(of: start)
        var cursor = start + open.count
        let sigil: UInt8? = cursor < source.count ? source[cursor] : nil
        var closing = close
        let kind: TagKind
        switch sigil {
        case UInt8(ascii: "{"):
            kind = .variable(escaped: false)
            closing = Array("}".utf8) + close
        case UInt8(ascii: "&"): kind = .variable(escaped: false)
        case UInt8(ascii: "#"): kind = .sectionOpen(inverted: false)
        case UInt8(ascii: "^"): kind = .sectionOpen(inverted: true)
        case UInt8(ascii: "/"): kind = .sectionClose
        case UInt8(ascii: ">"): kind = .partial
        case UInt8(ascii: "!"): kind = .comment
        case UInt8(ascii: "="):
            kind = .delimiters
            closing = Array("=".utf8) + close
        default: kind = .variable(escaped: true)
        }
        if case .variable(escaped: true) = kind {} else { cursor += 1 }
        guard let closeAt = find(closing, from: cursor) else {
            let shown = String(decoding: open, as: UTF8.self)
            throw TemplateSyntaxError(message: "unclosed tag '\(shown)': expected '\(String(decoding: closing, as: UTF8.self))'", line: line, column: column)
        }
        let content = String(decoding: source[cursor..<closeAt], as: UTF8.self)
            .trimmingCharacters(in: " \t\r\n")
        return Tag(kind: kind, content: content, end: closeAt + closing.count, line: line, column: column)
    }

    private func requireName(_ name: TemplateName) throws(TemplateSyntaxError) {
        guard !name.raw.isEmpty else {
            throw TemplateSyntaxError(message: "empty tag: put a variable name inside it", line: name.line, column: name.column)
        }
        guard !name.raw.contains(where: { $0 == " " || $0 == "\t" || $0 == "\n" }) else {
            throw TemplateSyntaxError(message: "'\(name.raw)' is not a valid name: names cannot contain spaces", line: name.line, column: name.column)
        }
    }

    private mutating func setDelimiters(_ content: String, tag: TemplateName) throws(TemplateSyntaxError) {
        let parts = content.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 2, !parts[0].contains("="), !parts[1].contains("=") else {
            throw TemplateSyntaxError(message: "a delimiter change needs two delimiters, like {{=<% %>=}}", line: tag.line, column: tag.column)
        }
        open = Array(parts[0].utf8)
        close = Array(parts[1].utf8)
    }

    // MARK: - Standalone lines

    /// If the tag is alone on its line (only spaces or tabs around it), the range of the
    /// whole line including its line ending.
    private func standaloneBounds(tagStart: Int, tagEnd: Int) -> (lineStart: Int, lineEnd: Int)? {
        var lineStart = tagStart
        while lineStart > 0, source[lineStart - 1] != UInt8(ascii: "\n") {
            let byte = source[lineStart - 1]
            guard byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") else { return nil }
            lineStart -= 1
        }
        guard lineStart >= position else { return nil }
        var lineEnd = tagEnd
        while lineEnd < source.count, source[lineEnd] == UInt8(ascii: " ") || source[lineEnd] == UInt8(ascii: "\t") {
            lineEnd += 1
        }
        if lineEnd == source.count { return (lineStart, lineEnd) }
        if source[lineEnd] == UInt8(ascii: "\n") { return (lineStart, lineEnd + 1) }
        if source[lineEnd] == UInt8(ascii: "\r"), lineEnd + 1 < source.count, source[lineEnd + 1] == UInt8(ascii: "\n") {
            return (lineStart, lineEnd + 2)
        }
        return nil
    }

    // MARK: - Helpers

    private func find(_ needle: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, needle.count <= source.count else { return nil }
        var index = start
        let last = source.count - needle.count
        while index <= last {
            if source[index] == first {
                var matched = true
                for offset in 1..<needle.count where source[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }

    /// The 1-based line and column (in Unicode scalars) of `offset`, which is never before
    /// the last offset asked for.
    private mutating func lineAndColumn(of offset: Int) -> (Int, Int) {
        var (line, column) = (counted.line, counted.column)
        for index in counted.offset..<offset {
            let byte = source[index]
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        counted = (offset, line, column)
        return (line, column)
    }
}

private extension String {
    func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var view = Substring(self)
        while let first = view.first, characters.contains(first) { view.removeFirst() }
        while let last = view.last, characters.contains(last) { view.removeLast() }
        return String(view)
    }
}
