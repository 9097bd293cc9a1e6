import Foundation
import FolioModel

/// Writes `manifest.json` from the bytes of its version files, byte for byte what
/// `JSONEncoder.folio` writes for the same `Manifest` (a test holds the two together).
/// A manifest entry is its version file plus `promotion` and `sha256`, so the entry is the
/// version file's text with those two keys put in their sorted places and indented one
/// level deeper: no prompt is decoded or encoded again, which made a rebuild of 2,000
/// prompts spend most of its time in JSONEncoder.
enum ManifestJSON {
    struct Entry {
        /// The version file, as written to `prompts/<name>/<version>.json` (without the final newline or with it).
        let versionFile: Data
        let sha256: String
        let promotion: ManifestPromotion
    }

    /// The anchor every version file has: `schema` follows `partials` and precedes `variables`.
    private static let schemaLine = Array(",\n  \"schema\" : \"\(ManifestPrompt.schema)\",\n".utf8)

    /// The manifest's bytes (ending in a newline when `finalNewline`: added here, not to
    /// the 3 MB result, which would copy it), or nil when a version file is not in the form
    /// JSONEncoder writes (the caller then encodes the whole manifest instead).
    static func encode(_ manifest: Manifest, entries: [String: Entry], finalNewline: Bool = false) -> Data? {
        encodeLocating(manifest, entries: entries, finalNewline: finalNewline)?.bytes
    }

    /// `encode`, with where each prompt's entry lies in the bytes, by name (sorted).
    static func encodeLocating(
        _ manifest: Manifest, entries: [String: Entry], finalNewline: Bool
    )
        -> (bytes: Data, entries: [(name: String, range: Range<Int>)])?
    {
        let names = entries.keys.sorted()
        guard
            let encoded = encode(
                manifest, names: names, size: entries.values.reduce(4096) { $0 + $1.versionFile.count * 5 / 4 + 512 },
                finalNewline: finalNewline, value: { name, out in splice(entries[name]!, indent: 4, &out) })
        else { return nil }
        return (encoded.bytes, Array(zip(names, encoded.ranges)))
    }

    /// The manifest with `manifest.prompts` replaced by `names` (sorted), each entry written
    /// by `value` (false: it cannot be), and where each entry's value lies in the bytes, so a
    /// later build can copy the entries that did not change (`copy`).
    static func encode(
        _ manifest: Manifest, names: [String], size: Int, finalNewline: Bool,
        value: (String, inout [UInt8]) -> Bool
    ) -> (bytes: Data, ranges: [Range<Int>])? {
        var out: [UInt8] = []
        out.reserveCapacity(size)
        out.append(contentsOf: "{\n  \"environment\" : ".utf8)
        string(manifest.environment, &out)
        if let expires = manifest.expires {
            out.append(contentsOf: ",\n  \"expires\" : ".utf8)
            string(date(expires), &out)
        }
        out.append(contentsOf: ",\n  \"generated_at\" : ".utf8)
        string(date(manifest.generatedAt), &out)
        out.append(contentsOf: ",\n  \"prompts\" : ".utf8)
        var failed = false
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(names.count)
        object(names, indent: 2, &out) { name, out in
            let start = out.count
            if !value(name, &out) { failed = true }
            ranges.append(start..<out.count)
        }
        guard !failed else { return nil }
        out.append(contentsOf: ",\n  \"schema\" : ".utf8)
        string(manifest.schema, &out)
        out.append(contentsOf: ",\n  \"source\" : {\n    \"commit\" : ".utf8)
        string(manifest.source.commit, &out)
        out.append(contentsOf: ",\n    \"tag\" : ".utf8)
        string(manifest.source.tag, &out)
        out.append(contentsOf: "\n  },\n  \"version\" : \(manifest.version),\n  \"version_files\" : ".utf8)
        object(manifest.versionFiles.keys.sorted(), indent: 2, &out) { path, out in
            string(manifest.versionFiles[path]!, &out)
        }
        out.append(contentsOf: "\n}".utf8)
        if finalNewline { out.append(0x0A) }
        return (Data(out), ranges)
    }

    /// Appends an entry's value as an earlier manifest holds it (false when the range is
    /// not inside it).
    static func copy(_ range: Range<Int>, of previous: Data, _ out: inout [UInt8]) -> Bool {
        guard range.lowerBound >= 0, range.upperBound <= previous.count else { return false }
        previous.withUnsafeBytes { raw in
            out.append(contentsOf: UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[range]))
        }
        return true
    }

    /// `{ "key" : value, … }` with JSONEncoder's pretty layout (an empty object is `{`, an
    /// empty line, `}`), `indent` being the indentation of the closing brace.
    private static func object(_ keys: [String], indent: Int, _ out: inout [UInt8], value: (String, inout [UInt8]) -> Void) {
        out.append(contentsOf: "{\n".utf8)
        if keys.isEmpty { out.append(0x0A) }
        for (index, key) in keys.enumerated() {
            out += [UInt8](repeating: 0x20, count: indent + 2)
            string(key, &out)
            out.append(contentsOf: " : ".utf8)
            value(key, &out)
            out.append(contentsOf: (index == keys.count - 1 ? "\n" : ",\n").utf8)
        }
        out += [UInt8](repeating: 0x20, count: indent)
        out.append(UInt8(ascii: "}"))
    }

    /// The version file with `promotion` and `sha256` added, every line after the first
    /// indented by `indent` more spaces (empty lines stay empty, as JSONEncoder leaves them).
    static func splice(_ entry: Entry, indent: Int, _ out: inout [UInt8]) -> Bool {
        var inserted: [UInt8] = Array(",\n  \"promotion\" : {\n    \"at\" : ".utf8)
        let promotion = entry.promotion
        string(date(promotion.at), &inserted)
        inserted.append(contentsOf: ",\n    \"by\" : ".utf8)
        string(promotion.by, &inserted)
        inserted.append(contentsOf: ",\n    \"email\" : ".utf8)
        string(promotion.email, &inserted)
        inserted.append(contentsOf: ",\n    \"note\" : ".utf8)
        string(promotion.note, &inserted)
        if let replaces = promotion.replaces { inserted.append(contentsOf: ",\n    \"replaces\" : \(replaces)".utf8) }
        inserted.append(contentsOf: ",\n    \"sequence\" : \(promotion.sequence),\n    \"tag\" : ".utf8)
        string(promotion.tag, &inserted)
        inserted.append(contentsOf: "\n  }".utf8)
        inserted += schemaLine
        inserted.append(contentsOf: "  \"sha256\" : ".utf8)
        string(entry.sha256, &inserted)
        inserted.append(contentsOf: ",\n".utf8)
        return entry.versionFile.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            var count = raw.count
            while count > 0, raw[count - 1] == 0x0A { count -= 1 }
            let file = UnsafeRawBufferPointer(rebasing: raw[..<count])
            // The anchor is near the end (only `variables` and `version` follow it).
            guard
                let split = schemaLine.withUnsafeBytes({ needle -> Int? in
                    guard count >= needle.count else { return nil }
                    for start in stride(from: count - needle.count, through: 0, by: -1)
                    where file[start] == 0x2C && memcmp(file.baseAddress! + start, needle.baseAddress!, needle.count) == 0 {
                        return start
                    }
                    return nil
                })
            else { return false }
            var atLineStart = false
            indented(UnsafeRawBufferPointer(rebasing: file[..<split]), indent: indent, atLineStart: &atLineStart, &out)
            inserted.withUnsafeBytes { indented($0, indent: indent, atLineStart: &atLineStart, &out) }
            indented(UnsafeRawBufferPointer(rebasing: file[(split + schemaLine.count)...]), indent: indent, atLineStart: &atLineStart, &out)
            return true
        }
    }

    /// Appends `bytes`, putting `indent` spaces before every line that is not empty.
    private static func indented(_ bytes: UnsafeRawBufferPointer, indent: Int, atLineStart: inout Bool, _ out: inout [UInt8]) {
        guard let base = bytes.baseAddress else { return }
        var start = 0
        while start < bytes.count {
            let end = memchr(base + start, 0x0A, bytes.count - start).map { UnsafeRawPointer($0) - base + 1 } ?? bytes.count
            if atLineStart, bytes[start] != 0x0A { out.append(contentsOf: repeatElement(0x20, count: indent)) }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
            atLineStart = bytes[end - 1] == 0x0A
            start = end
        }
    }

    /// A JSON string as JSONEncoder writes it with `.withoutEscapingSlashes`: `"` and `\`
    /// escaped, \b \t \n \f \r by name, other control characters as \u00xx, the rest as is.
    static func string(_ text: String, _ out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            out.append(UInt8(ascii: "\""))
            // A pointer scan: the manifest writes some 12,000 strings for 2,000 prompts.
            if !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                out.append(contentsOf: bytes)
                out.append(UInt8(ascii: "\""))
                return
            }
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""): out += [0x5C, UInt8(ascii: "\"")]
                case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
                case 0x08: out += [0x5C, UInt8(ascii: "b")]
                case 0x09: out += [0x5C, UInt8(ascii: "t")]
                case 0x0A: out += [0x5C, UInt8(ascii: "n")]
                case 0x0C: out += [0x5C, UInt8(ascii: "f")]
                case 0x0D: out += [0x5C, UInt8(ascii: "r")]
                case 0..<0x20:
                    let digits = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: "\\u00".utf8)
                    out.append(contentsOf: [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
                default: out.append(byte)
                }
            }
            out.append(UInt8(ascii: "\""))
        }
    }

    /// `2026-09-21T14:13:20Z`: the `.iso8601` strategy's form (UTC, whole seconds).
    static func date(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let time = seconds - days * 86_400
        let (year, month, day) = CivilDate.from(daysSince1970: days)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let yearText = year < 1000 ? String(repeating: "0", count: 4 - String(year).count) + "\(year)" : "\(year)"
        return "\(yearText)-\(two(month))-\(two(day))T\(two(time / 3600)):\(two(time % 3600 / 60)):\(two(time % 60))Z"
    }
}
