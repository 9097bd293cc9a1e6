import FolioModel
import FolioTemplate
import Yams

/// Decodes prompt files (`schema: folio/prompt@1`) and reports every problem in them.
enum PromptLoader {
    static let keys = ["schema", "name", "description", "model", "variables", "messages", "output"]
    static let modelKeys = ["provider", "name", "temperature", "max_tokens", "top_p", "stop"]
    static let variableKeys = ["type", "required", "enum", "default", "description"]
    static let roles = ["system", "user", "assistant"]

    /// Reads one prompt file. `expectedName` is the file name without `.yaml`.
    static func load(path: String, text: String, expectedName: String) -> LoadedPrompt {
        let reader = YAMLReader(path: path, text: text)
        var messages: [LoadedPrompt.MessageSource] = []
        var positions: [String: FilePosition] = [:]
        var prompt: Prompt?
        var declared: [PromptVariable] = []
        var providerPosition: FilePosition?
        if let root = reader.compose(), reader.checkSchema(root, expected: Prompt.schema),
            let fields = reader.fields(root, "the prompt", allowed: keys, required: ["name", "messages"])
        {
            let name = readName(fields["name"], expected: expectedName, reader: reader)
            let variables = readVariables(fields["variables"], reader: reader, positions: &positions)
            declared = variables ?? []
            let rawMessages = readMessages(fields["messages"], reader: reader, sources: &messages)
            let model = fields["model"].flatMap { readModel($0, reader: reader) }
            if case .mapping(let mapping)? = fields["model"], let node = mapping["provider"], let mark = node.mark {
                providerPosition = FilePosition(line: mark.line, column: mark.column)
            }
            let output = fields["output"].flatMap { readOutput($0, reader: reader) }
            let description = reader.text(fields["description"], "description")
            if let name, let variables, let rawMessages {
                prompt = Prompt(name: name, description: description, model: model, variables: variables, messages: rawMessages, output: output)
            }
        }
        let diagnostics = reader.diagnostics
        return LoadedPrompt(
            path: path, text: text,
            prompt: diagnostics.hasErrors ? nil : prompt,
            diagnostics: diagnostics, variables: declared, messages: messages, variablePositions: positions,
            providerPosition: providerPosition
        )
    }

    static func readName(_ node: Node?, expected: String, reader: YAMLReader) -> String? {
        guard let name = reader.string(node, "name") else { return nil }
        guard Names.isValidName(name) else {
            reader.error("the name '\(name)' is not valid: use lowercase letters, digits, '_' and '-', starting with a letter or digit", at: node)
            return nil
        }
        guard name == expected else {
            reader.error("the name '\(name)' does not match the file name '\(expected).yaml': rename one so they agree", at: node)
            return nil
        }
        return name
    }

    static func readModel(_ node: Node, reader: YAMLReader) -> ModelSettings? {
        guard let fields = reader.fields(node, "model", allowed: modelKeys) else { return nil }
        var settings = ModelSettings()
        settings.provider = reader.string(fields["provider"], "model.provider")
        settings.name = reader.text(fields["name"], "model.name")
        settings.temperature = reader.double(fields["temperature"], "model.temperature")
        settings.maxTokens = reader.int(fields["max_tokens"], "model.max_tokens", minimum: 1)
        settings.topP = reader.double(fields["top_p"], "model.top_p")
        settings.stop = reader.stringList(fields["stop"], "model.stop")
        if let temperature = settings.temperature, !(0...2).contains(temperature) {
            reader.error("model.temperature must be between 0 and 2, found \(temperature)", at: fields["temperature"])
        }
        return settings
    }

    static func readVariables(_ node: Node?, reader: YAMLReader, positions: inout [String: FilePosition]) -> [PromptVariable]? {
        guard let node else { return [] }
        if node.tagName == .null { return [] }
        guard let entries = reader.entries(node, "variables") else { return nil }
        var variables: [PromptVariable] = []
        for (name, keyNode, value) in entries {
            positions[name] = FilePosition(line: keyNode.mark?.line ?? 0, column: keyNode.mark?.column ?? 0)
            guard Names.isValidVariableName(name) else {
                reader.error("'\(name)' is not a valid variable name: use letters, digits and '_', starting with a letter or '_'", at: keyNode)
                continue
            }
            if let variable = readVariable(name, value, reader: reader) { variables.append(variable) }
        }
        return variables
    }

    static func readVariable(_ name: String, _ node: Node, reader: YAMLReader) -> PromptVariable? {
        let what = "variable '\(name)'"
        if node.tagName == .null { return PromptVariable(name: name) }
        guard let fields = reader.fields(node, what, allowed: variableKeys) else { return nil }
        var variable = PromptVariable(name: name)
        if let typeNode = fields["type"], let type = reader.string(typeNode, "\(what) type") {
            guard let parsed = VariableType(rawValue: type) else {
                let known = VariableType.allCases.map(\.rawValue)
                reader.error("unknown type '\(type)' for \(what): use one of \(known.joined(separator: ", "))\(Suggestion.didYouMean(type, among: known))", at: typeNode)
                return nil
            }
            variable.type = parsed
        }
        variable.required = reader.bool(fields["required"], "\(what) required") ?? false
        variable.description = reader.text(fields["description"], "\(what) description")
        variable.enumValues = reader.stringList(fields["enum"], "\(what) enum")
        if let defaultNode = fields["default"] {
            let value = reader.json(defaultNode)
            variable.defaultValue = value
            if let problem = VariableCheck.problem(with: value, for: variable) {
                reader.error("the default of \(what): \(problem)", at: defaultNode)
            }
            if variable.required {
                reader.warning("\(what) is required and has a default: the default is never used", at: defaultNode)
            }
        }
        return variable
    }

    static func readMessages(_ node: Node?, reader: YAMLReader, sources: inout [LoadedPrompt.MessageSource]) -> [PromptMessage]? {
        guard let node, let items = reader.sequence(node, "messages") else { return nil }
        if items.isEmpty { reader.error("messages is empty: a prompt needs at least one message", at: node) }
        var messages: [PromptMessage] = []
        for (index, item) in items.enumerated() {
            let what = "message \(index + 1)"
            guard let fields = reader.fields(item, what, allowed: ["role", "content"], required: ["role", "content"]) else { continue }
            let role = reader.string(fields["role"], "\(what) role")
            if let role, !roles.contains(role) {
                reader.error("unknown role '\(role)' in \(what): use system, user or assistant\(Suggestion.didYouMean(role, among: roles))", at: fields["role"])
            }
            guard let contentNode = fields["content"], let content = reader.text(contentNode, "\(what) content") else { continue }
            let location = location(of: contentNode, in: reader.text)
            var template: Template?
            do {
                template = try Template(content)
            } catch {
                let position = location.position(line: error.line, column: error.column)
                reader.report(.error, "template syntax error in \(what): \(error.message)", line: position.line, column: position.column)
            }
            sources.append(LoadedPrompt.MessageSource(template: template, location: location))
            if let role { messages.append(PromptMessage(role: role, content: content)) }
        }
        return messages
    }

    static func readOutput(_ node: Node, reader: YAMLReader) -> OutputSpec? {
        guard let fields = reader.fields(node, "output", allowed: ["type", "labels", "schema"], required: ["type"]),
            let typeName = reader.string(fields["type"], "output.type")
        else { return nil }
        guard let type = OutputSpec.Kind(rawValue: typeName) else {
            let known = OutputSpec.Kind.allCases.map(\.rawValue)
            reader.error("unknown output type '\(typeName)': use \(known.joined(separator: ", "))\(Suggestion.didYouMean(typeName, among: known))", at: fields["type"])
            return nil
        }
        let labels = reader.stringList(fields["labels"], "output.labels")
        if type == .label, labels?.isEmpty ?? true {
            reader.error("output type 'label' needs a non-empty `labels:` list", at: node)
        }
        if type != .label, fields["labels"] != nil {
            reader.warning("output.labels is only used when output.type is 'label'", at: fields["labels"])
        }
        if type != .json, fields["schema"] != nil {
            reader.warning("output.schema is only used when output.type is 'json'", at: fields["schema"])
        }
        return OutputSpec(type: type, labels: labels, schema: fields["schema"].map(reader.json))
    }

    /// Where a scalar's text starts in the file, so template positions map back to it.
    static func location(of node: Node, in text: String) -> TemplateLocation {
        let start = FilePosition(line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
        switch node.scalar?.style {
        case .literal?, .folded?:
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let next = start.line < lines.count ? lines[start.line] : ""
            let indentation = next.prefix { $0 == " " }.count
            return TemplateLocation(start: start, lineOffset: 1, firstColumn: indentation + 1, blockColumn: indentation + 1)
        case .singleQuoted?, .doubleQuoted?:
            return TemplateLocation(start: start, lineOffset: 0, firstColumn: start.column + 1, blockColumn: 1)
        default:
            return TemplateLocation(start: start, lineOffset: 0, firstColumn: start.column, blockColumn: 1)
        }
    }
}
