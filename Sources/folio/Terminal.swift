import Foundation

/// Writing to standard output and standard error.
enum Terminal {
    /// A closed standard error (`folio … 2>&1 | head -1`) loses the text; it must not
    /// crash the command (the non-throwing `FileHandle.write` traps on EPIPE).
    static func writeError(_ text: String) {
        fflush(nil) // keep standard output's lines before this one when both go to one place
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

    /// Left-aligned columns separated by two spaces.
    static func table(_ rows: [[String]]) -> String {
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
