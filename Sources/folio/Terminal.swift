import Foundation

/// Writing to standard output and standard error.
enum Terminal {
    /// A closed standard error (`folio … 2>&1 | head -1`) loses the text; it must not
    /// crash the command (the non-throwing `FileHandle.write` traps on EPIPE).
    /// The width to fit tables to: COLUMNS when set (as shells export it), else the
    /// terminal's, else 120.
    static var width: Int {
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 20 { return columns }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        return 120
    }

    static func writeError(_ text: String) {
        fflush(nil)  // keep standard output's lines before this one when both go to one place
        try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
    }

    static func error(_ message: String) {
        writeError("error: \(message)\n")
    }

    static func note(_ message: String) {
        writeError("\(message)\n")
    }

    /// Encodes a value as stable JSON (sorted keys, two-space indent) on standard output.
    static func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

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
