import FolioTelemetry
import FolioTestSupport
import Foundation
import Testing
import Yams

/// `PromptDraft.quoted` writes the text of production spans into prompt and golden-set
/// files: whatever the text, YAML must read back exactly that text.
@Suite("YAML quoting")
struct YAMLQuotingTests {
    static func readBack(_ quoted: String) throws -> String? {
        try Yams.load(yaml: "value: \(quoted)\n").flatMap { ($0 as? [String: Any])?["value"] as? String }
    }

    /// The characters a YAML reader treats as line breaks or refuses in a stream.
    @Test(arguments: [
        "X \u{85} Y", "X \u{2028} Y", "X \u{2029} Y", "tab\there", "cr\r\nlf", "nul\u{0} bell\u{7}", "del\u{7F} c1\u{80}\u{9F}", "bom\u{FEFF} inside", "\u{FFFE}\u{FFFF}", "quote \" back \\ slash",
        "emoji 🎫 and accents é", "",
    ])
    func specialCharactersRoundTrip(text: String) throws {
        #expect(try Self.readBack(PromptDraft.quoted(text)) == text)
    }

    /// Random text over every plane, weighted towards the characters that matter.
    @Test func anyTextRoundTrips() throws {
        var random = SplitMix(seed: 0x5EED_0085)
        let special: [UInt32] = [0x0, 0x9, 0xA, 0xD, 0x22, 0x5C, 0x7F, 0x85, 0xA0, 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF, 0x1F3AB]
        for _ in 0..<(2_000 * Fuzzer.scale) {
            var text = String.UnicodeScalarView()
            for _ in 0..<Int(random.next() % 24) {
                let value: UInt32 =
                    switch random.next() % 4 {
                    case 0: special[Int(random.next() % UInt64(special.count))]
                    case 1: UInt32(random.next() % 0x100)
                    case 2: UInt32(random.next() % 0x1_0000)
                    default: UInt32(random.next() % 0x11_0000)
                    }
                if let scalar = Unicode.Scalar(value) { text.append(scalar) }
            }
            // Yams drops a U+FEFF that starts a scalar's value (what any Folio file read
            // through it would lose too), whatever the quoting: not a case of this function's.
            let string = String(text).hasPrefix("\u{FEFF}") ? "x" + String(text) : String(text)
            let back = try Self.readBack(PromptDraft.quoted(string))
            #expect(back == string, "\(string.unicodeScalars.map { String($0.value, radix: 16) })")
            if back != string { return }
        }
    }
}
