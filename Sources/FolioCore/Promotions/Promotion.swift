import Foundation
import FolioGit

/// A promotion: one `folio/<environment>/<sequence>` tag, parsed.
public struct Promotion: Sendable {
    public static let tagPrefix = "folio/"

    public let environment: String
    public let sequence: Int
    public let tagName: String
    /// The tag object; nil for a lightweight tag (which is never a valid promotion).
    public let tag: RawTag?
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

    public var tagger: Signature? { tag?.tagger }

    /// Splits a tag's name `folio/<env>/<seq>`; nil if it is not one.
    public static func parseName(_ name: String) -> (environment: String, sequence: Int)? {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "folio", let sequence = Int(parts[2]), sequence > 0,
              String(sequence) == parts[2] else { return nil }
        return (String(parts[1]), sequence)
    }

    init(name: String, environment: String, sequence: Int, reference: ObjectID, git: Repository) throws {
        self.environment = environment
        self.sequence = sequence
        tagName = name
        guard try git.objectType(reference) == "tag" else {
            tag = nil
            target = reference
            subject = ""
            note = ""
            trailers = []
            parseProblems = []
            payload = nil
            signature = nil
            return
        }
        let tag = try git.rawTag(reference)
        self.tag = tag
        target = tag.object
        var problems: [String] = []
        if tag.name != name {
            problems.append("the tag object is named '\(tag.name)', not '\(name)': it was copied from another tag")
        }
        if tag.objectType != "commit" {
            problems.append("the tag points at a \(tag.objectType), not a commit")
        }
        let (signed, armored) = Promotion.splitSignature(tag.raw)
        payload = armored == nil ? nil : signed
        signature = armored
        let message = String(decoding: armored == nil ? tag.raw : signed, as: UTF8.self)
        let body = message.range(of: "\n\n").map { String(message[$0.upperBound...]) } ?? ""
        let parsed = Promotion.parseMessage(body)
        subject = parsed.subject
        note = parsed.note
        var trailers: [PromotionTrailer] = []
        for value in parsed.trailerValues {
            do {
                trailers.append(try PromotionTrailer(value: value))
            } catch let error as FolioError {
                problems.append(error.message)
            }
        }
        if trailers.isEmpty && problems.isEmpty {
            problems.append("it has no \(PromotionTrailer.key) trailer, so it promotes nothing")
        }
        self.trailers = trailers
        parseProblems = problems
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
