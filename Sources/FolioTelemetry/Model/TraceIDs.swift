import FolioModel
import Foundation

/// A trace id: 16 bytes, held as two integers (a hex string would be two allocations).
package struct TraceID: Hashable, Sendable, Comparable, CustomStringConvertible {
    package let high: UInt64
    package let low: UInt64

    package init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// 32 hex digits (either case); nil for anything else or the all-zero id.
    package init?(hex: some StringProtocol) {
        let utf8 = hex.utf8
        guard utf8.count == 32, let high = HexDigits.uint64(utf8.prefix(16)), let low = HexDigits.uint64(utf8.suffix(16)), high | low != 0 else { return nil }
        self.init(high: high, low: low)
    }

    /// 16 bytes, as protobuf carries it; nil for any other length or all zeros.
    package init?(bytes: Data) {
        guard bytes.count == 16 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        guard high | low != 0 else { return nil }
        self.init(high: high, low: low)
    }

    /// Lowercase hex, as the Collector writes it.
    package var hex: String { HexDigits.text(high) + HexDigits.text(low) }
    package var description: String { hex }

    package static func < (lhs: TraceID, rhs: TraceID) -> Bool { (lhs.high, lhs.low) < (rhs.high, rhs.low) }
}

/// A span id: 8 bytes as one integer.
package struct SpanID: Hashable, Sendable, Comparable, CustomStringConvertible {
    package let value: UInt64

    package init(_ value: UInt64) {
        self.value = value
    }

    /// 16 hex digits (either case); nil for anything else or the all-zero id.
    package init?(hex: some StringProtocol) {
        guard hex.utf8.count == 16, let value = HexDigits.uint64(hex.utf8), value != 0 else { return nil }
        self.value = value
    }

    package init?(bytes: Data) {
        guard bytes.count == 8 else { return nil }
        var value: UInt64 = 0
        for byte in bytes { value = value << 8 | UInt64(byte) }
        guard value != 0 else { return nil }
        self.value = value
    }

    package var hex: String { HexDigits.text(value) }
    package var description: String { hex }

    package static func < (lhs: SpanID, rhs: SpanID) -> Bool { lhs.value < rhs.value }
}

enum HexDigits {
    static func uint64(_ digits: some Collection<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        for byte in digits {
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x61...0x66: digit = byte - 0x61 + 10
            case 0x41...0x46: digit = byte - 0x41 + 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    static let alphabet = Array("0123456789abcdef".utf8)

    static func text(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { buffer in
            for index in 0..<16 { buffer[index] = alphabet[Int((value >> UInt64(60 - 4 * index)) & 0xF)] }
            return 16
        }
    }
}
