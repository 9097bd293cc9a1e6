import CLibGit2

/// A git object id (SHA-1), as 40 lowercase hex digits.
package struct ObjectID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    package let hex: String

    package init?(hex: String) {
        let utf8 = hex.utf8
        guard utf8.count == 40 else { return nil }
        var lowercase = true
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): continue
            case UInt8(ascii: "A")...UInt8(ascii: "F"): lowercase = false
            default: return nil
            }
        }
        self.hex = lowercase ? hex : hex.lowercased()
    }

    init(_ oid: git_oid) {
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(40)
        withUnsafeBytes(of: oid.id) { bytes in
            for byte in bytes.prefix(20) {
                hex.append(digits[Int(byte >> 4)])
                hex.append(digits[Int(byte & 0x0f)])
            }
        }
        self.hex = String(decoding: hex, as: UTF8.self)
    }

    init(_ pointer: UnsafePointer<git_oid>) {
        self.init(pointer.pointee)
    }

    var oid: git_oid {
        var result = git_oid()
        _ = git_oid_fromstr(&result, hex)
        return result
    }

    /// The first seven hex digits, as `git log --oneline` shows.
    package var short: String { String(hex.prefix(7)) }

    package var description: String { hex }

    package static func < (lhs: ObjectID, rhs: ObjectID) -> Bool { lhs.hex < rhs.hex }

    /// Encoded as its hex digits, and checked as `init?(hex:)` checks them.
    package init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = ObjectID(hex: text) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not an object id"))
        }
        self = id
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
