import Foundation

/// Reads the text `str()` or `repr()` gives for Python lists, tuples and dicts of strings,
/// numbers, booleans and None (an app that records `str(messages)` on a span writes this),
/// as JSON values. It parses; it never evaluates: anything else (a call, a name, an
/// expression) is a syntax error.
enum PythonLiteral {
    struct SyntaxError: Error {
        let offset: Int
    }

    /// Containers nested deeper than this are refused (the text is attacker-controlled).
    static let maximumDepth = 64

    static func parse(_ text: String) throws -> JSONNode {
        var parser = Parser(bytes: Array(text.utf8))
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.index == parser.bytes.count else { throw SyntaxError(offset: parser.index) }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        func peek(_ offset: Int = 0) -> UInt8? {
            index + offset < bytes.count ? bytes[index + offset] : nil
        }

        mutating func value(depth: Int) throws -> JSONNode {
            guard depth < PythonLiteral.maximumDepth, let byte = peek() else { throw SyntaxError(offset: index) }
            switch byte {
            case UInt8(ascii: "["): return .array(try sequence(close: UInt8(ascii: "]"), depth: depth))
            case UInt8(ascii: "("): return .array(try sequence(close: UInt8(ascii: ")"), depth: depth))
            case UInt8(ascii: "{"): return try dictionary(depth: depth)
            case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "b") where peek(1) == UInt8(ascii: "'") || peek(1) == UInt8(ascii: "\""):
                index += 1
                return .string(try string())
            default:
                return try word()
            }
        }

        /// `[a, b]` or `(a, b)`, a trailing comma allowed.
        mutating func sequence(close: UInt8, depth: Int) throws -> [JSONNode] {
            index += 1
            var items: [JSONNode] = []
            while true {
                skipSpace()
                if peek() == close {
                    index += 1
                    return items
                }
                items.append(try value(depth: depth + 1))
                skipSpace()
                if peek() == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard peek() == close else { throw SyntaxError(offset: index) }
                index += 1
                return items
            }
        }

        mutating func dictionary(depth: Int) throws -> JSONNode {
            index += 1
            var members: [(key: String, value: JSONNode)] = []
            while true {
                skipSpace()
                if peek() == UInt8(ascii: "}") {
                    index += 1
                    return .object(members)
                }
                let key = try value(depth: depth + 1)
                skipSpace()
                guard peek() == UInt8(ascii: ":") else { throw SyntaxError(offset: index) }
                index += 1
                skipSpace()
                let item = try value(depth: depth + 1)
                let name: String
                switch key {
                case .string(let text): name = text
                case .int(let number): name = String(number)
                case .double(let number): name = String(number)
                case .bool(let flag): name = flag ? "True" : "False"
                case .null: name = "None"
                default: throw SyntaxError(offset: index)
                }
                members.append((name, item))
                skipSpace()
                if peek() == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard peek() == UInt8(ascii: "}") else { throw SyntaxError(offset: index) }
                index += 1
                return .object(members)
            }
        }

        /// A quoted string with Python's escapes; adjacent literals are not joined.
        mutating func string() throws -> String {
            let quote = bytes[index]
            index += 1
            var out: [UInt8] = []
            while let byte = peek() {
                index += 1
                if byte == quote { return String(decoding: out, as: UTF8.self) }
                guard byte == UInt8(ascii: "\\") else {
                    out.append(byte)
                    continue
                }
                guard let escaped = peek() else { break }
                index += 1
                switch escaped {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "0"): out.append(0x00)
                case UInt8(ascii: "x"): try appendScalar(hexDigits: 2, to: &out)
                case UInt8(ascii: "u"): try appendScalar(hexDigits: 4, to: &out)
                case UInt8(ascii: "U"): try appendScalar(hexDigits: 8, to: &out)
                case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): out.append(escaped)
                default: out += [UInt8(ascii: "\\"), escaped]
                }
            }
            throw SyntaxError(offset: index)
        }

        mutating func appendScalar(hexDigits: Int, to out: inout [UInt8]) throws {
            guard index + hexDigits <= bytes.count,
                let value = UInt32(String(decoding: bytes[index..<(index + hexDigits)], as: UTF8.self), radix: 16),
                let scalar = Unicode.Scalar(value)
            else { throw SyntaxError(offset: index) }
            index += hexDigits
            out += Array(String(Character(scalar)).utf8)
        }

        /// `True`, `False`, `None` or a number.
        mutating func word() throws -> JSONNode {
            let start = index
            while let byte = peek(), !",:]})\n\r\t ".utf8.contains(byte) { index += 1 }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            switch text {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .null
            default:
                if let number = Int64(text) { return .int(number) }
                if let number = Double(text), text.first.map({ $0.isNumber || $0 == "-" || $0 == "." }) == true { return .double(number) }
                throw SyntaxError(offset: start)
            }
        }
    }
}
