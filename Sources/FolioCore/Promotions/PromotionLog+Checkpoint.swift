import Foundation
import FolioGit

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
