import Foundation
import FolioGit
import FolioSigning

/// Everything a promotion is checked against, read once from the tip of main: the allowed
/// signers, the versions of each prompt, which commits are in main's history. The whole log
/// checks every tag with one; a build checks only the tags added since its last one
/// (`PromotionLog.appended`) with another, and both must come to the same verdict.
struct PromotionChecker {
    let repository: PromptRepository
    let mainTip: ObjectID
    let signers: AllowedSigners
    /// The allowed_signers blob on main (nil when there is none).
    let signersBlob: ObjectID?
    let signerProblems: [String]
    private let cachedVersions: Prefetch<[PromptRepository.VersionRecord]>?
    private let useCache: Bool
    /// The versions on main, read at the first trailer.
    private(set) var versions: [String: [PromptVersion]]?
    private var ancestry: [ObjectID: Bool] = [:]

    init(repository: PromptRepository, useCache: Bool, cachedVersions: Prefetch<[PromptRepository.VersionRecord]>? = nil) throws {
        self.repository = repository
        self.useCache = useCache
        self.cachedVersions = cachedVersions
        let git = repository.git
        mainTip = try git.resolveCommit(try repository.mainRevision())
        let signersPath = repository.config.allowedSigners
        signersBlob = try git.blobID(of: signersPath, inCommit: mainTip)
        if let signersBlob {
            signers = AllowedSigners(text: String(decoding: try git.readBlob(signersBlob), as: UTF8.self), path: signersPath)
            signerProblems = signers.problems.map(\.description)
        } else {
            signers = AllowedSigners(text: "", path: signersPath)
            signerProblems = ["\(signersPath) does not exist on \(repository.config.mainBranch): no signature can be trusted"]
        }
    }

    /// The promotion with every reason it does not count: its signature's, its parse
    /// problems, trailers that name no version on main (or another blob), a target outside
    /// main's history.
    mutating func check(_ promotion: Promotion, signature: SignatureStatus) throws -> CheckedPromotion {
        let mainBranch = repository.config.mainBranch
        var problems = promotion.parseProblems
        switch signature {
        case .good: break
        case .unsigned:
            problems.insert(promotion.tagObject == nil ? "a lightweight tag is not a promotion: promotions are signed annotated tags" : "the tag is not signed", at: 0)
        case .bad(let reason): problems.insert(reason, at: 0)
        case .unknownKey(let fingerprint): problems.insert("signer not allowed: key \(fingerprint) is not in \(repository.config.allowedSigners) on \(mainBranch)", at: 0)
        }
        if promotion.tagObject != nil {
            for trailer in promotion.trailers {
                if versions == nil { versions = try repository.allVersions(cached: cachedVersions?.value, useCache: useCache) }
                let known = versions?[trailer.prompt] ?? []
                guard let version = known.first(where: { $0.number == trailer.version }) else {
                    problems.append("\(trailer.prompt)@\(trailer.version) is not a version on \(mainBranch) (it has \(known.count))")
                    continue
                }
                if version.blob != trailer.blob {
                    problems.append("the trailer's blob id \(trailer.blob.short) is not \(trailer.prompt) v\(trailer.version)'s blob on \(mainBranch) (\(version.blob.short))")
                }
            }
            if ancestry[promotion.target] == nil { ancestry[promotion.target] = repository.git.isAncestor(promotion.target, of: mainTip) }
            if ancestry[promotion.target] == false {
                problems.append("the tag points at \(promotion.target.short), which is not in \(mainBranch)'s history")
            }
        }
        return CheckedPromotion(promotion: promotion, signature: signature, problems: problems)
    }
}
