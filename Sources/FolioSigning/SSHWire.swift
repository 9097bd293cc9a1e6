import Foundation

/// Reads the SSH wire encoding (RFC 4251: uint32, string) with every length checked
/// against the bytes that remain, so a hostile blob cannot read out of bounds.
struct SSHReader {
    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { offset == bytes.count }
    var remaining: Int { bytes.count - offset }

    mutating func readBytes(_ count: Int, _ what: String) throws -> [UInt8] {
        guard count >= 0, count <= remaining else {
            throw SigningError(.malformed, "\(what) is truncated: it needs \(count) bytes, \(remaining) remain")
        }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    mutating func readUInt32(_ what: String) throws -> UInt32 {
        let raw = try readBytes(4, what)
        return raw.reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func readString(_ what: String) throws -> [UInt8] {
        let length = try readUInt32("the length of \(what)")
        guard length <= UInt32(remaining) else {
            throw SigningError(.malformed, "\(what) claims \(length) bytes but only \(remaining) remain")
        }
        return try readBytes(Int(length), what)
    }

    mutating func readText(_ what: String) throws -> String {
        let raw = try readString(what)
        guard let text = String(bytes: raw, encoding: .utf8) else {
            throw SigningError(.malformed, "\(what) is not UTF-8 text")
        }
        return text
    }
}

/// Writes the SSH wire encoding.
struct SSHWriter {
    private(set) var bytes: [UInt8] = []

    mutating func write(_ raw: [UInt8]) {
        bytes += raw
    }

    mutating func writeUInt32(_ value: UInt32) {
        bytes += [UInt8(value >> 24 & 0xff), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    mutating func writeString(_ raw: [UInt8]) {
        writeUInt32(UInt32(raw.count))
        bytes += raw
    }

    mutating func writeString(_ text: String) {
        writeString(Array(text.utf8))
    }
}
