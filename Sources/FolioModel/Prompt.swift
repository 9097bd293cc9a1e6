/// A prompt file (`schema: folio/prompt@1`), one per file under `prompts/`.
package struct Prompt: Sendable, Equatable, Codable {
    package static let schema = "folio/prompt@1"

    package var name: String
    package var description: String?
    package var model: ModelSettings?
    /// Declared variables, in file order.
    package var variables: [PromptVariable]
    package var messages: [PromptMessage]
    package var output: OutputSpec?

    package init(
        name: String,
        description: String? = nil,
        model: ModelSettings? = nil,
        variables: [PromptVariable] = [],
        messages: [PromptMessage],
        output: OutputSpec? = nil
    ) {
        self.name = name
        self.description = description
        self.model = model
        self.variables = variables
        self.messages = messages
        self.output = output
    }

    package func variable(named name: String) -> PromptVariable? {
        variables.first { $0.name == name }
    }
}

/// Model defaults that the SDK and evaluations use.
public struct ModelSettings: Sendable, Equatable, Codable {
    public var provider: String?
    public var name: String?
    public var temperature: Double?
    public var maxTokens: Int?
    public var topP: Double?
    public var stop: [String]?

    public init(provider: String? = nil, name: String? = nil, temperature: Double? = nil, maxTokens: Int? = nil, topP: Double? = nil, stop: [String]? = nil) {
        self.provider = provider
        self.name = name
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.topP = topP
        self.stop = stop
    }

    enum CodingKeys: String, CodingKey {
        case provider, name, temperature, stop
        case maxTokens = "max_tokens"
        case topP = "top_p"
    }
}

/// The type a variable's value must have.
package enum VariableType: String, Sendable, Equatable, Codable, CaseIterable {
    case string, integer, number, boolean, list, object
}

/// A declared template variable.
package struct PromptVariable: Sendable, Equatable, Codable {
    package var name: String
    package var type: VariableType
    package var required: Bool
    package var enumValues: [String]?
    package var defaultValue: JSONValue?
    package var description: String?

    package init(name: String, type: VariableType = .string, required: Bool = false, enumValues: [String]? = nil, defaultValue: JSONValue? = nil, description: String? = nil) {
        self.name = name
        self.type = type
        self.required = required
        self.enumValues = enumValues
        self.defaultValue = defaultValue
        self.description = description
    }

    enum CodingKeys: String, CodingKey {
        case name, type, required, description
        case enumValues = "enum"
        case defaultValue = "default"
    }
}

/// One chat message of a prompt; `content` is a Mustache template.
package struct PromptMessage: Sendable, Equatable, Codable {
    package var role: String
    package var content: String

    package init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// What the prompt's answer looks like.
package struct OutputSpec: Sendable, Equatable, Codable {
    package enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        case text, label, json
    }

    package var type: Kind
    package var labels: [String]?
    package var schema: JSONValue?

    package init(type: Kind, labels: [String]? = nil, schema: JSONValue? = nil) {
        self.type = type
        self.labels = labels
        self.schema = schema
    }
}
