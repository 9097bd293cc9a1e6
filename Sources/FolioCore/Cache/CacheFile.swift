import Foundation

/// One file of Folio's caches in `<git dir>/folio/<name>`: derived values that only save
/// time. Every cache uses this one format:
///
///     folio-cache/2 <name>/<format>
///     <record>
///     …
///
/// A record is a Codable value (`CacheFields`), one per line: its fields separated by tabs,
/// with `\\`, `\t`, `\n` and `\r` escaped and `\N` for nil, as PostgreSQL's text `COPY`
/// writes rows. The header names the cache and its record format: a file with another
/// header (an older format, another cache), one that cannot be read, and a line that does not
/// decode are simply not there, because a cache never decides anything.
package struct CacheFile: Sendable {
    package let url: URL
    let header: String

    /// Off for this process (`FOLIO_CACHE_OFF`): loads nothing and saves nothing.
    let off: Bool

    /// - Parameter format: the record's format; raise it whenever the record changes.
    package init(gitDirectory: String, name: String, format: Int) {
        url = URL(fileURLWithPath: gitDirectory).appendingPathComponent("folio/\(name)")
        header = "folio-cache/2 \(name)/\(format)"
        let kind = name.hasPrefix("written-") ? "written" : name.hasPrefix("build-") ? "build" : name
        off = Self.switchedOff.contains(kind)
    }

    /// The records of the file that decode as `Record`, in order.
    package func load<Record: Decodable>(_ type: Record.Type) -> [Record] {
        fields().compactMap { try? CacheFields.decode(Record.self, from: $0) }
    }

    /// Writes the records (a temporary file renamed into place). A failure only costs the
    /// next run its shortcut, so it is not reported.
    package func save<Record: Encodable>(_ records: [Record]) {
        guard !off else { return }
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? AtomicFile.write(Data((header + "\n" + Self.lines(records)).utf8), to: url)
    }

    /// Adds records at the end of a file that `load` read with this header, in one
    /// `write` (a line cut short by a crash does not decode on the next load).
    package func append<Record: Encodable>(_ records: [Record]) {
        guard !records.isEmpty, !off else { return }
        let descriptor = open(url.path, O_WRONLY | O_APPEND)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array(Self.lines(records).utf8)
        _ = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
    }

    /// Whether the file exists with this header (so that records can be appended to it).
    package var hasHeader: Bool {
        guard !off, let handle = FileHandle(forReadingAtPath: url.path) else { return false }
        defer { try? handle.close() }
        let expected = Data((header + "\n").utf8)
        return (try? handle.read(upToCount: expected.count)) == expected
    }

    /// The caches `Benchmarks/build.sh` switches off one at a time to measure what each
    /// buys: `FOLIO_CACHE_OFF` lists kinds (`promotion-tags`, `prompt-versions`,
    /// `version-files`, `written`, `build`), comma-separated. Every cache only saves time,
    /// so the output is the same either way (the benchmark checks the manifest).
    private static let switchedOff = Set(
        (ProcessInfo.processInfo.environment["FOLIO_CACHE_OFF"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })

    /// The lines of the file, each split into its fields (unescaped). A field equal to the
    /// same field of the line before shares its string (a key or a tagger's email repeats
    /// on thousands of lines).
    func fields() -> [[String?]] {
        guard !off, let data = try? Data(contentsOf: url) else { return [] }
        var records: [[String?]] = []
        var previous: [(bytes: UnsafeBufferPointer<UInt8>, text: String)] = []
        var first = true
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            while start < bytes.count {
                let end =
                    memchr(bytes.baseAddress! + start, 0x0A, bytes.count - start)
                    .map { UnsafeRawPointer($0) - UnsafeRawPointer(bytes.baseAddress!) } ?? bytes.count
                let line = UnsafeBufferPointer(rebasing: bytes[start..<end])
                start = end + 1
                if first {
                    first = false
                    guard String(decoding: line, as: UTF8.self) == header else { return }
                    continue
                }
                records.append(Self.fields(line, previous: &previous))
            }
        }
        return records
    }

    private static func lines<Record: Encodable>(_ records: [Record]) -> String {
        var text = ""
        text.reserveCapacity(records.count * 200)
        for record in records {
            guard let fields = try? CacheFields.encode(record) else { continue }
            text += fields.map { $0.map(Self.escape) ?? "\\N" }.joined(separator: "\t")
            text += "\n"
        }
        return text
    }

    static func escape(_ field: String) -> String {
        guard field.utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { return field }
        var escaped = ""
        for character in field.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\t": escaped += "\\t"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    static func fields(_ line: UnsafeBufferPointer<UInt8>, previous: inout [(bytes: UnsafeBufferPointer<UInt8>, text: String)]) -> [String?] {
        var fields: [String?] = []
        var start = 0
        while start <= line.count {
            let tab = start < line.count ? memchr(line.baseAddress! + start, 0x09, line.count - start) : nil
            let index = tab.map { UnsafeRawPointer($0) - UnsafeRawPointer(line.baseAddress!) } ?? line.count
            let slice = UnsafeBufferPointer(rebasing: line[start..<index])
            let column = fields.count
            if slice.count == 2, slice[0] == 0x5C, slice[1] == UInt8(ascii: "N") {
                fields.append(nil)
            } else if column < previous.count, previous[column].bytes.count == slice.count, slice.count > 15,
                memcmp(previous[column].bytes.baseAddress!, slice.baseAddress!, slice.count) == 0
            {
                fields.append(previous[column].text)
            } else {
                let escaped = slice.count > 0 && memchr(slice.baseAddress!, 0x5C, slice.count) != nil
                let text = escaped ? unescape(slice) : String(decoding: slice, as: UTF8.self)
                fields.append(text)
                if column < previous.count { previous[column] = (slice, text) } else { previous.append((slice, text)) }
            }
            start = index + 1
        }
        return fields
    }

    /// The field with `\t`, `\n`, `\r` and `\\` turned back into their bytes, the text
    /// between escapes copied whole (a version file is kilobytes of escaped JSON).
    private static func unescape(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard let base = bytes.baseAddress else { return "" }
        return String(unsafeUninitializedCapacity: bytes.count) { output in
            var written = 0, index = 0
            while index < bytes.count {
                let next = memchr(base + index, 0x5C, bytes.count - index).map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? bytes.count
                UnsafeMutableRawPointer(output.baseAddress! + written).copyMemory(from: base + index, byteCount: next - index)
                written += next - index
                guard next < bytes.count else { break }
                guard next + 1 < bytes.count else {  // a backslash at the very end stays
                    output[written] = 0x5C
                    written += 1
                    break
                }
                switch bytes[next + 1] {
                case UInt8(ascii: "t"): output[written] = 0x09
                case UInt8(ascii: "n"): output[written] = 0x0A
                case UInt8(ascii: "r"): output[written] = 0x0D
                default: output[written] = bytes[next + 1]
                }
                written += 1
                index = next + 2
            }
            return written
        }
    }
}
