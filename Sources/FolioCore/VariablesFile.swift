import Foundation
import FolioModel

/// Variable values from a YAML or JSON file (`--vars-file`): a mapping of names to values.
package enum VariablesFile {
    package static func load(_ path: String) throws -> [String: JSONValue] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FolioError(.usage, "cannot read the variables file '\(path)'", hint: "check the path")
        }
        let reader = YAMLReader(path: path, text: try UTF8Text.decodeOrThrow(data, path: path))
        guard let root = reader.compose(), let entries = reader.entries(root, "the variables file") else {
            throw FolioError(.usage, reader.diagnostics.map(\.description).joined(separator: "\n"))
        }
        return Dictionary(entries.map { ($0.key, reader.json($0.value)) }, uniquingKeysWith: { _, last in last })
    }

    /// Parses `name=value` pairs from the command line. Values stay text (the render
    /// converts text to a declared number or boolean), except for a variable declared
    /// `list` or `object`: its value is read as JSON, as a `--vars-file` value would be.
    package static func parsePairs(_ pairs: [String], declared: [PromptVariable] = []) throws -> [String: JSONValue] {
        var values: [String: JSONValue] = [:]
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw FolioError(.usage, "'\(pair)' is not name=value", hint: "write --var ticket_text='I need a refund'")
            }
            let name = String(pair[..<equals]), text = String(pair[pair.index(after: equals)...])
            guard let variable = declared.first(where: { $0.name == name }), variable.type == .list || variable.type == .object else {
                values[name] = .string(text)
                continue
            }
            let kind = variable.type == .list ? "a list" : "an object"
            let example = variable.type == .list ? #"'["a", "b"]'"# : #"'{"name": "Ada"}'"#
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
                throw FolioError(
                    .usage, "--var \(name): variable '\(name)' is \(kind), and '\(text.prefix(60))' is not JSON",
                    hint: "write it as JSON, e.g. --var \(name)=\(example), or put it in a --vars-file")
            }
            switch (variable.type, value) {
            case (.list, .array), (.object, .object): values[name] = value
            default:
                throw FolioError(
                    .usage, "--var \(name): variable '\(name)' is \(kind), and '\(text.prefix(60))' is JSON of another kind",
                    hint: "write it as a JSON \(variable.type == .list ? "array" : "object"), e.g. --var \(name)=\(example)")
            }
        }
        return values
    }
}
