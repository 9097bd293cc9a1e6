import FolioModel
import Yams

/// Reads a composed YAML tree field by field and collects diagnostics with the
/// `line:column` of each node, instead of stopping at the first problem.
final class YAMLReader {
    let path: String
    let text: String
    private(set) var diagnostics: [Diagnostic] = []

    init(path: String, text: String) {
        self.path = path
        self.text = text
    }

    // MARK: - Reporting

    func error(_ message: String, at node: Node?) {
        report(.error, message, at: node?.mark)
    }

    func warning(_ message: String, at node: Node?) {
        report(.warning, message, at: node?.mark)
    }

    func report(_ severity: Diagnostic.Severity, _ message: String, at mark: Mark?) {
        diagnostics.append(Diagnostic(path: path, line: mark?.line ?? 0, column: mark?.column ?? 0, severity: severity, message: message))
    }

    func report(_ severity: Diagnostic.Severity, _ message: String, line: Int, column: Int) {
        diagnostics.append(Diagnostic(path: path, line: line, column: column, severity: severity, message: message))
    }

    // MARK: - Parsing

    /// Composes the document; a syntax error becomes a diagnostic and returns nil.
    func compose() -> Node? {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                report(.error, "the file is empty: it needs at least a `schema:` line", line: 1, column: 1)
                return nil
            }
            // Aliases share what they name, so a tree of a few hundred bytes can stand for
            // billions of nodes ("billion laughs"): count them, stopping at the limit, before
            // anything walks the tree.
            var budget = Limits.yamlNodes
            guard Self.fits(node, within: &budget) else {
                report(
                    .error, "the file expands to more than \(Limits.yamlNodes) YAML nodes once its aliases (*name) are expanded: write the values out, or raise FOLIO_MAX_YAML_NODES", line: 1,
                    column: 1)
                return nil
            }
            return node
        } catch let error as YamlError {
            reportSyntax(error)
        } catch {
            report(.error, "cannot parse YAML: \(error)", line: 1, column: 1)
        }
        return nil
    }

    /// Whether the tree, aliases expanded, has at most `budget` nodes (stops counting as soon
    /// as it has more, so the walk is bounded by the limit, not the expansion).
    static func fits(_ node: Node, within budget: inout Int) -> Bool {
        budget -= 1
        guard budget >= 0 else { return false }
        switch node {
        case .scalar, .alias:
            return true
        case .sequence(let items):
            for item in items where !fits(item, within: &budget) { return false }
            return true
        case .mapping(let mapping):
            for (key, value) in mapping where !fits(key, within: &budget) || !fits(value, within: &budget) { return false }
            return true
        }
    }

    private func reportSyntax(_ error: YamlError) {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let prefix = context.map { "\($0.text) (line \($0.mark.line)): " } ?? ""
            report(.error, "malformed YAML: \(prefix)\(problem)", at: mark)
        case let .duplicatedKeysInMapping(duplicates, context):
            report(.error, "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")): each key may appear once", at: context.mark)
        case let .reader(problem, offset, _, _):
            let (line, column) = offset.map { position(ofUTF8Offset: $0) } ?? (1, 1)
            report(.error, "malformed YAML: \(problem)", line: line, column: column)
        default:
            report(.error, "malformed YAML: \(error)", line: 1, column: 1)
        }
    }

    private func position(ofUTF8Offset offset: Int) -> (Int, Int) {
        var line = 1
        var column = 1
        for byte in text.utf8.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }

    // MARK: - Mappings

    /// The fields of a mapping node, by key. Reports a node that is not a mapping,
    /// unknown keys (with a suggestion: a near spelling, else a `synonyms` entry for a
    /// word other tools use, else the keys there are) and missing required keys.
    func fields(_ node: Node, _ what: String, allowed: [String], required: [String] = [], synonyms: [String: String] = [:]) -> [String: Node]? {
        guard case .mapping(let mapping) = node else {
            error("\(what) must be a mapping of keys to values, found \(describe(node))", at: node)
            return nil
        }
        var result: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                error("\(what) has a key that is not text", at: keyNode)
                continue
            }
            if allowed.contains(key) {
                result[key] = value
            } else {
                var hint = Suggestion.didYouMean(key, among: allowed)
                if hint.isEmpty, let synonym = synonyms[key.lowercased()] { hint = "; did you mean '\(synonym)'?" }
                if hint.isEmpty { hint = "; the keys here are \(allowed.joined(separator: ", "))" }
                error("unknown key '\(key)' in \(what)\(hint)", at: keyNode)
            }
        }
        for key in required where result[key] == nil {
            error("\(what) is missing the required key '\(key)'", at: node)
        }
        return result
    }

    /// A mapping with free-form keys (variables, providers, vars): key, key node, value.
    func entries(_ node: Node, _ what: String) -> [(key: String, keyNode: Node, value: Node)]? {
        guard case .mapping(let mapping) = node else {
            error("\(what) must be a mapping, found \(describe(node))", at: node)
            return nil
        }
        return mapping.compactMap { keyNode, value in
            guard let key = keyNode.scalar?.string else {
                error("\(what) has a key that is not text", at: keyNode)
                return nil
            }
            return (key, keyNode, value)
        }
    }

    func sequence(_ node: Node, _ what: String) -> [Node]? {
        guard case .sequence(let items) = node else {
            error("\(what) must be a list, found \(describe(node))", at: node)
            return nil
        }
        return Array(items)
    }

    // MARK: - Scalars

    func string(_ node: Node?, _ what: String) -> String? {
        guard let node else { return nil }
        guard case .scalar(let scalar) = node, node.tagName == .str else {
            error(braced(node).map { braces(what, $0) } ?? "\(what) must be text, found \(describe(node))\(node.scalar != nil ? "; quote it" : "")", at: node)
            return nil
        }
        return scalar.string
    }

    /// `content: {{name}}` unquoted: YAML reads `{` as a flow mapping. The value as
    /// written, when it is one.
    private func braced(_ node: Node) -> String? {
        guard case .mapping = node, let mark = node.mark else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        let written = lines[mark.line - 1].dropFirst(max(0, mark.column - 1)).trimmingCharacters(in: .whitespaces)
        return written.hasPrefix("{{") ? written : nil
    }

    private func braces(_ what: String, _ written: String) -> String {
        "\(what) starts with '{{', which YAML reads as a mapping: a value starting with '{{' must be quoted, as in \"\(written.replacingOccurrences(of: "\"", with: "\\\""))\""
    }

    /// Any scalar as text (numbers and booleans as written): for free-text fields.
    func text(_ node: Node?, _ what: String) -> String? {
        guard let node else { return nil }
        guard let scalar = node.scalar, node.tagName != .null else {
            error(braced(node).map { braces(what, $0) } ?? "\(what) must be text, found \(describe(node))", at: node)
            return nil
        }
        return scalar.string
    }

    func int(_ node: Node?, _ what: String, minimum: Int? = nil) -> Int? {
        guard let node else { return nil }
        guard node.tagName == .int, let value = node.int else {
            error("\(what) must be a whole number, found \(describe(node))", at: node)
            return nil
        }
        if let minimum, value < minimum {
            error("\(what) must be at least \(minimum), found \(value)", at: node)
            return nil
        }
        return value
    }

    func double(_ node: Node?, _ what: String) -> Double? {
        guard let node else { return nil }
        guard node.tagName == .int || node.tagName == .float, let value = node.float else {
            error("\(what) must be a number, found \(describe(node))", at: node)
            return nil
        }
        return value
    }

    func bool(_ node: Node?, _ what: String) -> Bool? {
        guard let node else { return nil }
        guard node.tagName == .bool, let value = node.bool else {
            error("\(what) must be true or false, found \(describe(node))", at: node)
            return nil
        }
        return value
    }

    func stringList(_ node: Node?, _ what: String) -> [String]? {
        guard let node else { return nil }
        guard let items = sequence(node, what) else { return nil }
        let values = items.compactMap { text($0, "each item of \(what)") }
        return values.count == items.count ? values : nil
    }

    /// Any node as a JSON-shaped value (for variable values and assertion values).
    func json(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch node.tagName {
            case .null: return .null
            case .bool: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case .int, .float: return node.float.map(JSONValue.number) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .sequence(let items):
            return .array(items.map(json))
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping {
                object[key.scalar?.string ?? ""] = json(value)
            }
            return .object(object)
        case .alias:
            return .null
        }
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            switch node.tagName {
            case .null: return "nothing (null)"
            case .bool: return "the boolean \(scalar.string)"
            case .int, .float: return "the number \(scalar.string)"
            default: return "the text '\(scalar.string.prefix(40))'"
            }
        }
    }
}

extension Node {
    /// The resolved tag (`tag:yaml.org,2002:str`, …) of the node.
    var tagName: Tag.Name { Tag.Name(rawValue: tag.description) }
}
