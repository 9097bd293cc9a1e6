import FolioModel
import FolioTemplate
import Yams

/// A partial file as read, with its parsed template.
package struct LoadedPartial: Sendable {
    package let path: String
    package let partial: PromptPartial?
    package let diagnostics: [Diagnostic]
    let template: Template?
}

/// Decodes partial files (`schema: folio/partial@1`) under `prompts/partials/`.
enum PartialLoader {
    static func load(path: String, text: String, expectedName: String) -> LoadedPartial {
        let reader = YAMLReader(path: path, text: text)
        var partial: PromptPartial?
        var template: Template?
        if let root = reader.compose(), reader.checkSchema(root, expected: PromptPartial.schema),
            let fields = reader.fields(root, "the partial", allowed: ["schema", "name", "description", "content"], required: ["name", "content"])
        {
            let name = PromptLoader.readName(fields["name"], expected: expectedName, reader: reader)
            if let contentNode = fields["content"], let content = reader.text(contentNode, "content") {
                let location = PromptLoader.location(of: contentNode, in: text)
                do {
                    template = try Template(content)
                } catch {
                    let position = location.position(line: error.line, column: error.column)
                    reader.report(.error, "template syntax error in partial: \(error.message)", line: position.line, column: position.column)
                }
                if let name {
                    partial = PromptPartial(name: name, description: reader.text(fields["description"], "description"), content: content)
                }
            }
        }
        let diagnostics = reader.diagnostics
        return LoadedPartial(path: path, partial: diagnostics.hasErrors ? nil : partial, diagnostics: diagnostics, template: template)
    }
}
