import Foundation

/// Text for a terminal: escaping what comes from data, and tables.
enum Terminal {
    /// Text that comes from data (span attributes, tag notes, signer lines) with every
    /// control character shown as an escape (`\u{1B}`), so that no terminal escape
    /// sequence in a trace or a tag reaches the terminal. Keeps `\n` when `lines` is true.
    static func escaped(_ text: String, lines: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0, lines: lines) }) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar, lines: lines) {
                result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func isControl(_ scalar: Unicode.Scalar, lines: Bool) -> Bool {
        if lines, scalar == "\n" { return false }
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: return true  // C0, DEL, C1, line/paragraph separators, bidi overrides
        default: return false
        }
    }

    /// Left-aligned columns separated by two spaces; every cell is `escaped`.
    static func table(_ rows: [[String]]) -> String {
        let rows = rows.map { $0.map { escaped($0) } }
        guard let width = rows.map(\.count).max() else { return "" }
        var widths = [Int](repeating: 0, count: width)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
