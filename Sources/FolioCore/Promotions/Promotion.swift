import Foundation
import FolioGit
import FolioSigning

/// A promotion: one `folio/<environment>/<sequence>` tag, parsed. (A class: a log holds
/// thousands, sorted and indexed, and copies of a reference cost nothing.)
package final class Promotion: Sendable {
    package static let tagPrefix = "folio/"
    /// Sequence numbers run from 1 to 999,999,999 (nine digits, no leading zero): a
    /// billion promotions per environment, and a name that always parses back.
    package static let maximumSequence = 999_999_999
    static let maximumSequenceDigits = 9

    /// Why a tag under `folio/<env>/` is not a promotion tag name, or nil when it is one
    /// (or is not under `folio/` at all).
    package static func invalidNameReason(_ name: String) -> String? {
        guard name.hasPrefix(tagPrefix), parseName(name) == nil else { return nil }
        let parts = name.dropFirst(tagPrefix.count).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return "not a promotion tag name: promotion tags are folio/<environment>/<sequence>" }
        return "'\(parts[1])' is not a sequence number: promotions are numbered 1 to \(maximumSequence), without leading zeros"
    }

    package let environment: String
    package let sequence: Int
    package let tagName: String
    /// The tag object's id; nil for a lightweight tag (which is never a valid promotion).
    package let tagObject: ObjectID?
    /// The tag's `tagger` header.
    package let tagger: Signature?
    /// The `tag` header and the type of object it points at (kept for the cache).
    let headerName: String
    let objectType: String
    /// The commit the tag points at.
    package let target: ObjectID
    package let subject: String
    package let note: String
    package let trailers: [PromotionTrailer]
    /// Problems found while parsing (malformed trailers, a header that names another tag).
    package let parseProblems: [String]
    /// The bytes the signature covers, and the armored signature, when signed.
    let payload: Data?
    let signature: String?
    /// The key that verified this tag object before (`PromotionCache`); nil when read afresh.
    let verifiedKey: SSHPublicKey?
    /// The `Folio-Prompt:` values as written, malformed ones too (kept for the cache).
    let trailerValues: [String]

    /// Splits a tag's name `folio/<env>/<seq>`; nil if it is not one.
    package static func parseName(_ name: String) -> (environment: String, sequence: Int)? {
        let utf8 = name.utf8
        guard utf8.starts(with: "folio/".utf8) else { return nil }
        let rest = utf8.dropFirst(6)
        guard let slash = rest.firstIndex(of: UInt8(ascii: "/")), slash > rest.startIndex else { return nil }
        let digits = rest[rest.index(after: slash)...]
        // Digits only, no leading zero: the name is exactly what the number prints as.
        guard let first = digits.first, first != UInt8(ascii: "0"), digits.count <= maximumSequenceDigits,
            digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
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
        let parsed = Promotion.parseMessage(Self.body(armored == nil ? tag.raw : signed))
        subject = parsed.subject
        note = parsed.note
        trailerValues = parsed.trailerValues
        (trailers, parseProblems) = Self.trailers(parsed.trailerValues, problems: problems)
    }

    /// A promotion from what `PromotionCache` kept of a tag object that verified before:
    /// the same fields, without reading the object.
    /// Everything that depends on the name it is found under (a tag object copied to
    /// another name) is checked again here, as for a tag read afresh.
    init(cached record: PromotionCache.Record, key: SSHPublicKey, name: String, environment: String, sequence: Int, reference: ObjectID) {
        self.environment = environment
        self.sequence = sequence
        tagName = name
        tagObject = reference
        headerName = record.headerName
        objectType = record.objectType
        target = record.target
        tagger = record.tagger.map {
            Signature(name: $0.name, email: $0.email, date: Date(timeIntervalSince1970: TimeInterval($0.seconds)), timeZoneOffsetMinutes: $0.offsetMinutes)
        }
        subject = record.subject
        note = record.note
        trailerValues = record.trailerValues
        (trailers, parseProblems) = Self.trailers(trailerValues, problems: Self.headerProblems(headerName: record.headerName, objectType: record.objectType, name: name))
        payload = nil
        signature = nil
        verifiedKey = key
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
        let markers = ["-----BEGIN SSH SIGNATURE-----", "-----BEGIN PGP SIGNATURE-----", "-----BEGIN SIGNED MESSAGE-----"].map { Array($0.utf8) }
        var found: Data.Index?
        var start = raw.startIndex
        while start < raw.endIndex {
            let rest = raw[start...]
            if markers.contains(where: { rest.starts(with: $0) }) { found = start }
            guard let newline = rest.firstIndex(of: 0x0A) else { break }
            start = newline + 1
        }
        guard let found else { return (raw, nil) }
        return (Data(raw[..<found]), String(decoding: raw[found...], as: UTF8.self))
    }

    /// What follows the header of a tag object: everything after its first empty line.
    static func body(_ object: Data) -> String {
        guard let blank = object.firstRange(of: [0x0A, 0x0A]) else { return "" }
        return String(decoding: object[blank.upperBound...], as: UTF8.self)
    }

    /// Subject (first line), note (the paragraphs after it) and the trailer values of the
    /// last paragraph.
    static func parseMessage(_ message: String) -> (subject: String, note: String, trailerValues: [String]) {
        // Paragraphs are separated by empty lines. Bytes, not Characters: 10,000 tags are
        // parsed on a first build, and grapheme breaking was most of the time it took.
        var paragraphs: [[Substring.UTF8View]] = []
        var current: [Substring.UTF8View] = []
        for line in message.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
            if line.isEmpty {
                if !current.isEmpty { paragraphs.append(current) }
                current = []
            } else {
                current.append(line)
            }
        }
        if !current.isEmpty { paragraphs.append(current) }
        guard !paragraphs.isEmpty else { return ("", "", []) }
        func text(_ lines: [Substring.UTF8View]) -> String { lines.map { String(Substring($0)) }.joined(separator: "\n") }
        let subject = text(paragraphs.removeFirst())
        var values: [String] = []
        let prefix = Array((PromotionTrailer.key + ":").utf8)
        if let last = paragraphs.last, last.contains(where: { $0.starts(with: prefix) }) {
            paragraphs.removeLast()
            values = last.filter { $0.starts(with: prefix) }.map { line in
                var value = line.dropFirst(prefix.count)
                while let first = value.first, first == 0x20 || first == 0x09 { value = value.dropFirst() }
                while let final = value.last, final == 0x20 || final == 0x09 { value = value.dropLast() }
                return String(Substring(value))
            }
        }
        return (subject, paragraphs.map(text).joined(separator: "\n\n"), values)
    }
}
