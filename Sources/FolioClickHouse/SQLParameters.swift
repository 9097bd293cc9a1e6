/// Values from a user (prompt names, `--where` values, labels, ids, times) as ClickHouse
/// query parameters: the SQL holds `{p0:String}`, the value travels apart
/// (`param_p0=…`), so no value is ever read as SQL.
struct SQLParameters {
    private(set) var values: [String: String] = [:]

    /// A placeholder for `value` of ClickHouse type `type`.
    mutating func add(_ value: String, as type: String = "String") -> String {
        let name = "p\(values.count)"
        values[name] = value
        return "{\(name):\(type)}"
    }
}

/// SQL text for constants Folio itself spells (attribute names from the dialect table,
/// event names): a quoted string literal. Never used for a user's value.
func literal(_ text: String) -> String {
    var result = "'"
    for character in text {
        switch character {
        case "'": result += "\\'"
        case "\\": result += "\\\\"
        default: result.append(character)
        }
    }
    return result + "'"
}
