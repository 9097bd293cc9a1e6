/// A reusable template fragment (`schema: folio/partial@1`) under `prompts/partials/`,
/// included with `{{> name}}`.
public struct PromptPartial: Sendable, Equatable, Codable {
    public static let schema = "folio/partial@1"

    public var name: String
    public var description: String?
    public var content: String

    public init(name: String, description: String? = nil, content: String) {
        self.name = name
        self.description = description
        self.content = content
    }
}
