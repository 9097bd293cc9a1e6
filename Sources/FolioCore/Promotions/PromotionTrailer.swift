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
        // Split on spaces; numbers are ASCII digits only (`Int("+5")` would take a sign).
        func number(_ text: Substring) -> Int? {
            guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
            return Int(text)
        }
        let fields = value.split(separator: " ")
        guard let head = fields.first, let at = head.firstIndex(of: "@"), let version = number(head[head.index(after: at)...]), version > 0 else {
            throw malformed("expected <name>@<version> blob=<id> [replaces=<version>]")
        }
        prompt = String(head[..<at])
        self.version = version
        var blob: ObjectID?
        var replaces: Int?
        for field in fields.dropFirst() {
            if field.hasPrefix("blob="), field.count > 5 {
                blob = ObjectID(hex: String(field.dropFirst(5)))
            } else if field.hasPrefix("replaces="), field.count > 9 {
                guard let number = number(field.dropFirst(9)), number > 0 else {
                    throw malformed("replaces= must be a version number")
                }
                replaces = number
            } else {
                throw malformed("unknown field '\(field)'")
            }
        }
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
