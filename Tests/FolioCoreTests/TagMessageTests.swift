import Foundation
import Testing
@testable import FolioCore

/// A promotion tag's object (10,000 of them on a first build): the signature is cut at the
/// last line that starts a block, the message follows the first empty line, and its last
/// paragraph holds the trailers, each parsed strictly.
struct TagMessageTests {
    static let blob = String(repeating: "ab", count: 20)

    @Test func theSignatureIsCutAtTheLastBlockThatStartsALine() {
        let head = "object 1\ntype commit\ntag folio/production/1\ntagger A <a@x> 1 +0000\n\nsubject\n\nnote with -----BEGIN SSH SIGNATURE----- inside\n"
        let block = "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n"
        let (payload, signature) = Promotion.splitSignature(Data((head + block).utf8))
        #expect(payload == Data(head.utf8))
        #expect(signature == block)
        let pgp = "-----BEGIN PGP SIGNATURE-----\nxx\n-----END PGP SIGNATURE-----\n"
        #expect(Promotion.splitSignature(Data((head + block + pgp).utf8)).signature == pgp)
        let unsigned = Promotion.splitSignature(Data(head.utf8))
        #expect(unsigned.payload == Data(head.utf8) && unsigned.signature == nil)
        #expect(Promotion.splitSignature(Data()).signature == nil)
    }

    @Test func theMessageFollowsTheFirstEmptyLine() {
        #expect(Promotion.body(Data("object 1\ntype commit\n\nsubject\n\nnote\n".utf8)) == "subject\n\nnote\n")
        #expect(Promotion.body(Data("object 1\ntype commit\n".utf8)) == "")
        #expect(Promotion.body(Data("x\n\n".utf8)) == "")
        #expect(Promotion.body(Data()) == "")
    }

    @Test func subjectNoteAndTrailers() {
        let message =
            "promote a v2 to production\n\nFirst paragraph\nwraps.\n\n\nSecond é 😀.\n\nFolio-Prompt:  a@2 blob=\(Self.blob) replaces=1 \t\nSigned-off-by: A\nFolio-Prompt:\tb@1 blob=\(Self.blob)\n"
        let parsed = Promotion.parseMessage(message)
        #expect(parsed.subject == "promote a v2 to production")
        #expect(parsed.note == "First paragraph\nwraps.\n\nSecond é 😀.")
        #expect(parsed.trailerValues == ["a@2 blob=\(Self.blob) replaces=1", "b@1 blob=\(Self.blob)"])
    }

    @Test func aLastParagraphWithoutTrailersIsPartOfTheNote() {
        let parsed = Promotion.parseMessage("subject line\nmore subject\n\nnote\n\nclosing words\n")
        #expect(parsed.subject == "subject line\nmore subject")
        #expect(parsed.note == "note\n\nclosing words")
        #expect(parsed.trailerValues.isEmpty)
        #expect(Promotion.parseMessage("").subject == "")
        #expect(Promotion.parseMessage("\n\n\n").trailerValues.isEmpty)
    }

    @Test func trailersParseStrictly() throws {
        let trailer = try PromotionTrailer(value: "triage@12 blob=\(Self.blob) replaces=3")
        #expect(trailer.prompt == "triage" && trailer.version == 12 && trailer.replaces == 3 && trailer.blob.hex == Self.blob)
        #expect(try PromotionTrailer(value: trailer.value) == trailer)
        #expect(try PromotionTrailer(value: "  triage@1   blob=\(Self.blob)  ").replaces == nil)
        for bad in [
            "triage@+1 blob=\(Self.blob)", "triage@0 blob=\(Self.blob)", "triage blob=\(Self.blob)", "triage@1", "triage@1 blob=xyz",
            "triage@1 blob=\(Self.blob) replaces=+2", "triage@1 blob=\(Self.blob) replaces=", "triage@1 blob=\(Self.blob) extra=1",
            "Bad Name@1 blob=\(Self.blob)", "triage@1234567890123456789 blob=\(Self.blob)", "",
        ] {
            #expect(throws: FolioError.self, "\(bad)") { try PromotionTrailer(value: bad) }
        }
    }
}
