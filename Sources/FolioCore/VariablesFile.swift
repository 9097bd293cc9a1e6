import Foundation
import FolioModel

/// Variable values from a YAML or JSON file (`--vars-file`): a mapping of names to values.
public enum VariablesFile {
    public static func load(_ path: String) throws -> [String: JSONValue] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FolioError(.usage, "cannot read the variables file '\(path)'", hint: "check the path")
        }
        let reader = YAMLReader(path: path, text: try UTF8Text.decodeOrThrow(data, path: path))
        guard let root = reader.compose(), let entries = reader.entries(root, "the variables file") else {
            throw FolioError(.usage, reader.diagnostics.map(\.description).joined(separator: "\n"))
        }
        return Dictionary(entries.map { ($0.key, reader.json($0.value)) }, uniquingKeysWith: { _, last in last })
    }

    /// Parses `name=value` pairs from the command line; values stay text.
    public static func parsePairs(_ pairs: [String]) throws -> [String: JSONValue] {
        var values: [String: JSONValue] = [:]
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw FolioError(.usage, "'\(pair)' is not name=value", hint: "write --var ticket_text='I need a refund'")
            }
            values[String(pair[..<equals])] = .string(String(pair[pair.index(after: equals)...]))
        }
        return values
    }
}
