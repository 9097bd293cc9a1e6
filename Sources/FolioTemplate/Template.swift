import FolioModel

/// How interpolated values are escaped.
package enum EscapeMode: Sendable {
    /// HTML escaping of `& " < >`, as the Mustache specification requires by default.
    case html
    /// No escaping: prompts are text, and `&` stays `&`.
    case none
}

/// A Mustache template: variables, sections, inverted sections, comments, partials
/// and delimiter changes, conformant to the Mustache specification.
///
/// Values are substituted in one pass: a value that contains `{{x}}` is output as is.
package struct Template: Sendable {
    package let source: String
    let nodes: [TemplateNode]

    /// Parses `source`; a syntax error carries its line and column.
    package init(_ source: String) throws(TemplateSyntaxError) {
        self.source = source
        var parser = TemplateParser(Array(source.utf8))
        self.nodes = try parser.parse()
    }

    init(indented source: String, by indentation: [UInt8]) throws(TemplateSyntaxError) {
        self = try Template(Template.indent(source, by: indentation))
    }

    /// Every variable the template reads, in source order, with the sections around it.
    package var references: [VariableReference] {
        var result: [VariableReference] = []
        func walk(_ nodes: [TemplateNode], _ sections: [TemplateName]) {
            for node in nodes {
                switch node {
                case .variable(let name, _):
                    result.append(VariableReference(name: name, enclosingSections: sections, isSection: false))
                case .section(let name, _, let children):
                    result.append(VariableReference(name: name, enclosingSections: sections, isSection: true))
                    walk(children, sections + [name])
                case .text, .partial:
                    break
                }
            }
        }
        walk(nodes, [])
        return result
    }

    /// The names of the partials the template includes, in source order, without repeats.
    package var partialNames: [String] {
        var names: [String] = []
        func walk(_ nodes: [TemplateNode]) {
            for node in nodes {
                switch node {
                case .partial(let name, _) where !names.contains(name): names.append(name)
                case .section(_, _, let children): walk(children)
                default: break
                }
            }
        }
        walk(nodes)
        return names
    }

    /// Every partial tag in source order, repeats included (a partial included twice counts twice).
    package var partialUses: [String] {
        var names: [String] = []
        func walk(_ nodes: [TemplateNode]) {
            for node in nodes {
                switch node {
                case .partial(let name, _): names.append(name)
                case .section(_, _, let children): walk(children)
                default: break
                }
            }
        }
        walk(nodes)
        return names
    }

    /// Renders the template against `context`.
    ///
    /// - Parameters:
    ///   - escape: `.none` for prompts; `.html` for the specification's default.
    ///   - partials: partial sources by name.
    ///   - strictPartials: a partial that is not in `partials` is an error; otherwise it
    ///     renders as nothing, as the specification says.
    ///
    /// The output is capped at `Limits.renderedBytes` and the partials included at
    /// `Limits.partialExpansions`, so partials that include each other several times
    /// cannot grow a render exponentially.
    package func render(
        _ context: JSONValue,
        escape: EscapeMode = .none,
        partials: [String: String] = [:],
        strictPartials: Bool = false
    ) throws(TemplateRenderError) -> String {
        var renderer = TemplateRenderer(escape: escape, partials: partials, context: context, strictPartials: strictPartials)
        try renderer.render(nodes)
        return renderer.output
    }

    static func indent(_ source: String, by indentation: [UInt8]) -> String {
        guard !indentation.isEmpty else { return source }
        var result: [UInt8] = indentation
        let bytes = Array(source.utf8)
        for (index, byte) in bytes.enumerated() {
            result.append(byte)
            if byte == UInt8(ascii: "\n"), index + 1 < bytes.count {
                result.append(contentsOf: indentation)
            }
        }
        return String(decoding: result, as: UTF8.self)
    }
}

/// A failure while rendering: a partial that does not parse, or partials that recurse forever.
package struct TemplateRenderError: Error, Sendable, Equatable, CustomStringConvertible {
    package let message: String

    package var description: String { message }
}
