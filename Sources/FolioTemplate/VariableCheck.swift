import FolioModel

/// Checks and converts variable values against their declarations.
package enum VariableCheck {
    /// Converts a value to the declared type where the intent is clear (the text "3" for
    /// an integer, "true" for a boolean), so values from the command line work.
    package static func coerce(_ value: JSONValue, to variable: PromptVariable) -> JSONValue {
        guard case .string(let text) = value else { return value }
        switch variable.type {
        case .integer, .number:
            return Double(text).map(JSONValue.number) ?? value
        case .boolean:
            switch text.lowercased() {
            case "true", "yes": return .bool(true)
            case "false", "no": return .bool(false)
            default: return value
            }
        default:
            return value
        }
    }

    /// A description of what is wrong with `value` for `variable`, or nil if it fits.
    package static func problem(with value: JSONValue, for variable: PromptVariable) -> String? {
        let value = coerce(value, to: variable)
        switch (variable.type, value) {
        case (.string, .string), (.boolean, .bool), (.number, .number), (.list, .array), (.object, .object):
            break
        case (.integer, .number(let number)) where number.rounded() == number:
            break
        case (.string, .number), (.string, .bool):
            break  // numbers and booleans read as text where text is wanted
        default:
            return "expected type \(variable.type.rawValue), found \(describe(value))"
        }
        if let allowed = variable.enumValues, !allowed.contains(value.text) {
            return "'\(value.text)' is not one of \(allowed.joined(separator: ", "))"
        }
        return nil
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string(let text): return "the text '\(text.prefix(40))'"
        case .array: return "a list"
        case .object: return "a mapping"
        }
    }
}
