import FolioModel

/// A prompt whose templates are plain text and `{{name}}` tags (no sections, partials or
/// dotted names) and whose variables are strings: rendered by filling slots, with no
/// context dictionary and no tree walk. This is the SDK's hot path; anything it does not
/// cover, and every error, goes through `CompiledPrompt.render`, so messages stay the same.
struct FlatPrompt: Sendable {
    enum Piece: Sendable {
        case text(String)
        case slot(Int)
    }

    /// One list of pieces per message.
    let messages: [[Piece]]
    /// Variable names by slot (a prompt has a handful: a scan beats hashing).
    let names: [String]
    /// Per slot: the allowed values, the default text, whether it is required.
    let allowed: [[String]?]
    let defaults: [String?]
    let required: [Bool]
    /// Bytes of text in each message, to reserve the output once.
    let textLength: [Int]

    init?(_ prompt: Prompt, templates: [Template]) {
        var slots: [String: Int] = [:]
        var allowed: [[String]?] = [], defaults: [String?] = [], required: [Bool] = []
        for variable in prompt.variables {
            guard variable.type == .string else { return nil }
            var defaultText: String?
            switch variable.defaultValue {
            case nil: defaultText = nil
            case .string(let text)?: defaultText = text
            default: return nil
            }
            slots[variable.name] = allowed.count
            allowed.append(variable.enumValues)
            defaults.append(defaultText)
            required.append(variable.required)
        }
        var messages: [[Piece]] = []
        var lengths: [Int] = []
        for template in templates {
            var pieces: [Piece] = []
            var length = 0
            for node in template.nodes {
                switch node {
                case .text(let text):
                    pieces.append(.text(text))
                    length += text.utf8.count
                case .variable(let name, _):
                    guard name.parts.count == 1, let slot = slots[name.raw] else { return nil }
                    pieces.append(.slot(slot))
                default:
                    return nil
                }
            }
            messages.append(pieces)
            lengths.append(length)
        }
        self.messages = messages
        names = prompt.variables.map(\.name)
        self.allowed = allowed
        self.defaults = defaults
        self.required = required
        textLength = lengths
    }

    /// Calls `emit` with each message's text, or returns false (having called nothing) when
    /// the values need the general path (an unknown or missing variable, a value outside the
    /// enum: the general path says what is wrong).
    func render(_ values: [String: String], _ emit: (Int, String) -> Void) -> Bool {
        withUnsafeTemporaryAllocation(of: String?.self, capacity: names.count) { filled in
            _ = filled.initialize(from: defaults)
            defer { filled.deinitialize() }
            var given = 0
            for (name, value) in values {
                guard let slot = names.firstIndex(of: name) else { return false }
                if let allowed = allowed[slot], !allowed.contains(value) { return false }
                filled[slot] = value
                given += 1
            }
            if given < names.count {
                for slot in 0..<names.count where filled[slot] == nil && required[slot] { return false }
            }
            for (index, pieces) in messages.enumerated() {
                var output = ""
                output.reserveCapacity(textLength[index] + 64)
                for piece in pieces {
                    switch piece {
                    case .text(let text): output += text
                    case .slot(let slot): if let value = filled[slot] { output += value }
                    }
                }
                emit(index, output)
            }
            return true
        }
    }
}

extension CompiledPrompt {
    /// The prompt's name, read without copying the whole prompt.
    package var name: String { storage.prompt.name }
    /// The prompt's model settings.
    package var model: ModelSettings? { storage.prompt.model }
    /// The role of each message, in order.
    package var roles: [String] { storage.roles }

    /// Renders with string values and returns each message's text (roles are `roles`):
    /// the fast path when the prompt is flat, else `render(_:)`.
    package func renderTexts(strings values: [String: String]) throws(PromptRenderError) -> [String] {
        var texts: [String] = []
        try renderTexts(strings: values) { _, text in texts.append(text) }
        return texts
    }

    /// The same, handing each message's index and text to `emit` (no intermediate array).
    package func renderTexts(strings values: [String: String], _ emit: (Int, String) -> Void) throws(PromptRenderError) {
        if let flat = storage.flat, flat.render(values, emit) { return }
        for (index, message) in try render(values.mapValues(JSONValue.string)).enumerated() { emit(index, message.content) }
    }
}
