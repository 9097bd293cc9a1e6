import FolioGit

/// One `Folio-Prompt:` trailer of a promotion tag:
/// `Folio-Prompt: <name>@<version> blob=<blob id> replaces=<version>`.
public struct PromotionTrailer: Sendable, Equatable, Codable {
    public static let key = "Folio-Prompt"

    public let prompt: String
    public let version: Int
    public let blob: ObjectID
    /// The version this one replaced in the environment; nil on a first promotion.
    public let replaces: Int?

    public init(prompt: String, version: Int, blob: ObjectID, replaces: Int?) {
        self.prompt = prompt
        self.version = version
        self.blob = blob
        self.replaces = replaces
    }

    public var line: String {
        var text = "\(Self.key): \(prompt)@\(version) blob=\(blob.hex)"
        if let replaces { text += " replaces=\(replaces)" }
        return text
    }

    /// Parses the value after `Folio-Prompt:`; the error says what is wrong with it.
    public init(value: String) throws {
        let fields = value.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let head = fields.first, let at = head.firstIndex(of: "@"),
              let version = Int(head[head.index(after: at)...]), version > 0 else {
            throw FolioError(.invalidContent, "malformed trailer '\(Self.key): \(value)': expected <name>@<version> blob=<id> [replaces=<version>]")
        }
        prompt = String(head[..<at])
        self.version = version
        var blob: ObjectID?
        var replaces: Int?
        for field in fields.dropFirst() {
            let parts = field.split(separator: "=", maxSplits: 1).map(String.init)
            switch (parts.first, parts.count) {
            case ("blob", 2): blob = ObjectID(hex: parts[1])
            case ("replaces", 2):
                guard let number = Int(parts[1]), number > 0 else {
                    throw FolioError(.invalidContent, "malformed trailer '\(Self.key): \(value)': replaces= must be a version number")
                }
                replaces = number
            default:
                throw FolioError(.invalidContent, "malformed trailer '\(Self.key): \(value)': unknown field '\(field)'")
            }
        }
        guard let blob else {
            throw FolioError(.invalidContent, "malformed trailer '\(Self.key): \(value)': blob=<40 hex digits> is missing or invalid")
        }
        guard Names.isValidName(prompt) else {
            throw FolioError(.invalidContent, "malformed trailer '\(Self.key): \(value)': '\(prompt)' is not a prompt name")
        }
        self.blob = blob
        self.replaces = replaces
    }
}
