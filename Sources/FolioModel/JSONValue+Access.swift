import Foundation

/// Reading and writing loosely shaped JSON (provider requests and answers) through the one
/// value type, instead of `[String: Any]`.
extension JSONValue {
    /// JSON text, decoded; nil when it is not JSON.
    package static func decode(_ data: Data) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// Compact JSON with sorted keys (the same request always has the same bytes).
    package var encoded: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data()
    }

    /// A member of an object; nil for anything else or a missing key.
    package subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    package var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    package var numberValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// A whole number given as a number or as decimal text (some servers send counts as
    /// strings); nil for anything else.
    package var integerValue: Int? {
        switch self {
        case .number(let value): return value.isFinite && abs(value) < 9.0e15 ? Int(value) : nil
        case .string(let text): return Int(text)
        default: return nil
        }
    }
}
