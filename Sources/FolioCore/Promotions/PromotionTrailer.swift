import Foundation
import FolioGit

/// One `Folio-Prompt:` trailer of a promotion tag:
/// `Folio-Prompt: <name>@<version> blob=<blob id> replaces=<version>`.
package struct PromotionTrailer: Sendable, Equatable, Codable {
    package static let key = "Folio-Prompt"

    package let prompt: String
    package let version: Int
    package let blob: ObjectID
    /// The version this one replaced in the environment; nil on a first promotion.
    package let replaces: Int?

    package init(prompt: String, version: Int, blob: ObjectID, replaces: Int?) {
        self.prompt = prompt
        self.version = version
        self.blob = blob
        self.replaces = replaces
    }

    package var line: String { "\(Self.key): \(value)" }

    /// What follows `Folio-Prompt: `.
    package var value: String {
        var text = "\(prompt)@\(version) blob=\(blob.hex)"
        if let replaces { text += " replaces=\(replaces)" }
        return text
    }

    /// Parses the value after `Folio-Prompt:`; the error says what is wrong with it.
    package init(value: String) throws {
        func malformed(_ detail: String) -> FolioError {
            FolioError(.invalidContent, "malformed trailer '\(Self.key): \(value)': \(detail)")
        }
        // Byte-level, over the string's UTF-8 in place: a log of 10,000 promotions parses
        // 10,000 of these.
        var text = value
        let parsed: (prompt: String, version: Int, blob: ObjectID?, replaces: Int?) = try text.withUTF8 { bytes in
            var fields: [Range<Int>] = []
            var start = 0
            for index in 0...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: " ") {
                if index > start { fields.append(start..<index) }
                start = index + 1
            }
            func string(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
            func number(_ range: Range<Int>) -> Int? {
                guard !range.isEmpty, range.count <= 18 else { return nil }
                var value = 0
                for index in range {
                    guard bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") else { return nil }
                    value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                }
                return value
            }
            func hasPrefix(_ range: Range<Int>, _ prefix: StaticString) -> Bool {
                range.count > prefix.utf8CodeUnitCount
                    && memcmp(bytes.baseAddress! + range.lowerBound, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0
            }
            guard let head = fields.first, let at = head.first(where: { bytes[$0] == UInt8(ascii: "@") }),
                let version = number((at + 1)..<head.upperBound), version > 0
            else {
                throw malformed("expected <name>@<version> blob=<id> [replaces=<version>]")
            }
            var blob: ObjectID?
            var replaces: Int?
            for field in fields.dropFirst() {
                if hasPrefix(field, "blob=") {
                    blob = ObjectID(hex: string((field.lowerBound + 5)..<field.upperBound))
                } else if hasPrefix(field, "replaces=") {
                    guard let number = number((field.lowerBound + 9)..<field.upperBound), number > 0 else {
                        throw malformed("replaces= must be a version number")
                    }
                    replaces = number
                } else {
                    throw malformed("unknown field '\(string(field))'")
                }
            }
            return (string(head.lowerBound..<at), version, blob, replaces)
        }
        prompt = parsed.prompt
        version = parsed.version
        let blob = parsed.blob
        let replaces = parsed.replaces
        guard let blob else {
            throw malformed("blob=<40 hex digits> is missing or invalid")
        }
        guard Names.isValidName(prompt) else {
            throw malformed("'\(prompt)' is not a prompt name")
        }
        self.blob = blob
        self.replaces = replaces
    }
}
