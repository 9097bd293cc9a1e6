import Yams

extension YAMLReader {
    /// Checks the `schema:` key of a file's root mapping against the one expected.
    /// Returns false when the file is of another kind or version (nothing more is read).
    func checkSchema(_ root: Node, expected: String) -> Bool {
        guard case .mapping(let mapping) = root else {
            error("the file must be a mapping with `schema: \(expected)` first, found \(describe(root))", at: root)
            return false
        }
        guard let node = mapping["schema"] else {
            error("missing the required key 'schema': add `schema: \(expected)` as the first line", at: root)
            return false
        }
        guard let schema = string(node, "schema") else { return false }
        guard schema == expected else {
            let kind = expected.split(separator: "@").first.map(String.init) ?? expected
            if schema.hasPrefix(kind + "@") {
                error("unsupported schema version '\(schema)': this Folio reads '\(expected)'; upgrade Folio or rewrite the file", at: node)
            } else {
                error("unknown schema '\(schema)': expected '\(expected)'", at: node)
            }
            return false
        }
        return true
    }
}
