/// A reusable template fragment (`schema: folio/partial@1`) under `prompts/partials/`,
/// included with `{{> name}}`.
package struct PromptPartial: Sendable, Equatable, Codable {
    package static let schema = "folio/partial@1"

    package var name: String
    package var description: String?
    package var content: String

    package init(name: String, description: String? = nil, content: String) {
        self.name = name
        self.description = description
        self.content = content
    }
}
