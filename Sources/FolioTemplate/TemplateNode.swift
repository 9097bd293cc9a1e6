/// A parsed Mustache template: text, tags and nested sections.
indirect enum TemplateNode: Sendable {
    case text(String)
    /// `{{name}}` (escaped in HTML mode), `{{{name}}}` or `{{&name}}` (never escaped).
    case variable(TemplateName, escaped: Bool)
    /// `{{#name}}…{{/name}}`, or `{{^name}}…{{/name}}` when inverted.
    case section(TemplateName, inverted: Bool, children: [TemplateNode])
    /// `{{>name}}`; `indentation` is the whitespace before a standalone partial tag.
    case partial(String, indentation: [UInt8])
}

/// A variable name as written in a tag, with its position in the template.
package struct TemplateName: Sendable, Equatable, Hashable {
    /// The name as written: `.`, `name` or a dotted path `a.b.c`.
    package let raw: String
    /// 1-based line of the tag in the template.
    package let line: Int
    /// 1-based column of the tag in the template.
    package let column: Int
    /// The dotted path's parts (`["."]` for the implicit iterator), split once at parse time.
    package let parts: [String]

    init(raw: String, line: Int, column: Int) {
        self.raw = raw
        self.line = line
        self.column = column
        parts = raw == "." ? ["."] : raw.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    /// The first part of the name: the variable a template reads from its context.
    package var head: String { parts[0] }
}

/// A variable a template reads, and the sections it is inside (outermost first).
package struct VariableReference: Sendable, Equatable {
    package let name: TemplateName
    package let enclosingSections: [TemplateName]
    /// True for a name used to open a section rather than to interpolate.
    package let isSection: Bool
}

/// A syntax error in a template, with its 1-based position.
package struct TemplateSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    package let message: String
    package let line: Int
    package let column: Int

    package var description: String { "\(line):\(column): \(message)" }
}
