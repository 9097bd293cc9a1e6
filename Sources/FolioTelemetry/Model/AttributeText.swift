import Foundation

/// An OTLP `AnyValue` as text, exactly as the OpenTelemetry Collector turns it into a
/// ClickHouse `Map(String, String)` value (`pcommon.Value.AsString`): strings as they are,
/// booleans and integers as Go prints them, doubles in ECMAScript's number format, bytes in
/// base64, and maps and lists as Go's `json.Marshal` writes them (keys sorted, `<`, `>`,
/// `&`, U+2028 and U+2029 escaped). Spans read from files get the same text, so every
/// answer is the same from files as from ClickHouse.
package enum AttributeText {
    /// What an `AnyValue` holds, only long enough to be written out.
    indirect enum Value {
        case empty
        case string(String)
        case bool(Bool)
        case int(Int64)
        case double(Double)
        case bytes(Data)
        case array([Value])
        case map([(String, Value)])
    }

    /// `AsString`.
    static func text(_ value: Value) -> String {
        switch value {
        case .empty: return ""
        case .string(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return number.isFinite ? ecmaScript(number) : "json: unsupported value: \(goSpecial(number))"
        case .bytes(let data): return data.base64EncodedString()
        case .array, .map:
            var output = ""
            guard json(value, into: &output) else { return "" }
            return output
        }
    }

    /// `json.Marshal` of the value's raw form; false where Go's would fail (NaN, infinity).
    static func json(_ value: Value, into output: inout String) -> Bool {
        switch value {
        case .empty: output += "null"
        case .string(let text): quote(text, into: &output)
        case .bool(let flag): output += flag ? "true" : "false"
        case .int(let number): output += String(number)
        case .double(let number):
            guard number.isFinite else { return false }
            output += ecmaScript(number)
        case .bytes(let data): quote(data.base64EncodedString(), into: &output)
        case .array(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                guard json(item, into: &output) else { return false }
            }
            output += "]"
        case .map(let members):
            // A Go map: one value per key (the last), keys in byte order.
            var unique: [String: Value] = [:]
            for (key, member) in members { unique[key] = member }
            output += "{"
            for (index, key) in unique.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }).enumerated() {
                if index > 0 { output += "," }
                quote(key, into: &output)
                output += ":"
                guard json(unique[key]!, into: &output) else { return false }
            }
            output += "}"
        }
        return true
    }

    static let hexDigits = Array("0123456789abcdef")

    /// A JSON string as Go's encoder writes it (HTML-safe).
    package static func quote(_ text: String, into output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                output += "\\u" + String(format: "%04x", scalar.value)
            default:
                if scalar.value < 0x20 {
                    output += "\\u00" + String(hexDigits[Int(scalar.value >> 4)]) + String(hexDigits[Int(scalar.value & 0xF)])
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }

    /// ECMAScript's number to string, as Go's `float64AsString` and JSON encoder write it:
    /// the shortest digits that read back exactly, plain between 1e-6 and 1e21, else with
    /// an exponent (`1e-7`, `1e+21`).
    package static func ecmaScript(_ number: Double) -> String {
        if number == 0 { return number.sign == .minus ? "-0" : "0" }
        // Swift's description gives the shortest round-trip digits; only the layout differs.
        let written = "\(abs(number))"
        var digits = ""
        var exponent = 0
        let parts = written.split(separator: "e", maxSplits: 1)
        let mantissa = parts[0]
        if parts.count == 2 { exponent = Int(parts[1]) ?? 0 }
        let pieces = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let whole = String(pieces[0])
        let fraction = pieces.count > 1 ? String(pieces[1]) : ""
        digits = whole + fraction
        // value = 0.digits × 10^(point): the decimal point sits after `point` digits.
        var point = whole.count + exponent
        while digits.hasPrefix("0"), digits.count > 1 {
            digits.removeFirst()
            point -= 1
        }
        while digits.hasSuffix("0"), digits.count > 1 { digits.removeLast() }
        let sign = number < 0 ? "-" : ""
        let magnitude = abs(number)
        if magnitude < 1e-6 || magnitude >= 1e21 {
            let first = digits.prefix(1)
            let rest = digits.dropFirst()
            let power = point - 1
            return sign + first + (rest.isEmpty ? "" : "." + rest) + "e" + (power < 0 ? "-" : "+") + String(abs(power))
        }
        if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
        if point >= digits.count { return sign + digits + String(repeating: "0", count: point - digits.count) }
        return sign + digits.prefix(point) + "." + digits.dropFirst(point)
    }

    static func goSpecial(_ number: Double) -> String {
        number.isNaN ? "NaN" : number < 0 ? "-Inf" : "+Inf"
    }
}
