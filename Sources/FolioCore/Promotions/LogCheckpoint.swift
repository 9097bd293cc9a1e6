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
package struct LogCheckpoint: Sendable, Equatable {
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

extension PromotionLog {
    /// The checkpoint of `environment`'s promotions as this log checked them.
    package func checkpoint(of environment: String) -> LogCheckpoint {
        let promotions = promotions(in: environment).map(\.promotion)
        return LogCheckpoint(
            mainTip: mainTip, signersBlob: signersBlob, lastSequence: promotions.last?.sequence ?? 0,
            digest: LogCheckpoint.digest(promotions.map { ($0.sequence, $0.tagName, $0.tagObject ?? $0.target) })
        )
    }

    /// The promotions tagged in `environment` after `checkpoint`, oldest first, each checked
    /// as the whole log checks it (signature against allowed_signers on main, trailers
    /// against main's versions, target in main's history), and the checkpoint that includes
    /// them. Nil when anything else changed since: main was rewritten (its old tip is not on
    /// its first-parent chain), the signers blob changed, a tag of the checkpoint was
    /// removed or re-pointed, or one was added below its last sequence. Then only the whole
    /// log can say which promotions count. `versions` are main's, as the check read them
    /// (empty when nothing was added).
    package static func appended(
        to checkpoint: LogCheckpoint, in environment: String, repository: PromptRepository
    )
        throws -> (promotions: [CheckedPromotion], checkpoint: LogCheckpoint, versions: [String: [PromptVersion]])?
    {
        let git = repository.git
        // Main's versions, needed only when a tag was added, load meanwhile.
        let versions = PromotionLog.CachePrefetch.versions(repository, concurrent: true)
        guard let tip = try? git.resolveCommit(try repository.mainRevision()),
            try git.blobID(of: repository.config.allowedSigners, inCommit: tip) == checkpoint.signersBlob,
            try tip == checkpoint.mainTip || git.isFirstParentAncestor(checkpoint.mainTip, of: tip)
        else { return nil }
        var known: [(sequence: Int, name: String, object: ObjectID)] = []
        var added: [(sequence: Int, name: String, object: ObjectID)] = []
        for reference in try git.references(withPrefix: "refs/tags/\(Promotion.tagPrefix)\(environment)/") {
            let name = String(reference.name.dropFirst("refs/tags/".count))
            // A tag that is not a promotion name is a bad tag: only the whole log reports it.
            guard let (tagEnvironment, sequence) = Promotion.parseName(name) else { return nil }
            guard tagEnvironment == environment else { continue }
            if sequence <= checkpoint.lastSequence {
                known.append((sequence, name, reference.target))
            } else {
                added.append((sequence, name, reference.target))
            }
        }
        guard LogCheckpoint.digest(known) == checkpoint.digest else { return nil }
        guard !added.isEmpty else {
            return ([], LogCheckpoint(mainTip: tip, signersBlob: checkpoint.signersBlob, lastSequence: checkpoint.lastSequence, digest: checkpoint.digest), [:])
        }
        var checker = try PromotionChecker(repository: repository, useCache: true, cachedVersions: versions)
        guard checker.mainTip == tip else { return nil }
        var checked: [CheckedPromotion] = []
        for tag in added.sorted(by: { $0.sequence < $1.sequence }) {
            let promotion = try Promotion(name: tag.name, environment: environment, sequence: tag.sequence, reference: tag.object, git: git)
            checked.append(try checker.check(promotion, signature: checkSignature(promotion, signers: checker.signers)))
        }
        let next = LogCheckpoint(
            mainTip: tip, signersBlob: checkpoint.signersBlob,
            lastSequence: checked.last!.promotion.sequence, digest: LogCheckpoint.digest(known + added))
        return (checked, next, checker.versions ?? [:])
    }
}
