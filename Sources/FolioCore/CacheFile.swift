import Foundation

/// One line of a cache file as a named type: the one place that knows the order of its
/// fields, so nothing else reads a record by index.
package protocol CacheRecord {
    /// nil when the fields are not a record of this kind (another format, a line cut short).
    init?(fields: [String])
    var fields: [String] { get }
}

/// A cache of values derived from immutable git objects, kept in `<git dir>/folio/<name>`
/// as tab-separated lines under a header that names the format. Every entry is keyed by
/// object ids, so an entry never goes stale; a file with another header, or one that cannot
/// be read, is simply empty (the cache only saves time, it never decides anything).
package struct CacheFile: Sendable {
    package let url: URL
    let header: String

    /// Off for this process (`FOLIO_CACHE_OFF`): loads nothing and saves nothing.
    let off: Bool

    package init(gitDirectory: String, name: String, format: Int) {
        url = URL(fileURLWithPath: gitDirectory).appendingPathComponent("folio/\(name)")
        header = "folio \(name) cache \(format)"
        let kind = name.hasPrefix("written-") ? "written" : name.hasPrefix("build-") ? "build" : name
        off = Self.switchedOff.contains(kind)
    }

    /// The caches `Benchmarks/build.sh` switches off one at a time to measure what each
    /// buys: `FOLIO_CACHE_OFF` lists kinds (`promotion-tags`, `prompt-versions`,
    /// `version-files`, `written`, `build`), comma-separated. Every cache only saves time,
    /// so the output is the same either way (the benchmark checks the manifest).
    private static let switchedOff = Set(
        (ProcessInfo.processInfo.environment["FOLIO_CACHE_OFF"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })

    /// The records of the file, each split into its fields (unescaped). A field equal to
    /// the same field of the record before shares its string (a key or a tagger's email
    /// repeats on thousands of lines).
    package func load() -> [[String]] {
        guard !off, let data = try? Data(contentsOf: url) else { return [] }
        var records: [[String]] = []
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

    /// The lines that are records of `type`; the others are skipped.
    package func load<Record: CacheRecord>(_ type: Record.Type) -> [Record] {
        load().compactMap(Record.init(fields:))
    }

    package func save<Record: CacheRecord>(_ records: [Record]) { save(records.map(\.fields)) }

    package func append<Record: CacheRecord>(_ records: [Record]) { append(records.map(\.fields)) }

    /// Writes the records (a temporary file renamed into place). A failure only costs the
    /// next run its shortcut, so it is not reported.
    package func save(_ records: [[String]]) {
        guard !off else { return }
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? AtomicFile.write(Data((header + "\n" + Self.lines(records)).utf8), to: url)
    }

    /// Adds records at the end of a file that `load` read with this header, in one
    /// `write` (a line cut short by a crash fails its record's checks on the next load).
    package func append(_ records: [[String]]) {
        guard !records.isEmpty, !off else { return }
        let descriptor = open(url.path, O_WRONLY | O_APPEND)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array(Self.lines(records).utf8)
        _ = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
    }

    private static func lines(_ records: [[String]]) -> String {
        var text = ""
        text.reserveCapacity(records.count * 200)
        for record in records {
            text += record.map(Self.escape).joined(separator: "\t")
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

    static func fields(_ line: UnsafeBufferPointer<UInt8>, previous: inout [(bytes: UnsafeBufferPointer<UInt8>, text: String)]) -> [String] {
        var fields: [String] = []
        var start = 0
        while start <= line.count {
            let tab = start < line.count ? memchr(line.baseAddress! + start, 0x09, line.count - start) : nil
            let index = tab.map { UnsafeRawPointer($0) - UnsafeRawPointer(line.baseAddress!) } ?? line.count
            let slice = UnsafeBufferPointer(rebasing: line[start..<index])
            let column = fields.count
            if column < previous.count, previous[column].bytes.count == slice.count, slice.count > 15,
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
