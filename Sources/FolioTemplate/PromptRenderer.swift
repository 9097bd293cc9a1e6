import FolioModel

/// A rendered chat message.
package struct RenderedMessage: Sendable, Equatable, Codable {
    package let role: String
    package let content: String

    package init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// Why a prompt could not be rendered; the message names the prompt, version and variable.
package struct PromptRenderError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Kind: Sendable, Equatable {
        case missingVariable
        case unknownVariable
        case invalidValue
        case template
    }

    package let kind: Kind
    package let prompt: String
    package let version: String
    package let variable: String?
    package let message: String

    package var description: String { message }
}

/// A prompt with its templates parsed once, ready to render many times.
package struct CompiledPrompt: Sendable {
    /// Everything in one reference, so passing a compiled prompt around (the SDK does on
    /// every render) costs one retain, not one per field.
    final class Storage: Sendable {
        let prompt: Prompt
        let version: String
        let templates: [Template]
        let partials: [String: String]
        let declared: [String: PromptVariable]
        let flat: FlatPrompt?
        let roles: [String]

        init(prompt: Prompt, version: String, templates: [Template], partials: [String: String], declared: [String: PromptVariable], flat: FlatPrompt?) {
            self.prompt = prompt
            self.version = version
            self.templates = templates
            self.partials = partials
            self.declared = declared
            self.flat = flat
            roles = prompt.messages.map(\.role)
        }
    }

    let storage: Storage
    package var prompt: Prompt { storage.prompt }
    /// How the version is named in errors: `v2`, `draft`, `a1b2c3d`.
    package var version: String { storage.version }
    var templates: [Template] { storage.templates }
    var partials: [String: String] { storage.partials }
    /// The declared variables by name, for checks on every render.
    var declared: [String: PromptVariable] { storage.declared }
    /// The slot-filling form, when the prompt is simple enough (most are).
    var flat: FlatPrompt? { storage.flat }

    package init(_ prompt: Prompt, version: String, partials: [String: String] = [:]) throws(PromptRenderError) {
        let declared = Dictionary(prompt.variables.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var templates: [Template] = []
        for (index, message) in prompt.messages.enumerated() {
            do {
                templates.append(try Template(message.content))
            } catch {
                throw PromptRenderError(
                    kind: .template, prompt: prompt.name, version: version, variable: nil,
                    message: "prompt '\(prompt.name)' \(version): message \(index + 1) has a template error at \(error)"
                )
            }
        }
        storage = Storage(prompt: prompt, version: version, templates: templates, partials: partials, declared: declared, flat: FlatPrompt(prompt, templates: templates))
    }

    /// Validates `variables` against the declarations (required, unknown, type, enum),
    /// applies defaults and renders every message without HTML escaping.
    package func render(_ variables: [String: JSONValue], allowUnknown: Bool = false) throws(PromptRenderError) -> [RenderedMessage] {
        let context = try resolve(variables, allowUnknown: allowUnknown)
        var messages: [RenderedMessage] = []
        for (message, template) in zip(prompt.messages, templates) {
            do {
                messages.append(RenderedMessage(role: message.role, content: try template.render(.object(context), escape: .none, partials: partials, strictPartials: true)))
            } catch {
                throw failure(.template, nil, error.message)
            }
        }
        return messages
    }

    /// The values a render uses: given values checked and coerced, defaults filled in.
    package func resolve(_ variables: [String: JSONValue], allowUnknown: Bool = false) throws(PromptRenderError) -> [String: JSONValue] {
        // One pass over the given values (one hash each), then defaults only if something is missing.
        var context: [String: JSONValue] = allowUnknown ? variables : Dictionary(minimumCapacity: declared.count)
        var given = 0
        for (name, value) in variables {
            guard let variable = declared[name] else {
                if allowUnknown { continue }
                throw unknownVariable(in: variables)
            }
            given += 1
            let coerced = VariableCheck.coerce(value, to: variable)
            if let problem = VariableCheck.problem(with: coerced, for: variable) {
                if !allowUnknown, variables.keys.contains(where: { declared[$0] == nil }) { throw unknownVariable(in: variables) }
                throw failure(.invalidValue, name, "variable '\(name)': \(problem)")
            }
            context[name] = coerced
        }
        if given < declared.count {
            for variable in prompt.variables where variables[variable.name] == nil {
                if let value = variable.defaultValue {
                    context[variable.name] = value
                } else if variable.required {
                    throw failure(.missingVariable, variable.name, "missing required variable '\(variable.name)'")
                }
            }
        }
        return context
    }

    /// The error for the first unknown variable, by name.
    private func unknownVariable(in variables: [String: JSONValue]) -> PromptRenderError {
        let name = variables.keys.filter { declared[$0] == nil }.sorted()[0]
        let names = prompt.variables.map(\.name)
        let hint = names.isEmpty ? "it declares no variables" : "it declares \(names.joined(separator: ", "))"
        return failure(.unknownVariable, name, "unknown variable '\(name)': \(hint)")
    }

    private func failure(_ kind: PromptRenderError.Kind, _ variable: String?, _ detail: String) -> PromptRenderError {
        PromptRenderError(
            kind: kind, prompt: prompt.name, version: version, variable: variable,
            message: "prompt '\(prompt.name)' \(version): \(detail)")
    }
}
