import Foundation
import FolioModel

/// Folio's files are UTF-8 text. Bytes that are not UTF-8 are an error with the position of
/// the first bad byte, never silently replaced with U+FFFD (which would change a prompt).
package enum UTF8Text {
    /// The text, or a diagnostic at the first byte that is not UTF-8.
    package static func decode(_ data: Data, path: String) -> Result<String, Diagnostic> {
        if let text = String(validating: data, as: UTF8.self) { return .success(text) }
        let bytes = [UInt8](data)
        let offset = firstInvalidByte(bytes) ?? 0
        var line = 1
        var column = 1
        for byte in bytes[..<offset] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        let shown = String(format: "0x%02X", bytes.indices.contains(offset) ? bytes[offset] : 0)
        return .failure(
            Diagnostic(
                path: path, line: line, column: column,
                message: "byte \(shown) is not UTF-8 text: save the file as UTF-8"))
    }

    /// The text, or a `FolioError` naming the file and position.
    package static func decodeOrThrow(_ data: Data, path: String) throws -> String {
        switch decode(data, path: path) {
        case .success(let text): return text
        case .failure(let diagnostic): throw FolioError(.invalidContent, diagnostic.description)
        }
    }

    /// The offset of the first byte that does not belong to a valid UTF-8 sequence.
    static func firstInvalidByte(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            let smallest: UInt32
            var scalar: UInt32
            switch lead {
            case 0xC2...0xDF:
                length = 2
                smallest = 0x80
                scalar = UInt32(lead & 0x1F)
            case 0xE0...0xEF:
                length = 3
                smallest = 0x800
                scalar = UInt32(lead & 0x0F)
            case 0xF0...0xF4:
                length = 4
                smallest = 0x10000
                scalar = UInt32(lead & 0x07)
            default: return index
            }
            guard index + length <= bytes.count else { return index }
            for next in bytes[(index + 1)..<(index + length)] {
                guard next & 0xC0 == 0x80 else { return index }
                scalar = scalar << 6 | UInt32(next & 0x3F)
            }
            guard scalar >= smallest, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return index }
            index += length
        }
        return nil
    }
}
