import FolioModel
import Foundation

/// JSON answers: parsing (a Markdown code fence around the JSON is accepted), a
/// `$.a.b[0]` path lookup, and the JSON Schema keywords golden sets use.
enum JSONChecks {
    static func parse(_ text: String) -> JSONValue? {
        var body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if body.hasPrefix("```") {
            body = body.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(separator: "\n")
            if body.hasSuffix("```") { body = String(body.dropLast(3)) }
        }
        guard let data = body.data(using: .utf8), let first = body.first, "{[\"-0123456789tfn".contains(first) else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// `$.a.b[0]`, `a.b[0]` or `a.b.0`.
    static func value(at path: String, in json: JSONValue) -> JSONValue? {
        var rest = Substring(path)
        if rest.hasPrefix("$") { rest = rest.dropFirst() }
        var current = json
        let segments = rest.replacingOccurrences(of: "[", with: ".").replacingOccurrences(of: "]", with: "").split(separator: ".")
        for segment in segments {
            let key = segment.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
            switch current {
            case .object(let fields):
                guard let next = fields[key] else { return nil }
                current = next
            case .array(let items):
                guard let index = Int(key), items.indices.contains(index) else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }

    /// The first way `value` breaks `schema` (type, enum, const, required, properties,
    /// additionalProperties, items, minItems/maxItems, minLength/maxLength,
    /// minimum/maximum, pattern), or nil when it conforms.
    static func validate(_ value: JSONValue, against schema: JSONValue, at location: String = "$") -> String? {
        guard case .object(let rules) = schema else { return nil }
        if let type = rules["type"] {
            let allowed: [String]
            if case .array(let names) = type { allowed = names.compactMap(\.scalarText) } else { allowed = type.scalarText.map { [$0] } ?? [] }
            if !allowed.isEmpty, !allowed.contains(where: { matches(value, type: $0) }) {
                return "\(location) should be \(allowed.joined(separator: " or ")), found \(typeName(value))"
            }
        }
        if case .array(let options)? = rules["enum"], !options.contains(value) {
            return "\(location) is \(value.compactText), not one of \(JSONValue.array(options).compactText)"
        }
        if let constant = rules["const"], constant != value { return "\(location) is \(value.compactText), expected \(constant.compactText)" }
        switch value {
        case .object(let fields):
            if case .array(let required)? = rules["required"] {
                for name in required.compactMap(\.scalarText) where fields[name] == nil { return "\(location) lacks the required property '\(name)'" }
            }
            var properties: [String: JSONValue] = [:]
            if case .object(let declared)? = rules["properties"] { properties = declared }
            for (name, field) in fields.sorted(by: { $0.key < $1.key }) {
                if let rule = properties[name] {
                    if let problem = validate(field, against: rule, at: "\(location).\(name)") { return problem }
                } else if case .bool(false)? = rules["additionalProperties"] {
                    return "\(location) has the property '\(name)', which the schema does not allow"
                }
            }
        case .array(let items):
            if let minimum = rules["minItems"]?.number, Double(items.count) < minimum { return "\(location) has \(items.count) items, fewer than \(Int(minimum))" }
            if let maximum = rules["maxItems"]?.number, Double(items.count) > maximum { return "\(location) has \(items.count) items, more than \(Int(maximum))" }
            if let rule = rules["items"] {
                for (index, item) in items.enumerated() {
                    if let problem = validate(item, against: rule, at: "\(location)[\(index)]") { return problem }
                }
            }
        case .string(let text):
            if let minimum = rules["minLength"]?.number, Double(text.count) < minimum { return "\(location) is shorter than \(Int(minimum)) characters" }
            if let maximum = rules["maxLength"]?.number, Double(text.count) > maximum { return "\(location) is longer than \(Int(maximum)) characters" }
            if let pattern = rules["pattern"]?.scalarText, let regex = try? NSRegularExpression(pattern: pattern),
                regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil
            {
                return "\(location) does not match /\(pattern)/"
            }
        case .number(let number):
            if let minimum = rules["minimum"]?.number, number < minimum { return "\(location) is \(value.compactText), less than \(minimum)" }
            if let maximum = rules["maximum"]?.number, number > maximum { return "\(location) is \(value.compactText), more than \(maximum)" }
        default:
            break
        }
        return nil
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null), ("number", .number): return true
        case ("integer", .number(let number)): return number.rounded() == number
        default: return false
        }
    }

    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .bool: return "a boolean"
        case .null: return "null"
        case .number: return "a number"
        }
    }
}
