import Foundation
import FolioGit
import FolioSigning

/// A promotion: one `folio/<environment>/<sequence>` tag, parsed. (A class: a log holds
/// thousands, sorted and indexed, and copies of a reference cost nothing.)
public final class Promotion: Sendable {
    public static let tagPrefix = "folio/"

    public let environment: String
    public let sequence: Int
    public let tagName: String
    /// The tag object's id; nil for a lightweight tag (which is never a valid promotion).
    public let tagObject: ObjectID?
    /// The tag's `tagger` header.
    public let tagger: Signature?
    /// The `tag` header and the type of object it points at (kept for the cache).
    let headerName: String
    let objectType: String
    /// The commit the tag points at.
    public let target: ObjectID
    public let subject: String
    public let note: String
    public let trailers: [PromotionTrailer]
    /// Problems found while parsing (malformed trailers, a header that names another tag).
    public let parseProblems: [String]
    /// The bytes the signature covers, and the armored signature, when signed.
    let payload: Data?
    let signature: String?
    /// The key that verified this tag object before (`PromotionCache`); nil when read afresh.
    let verifiedKey: SSHPublicKey?
    /// The `Folio-Prompt:` values as written, malformed ones too (kept for the cache).
    let trailerValues: [String]


    /// Splits a tag's name `folio/<env>/<seq>`; nil if it is not one.
    public static func parseName(_ name: String) -> (environment: String, sequence: Int)? {
        let utf8 = name.utf8
        guard utf8.starts(with: "folio/".utf8) else { return nil }
        let rest = utf8.dropFirst(6)
        guard let slash = rest.firstIndex(of: UInt8(ascii: "/")), slash > rest.startIndex else { return nil }
        let digits = rest[rest.index(after: slash)...]
        // Digits only, no leading zero: the name is exactly what the number prints as.
        guard let first = digits.first, first != UInt8(ascii: "0"), digits.count <= 18,
              digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        let sequence = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        // The environment ends at the first slash, and the digits hold none.
        guard let environment = String(rest[..<slash]) else { return nil }
        return (environment, sequence)
    }

    init(name: String, environment: String, sequence: Int, reference: ObjectID, git: Repository) throws {
        self.environment = environment
        self.sequence = sequence
        tagName = name
        guard let tag = try git.annotatedTag(reference) else {
            tagObject = nil
            tagger = nil
            headerName = ""
            objectType = ""
            target = reference
            subject = ""
            note = ""
            trailers = []
            parseProblems = []
            payload = nil
            signature = nil
            verifiedKey = nil
            trailerValues = []
            return
        }
        tagObject = tag.id
        tagger = tag.tagger
        headerName = tag.name
        objectType = tag.objectType
        target = tag.object
        let problems = Self.headerProblems(headerName: tag.name, objectType: tag.objectType, name: name)
        let (signed, armored) = Promotion.splitSignature(tag.raw)
        payload = armored == nil ? nil : signed
        signature = armored
        verifiedKey = nil
        let message = String(decoding: armored == nil ? tag.raw : signed, as: UTF8.self)
        let body = message.range(of: "\n\n").map { String(message[$0.upperBound...]) } ?? ""
        let parsed = Promotion.parseMessage(body)
        subject = parsed.subject
        note = parsed.note
        trailerValues = parsed.trailerValues
        (trailers, parseProblems) = Self.trailers(parsed.trailerValues, problems: problems)
    }

    /// A promotion from what `PromotionCache` kept of a tag object that verified before:
    /// the same fields, without reading the object (nil when the record is not one).
    /// Everything that depends on the name it is found under (a tag object copied to
    /// another name) is checked again here, as for a tag read afresh.
    init?(cached record: [String], key: SSHPublicKey, name: String, environment: String, sequence: Int, reference: ObjectID) {
        guard record.count == 12, let target = ObjectID(hex: record[4]) else { return nil }
        self.environment = environment
        self.sequence = sequence
        tagName = name
        tagObject = reference
        headerName = record[2]
        objectType = record[3]
        self.target = target
        if let seconds = Int64(record[7]), let offset = Int(record[8]) {
            tagger = Signature(name: record[5], email: record[6], date: Date(timeIntervalSince1970: TimeInterval(seconds)), timeZoneOffsetMinutes: offset)
        } else {
            tagger = nil
        }
        subject = record[9]
        note = record[10]
        trailerValues = Self.lines(record[11])
        (trailers, parseProblems) = Self.trailers(trailerValues, problems: Self.headerProblems(headerName: record[2], objectType: record[3], name: name))
        payload = nil
        signature = nil
        verifiedKey = key
    }

    private static func lines(_ text: String) -> [String] {
        if text.isEmpty { return [] }
        var text = text
        if !text.withUTF8({ $0.contains(0x0A) }) { return [text] }
        return text.split(separator: "\n").map(String.init)
    }

    /// The fields `init(cached:…)` reads back, after the tag id and the key line.
    var cacheFields: [String] {
        [headerName, objectType, target.hex, tagger?.name ?? "", tagger?.email ?? "",
         tagger.map { String(Int64($0.date.timeIntervalSince1970)) } ?? "", tagger.map { String($0.timeZoneOffsetMinutes) } ?? "",
         subject, note, trailerValues.joined(separator: "\n")]
    }

    /// What the tag object's header says against the name it is found under.
    private static func headerProblems(headerName: String, objectType: String, name: String) -> [String] {
        var problems: [String] = []
        if headerName != name {
            problems.append("the tag object is named '\(headerName)', not '\(name)': it was copied from another tag")
        }
        if objectType != "commit" {
            problems.append("the tag points at a \(objectType), not a commit")
        }
        return problems
    }

    /// The trailers that parse, and every problem (the ones found so far, then one per
    /// malformed trailer, or one for no trailer at all).
    private static func trailers(_ values: [String], problems: [String]) -> ([PromotionTrailer], [String]) {
        var problems = problems
        var trailers: [PromotionTrailer] = []
        for value in values {
            do {
                trailers.append(try PromotionTrailer(value: value))
            } catch let error as FolioError {
                problems.append(error.message)
            } catch {
                problems.append("\(error)")
            }
        }
        if trailers.isEmpty && problems.isEmpty {
            problems.append("it has no \(PromotionTrailer.key) trailer, so it promotes nothing")
        }
        return (trailers, problems)
    }

    /// Splits a tag object at the last line that starts a signature block, as git does.
    static func splitSignature(_ raw: Data) -> (payload: Data, signature: String?) {
        let bytes = [UInt8](raw)
        let markers = ["-----BEGIN SSH SIGNATURE-----", "-----BEGIN PGP SIGNATURE-----", "-----BEGIN SIGNED MESSAGE-----"].map { Array($0.utf8) }
        var start = 0
        var found: Int?
        while start < bytes.count {
            if markers.contains(where: { bytes[start...].starts(with: $0) }) { found = start }
            guard let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else { break }
            start = newline + 1
        }
        guard let found else { return (raw, nil) }
        return (Data(bytes[..<found]), String(decoding: bytes[found...], as: UTF8.self))
    }

    /// Subject (first line), note (the paragraphs after it) and the trailer values of the
    /// last paragraph.
    static func parseMessage(_ message: String) -> (subject: String, note: String, trailerValues: [String]) {
        // Paragraphs are separated by empty lines (Swift-native splitting: Foundation's
        // components(separatedBy:) was a tenth of reading 10,000 tags).
        var paragraphs: [[Substring]] = []
        var current: [Substring] = []
        for line in message.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty {
                if !current.isEmpty { paragraphs.append(current) }
                current = []
            } else {
                current.append(line)
            }
        }
        if !current.isEmpty { paragraphs.append(current) }
        guard !paragraphs.isEmpty else { return ("", "", []) }
        let subject = paragraphs.removeFirst().joined(separator: "\n")
        var values: [String] = []
        let prefix = PromotionTrailer.key + ":"
        if let last = paragraphs.last, last.contains(where: { $0.hasPrefix(prefix) }) {
            paragraphs.removeLast()
            values = last.filter { $0.hasPrefix(prefix) }.map { line in
                let value = line.dropFirst(prefix.count)
                return String(value.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
            }
        }
        return (subject, paragraphs.map { $0.joined(separator: "\n") }.joined(separator: "\n\n"), values)
    }
}
