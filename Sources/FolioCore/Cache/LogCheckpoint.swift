import Foundation
import FolioGit
import FolioSigning

/// What one environment's promotions were checked against and which tags they were: main's
/// tip, the allowed_signers blob there, the last sequence and a digest of every
/// `folio/<env>/<seq>` tag up to it (name and object id). Every verdict on those tags is a
/// function of these (a tag object's id covers its bytes and signature; who may sign is
/// the signers blob's say; versions and ancestry are main's), and stays true while main
/// only grows along its first parents (a version's number and blob never change then, and
/// an ancestor stays one): so a tag checked valid then is valid now, and only tags added
/// since need a check.
package struct LogCheckpoint: Sendable, Equatable, Codable {
    package let mainTip: ObjectID
    package let signersBlob: ObjectID?
    package let lastSequence: Int
    package let digest: String

    package init(mainTip: ObjectID, signersBlob: ObjectID?, lastSequence: Int, digest: String) {
        self.mainTip = mainTip
        self.signersBlob = signersBlob
        self.lastSequence = lastSequence
        self.digest = digest
    }

    /// The digest of an environment's tags (in any order), as `(sequence, name, object)`:
    /// sha256 over a `<name> <object>` line per tag, in order of sequence.
    static func digest(_ tags: [(sequence: Int, name: String, object: ObjectID)]) -> String {
        var ordered = tags
        if !ordered.indices.dropFirst().allSatisfy({ ordered[$0 - 1].sequence < ordered[$0].sequence }) {
            ordered.sort { $0.sequence < $1.sequence }
        }
        var text: [UInt8] = []
        text.reserveCapacity(tags.count * 72)
        for tag in ordered {
            text.append(contentsOf: tag.name.utf8)
            text.append(0x20)
            text.append(contentsOf: tag.object.hex.utf8)
            text.append(0x0A)
        }
        return ContentHash.sha256Hex(Data(text))
    }
}
