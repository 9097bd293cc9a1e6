import Foundation
import FolioGit
import FolioSigning

/// What a promotion's signature says about who made it.
package enum SignatureStatus: Sendable, Equatable, CustomStringConvertible {
    case good(principal: String)
    case bad(String)
    case unknownKey(fingerprint: String)
    case unsigned

    package var description: String {
        switch self {
        case .good(let principal): return "good by \(principal)"
        case .bad(let reason): return "bad: \(reason)"
        case .unknownKey(let fingerprint): return "unknown key \(fingerprint)"
        case .unsigned: return "unsigned"
        }
    }

    /// `good`, `bad`, `unknown-key` or `unsigned`, for JSON.
    package var kind: String {
        switch self {
        case .good: return "good"
        case .bad: return "bad"
        case .unknownKey: return "unknown-key"
        case .unsigned: return "unsigned"
        }
    }
}

/// A promotion and the result of checking it.
package struct CheckedPromotion: Sendable {
    package let promotion: Promotion
    package let signature: SignatureStatus
    /// Every reason the promotion does not count; empty when it is valid.
    package let problems: [String]

    package var isValid: Bool { problems.isEmpty }
}

/// Every promotion tag of the repository, each checked: signature against the allowed
/// signers on the tip of main, trailers against the versions on main, target in main's history.
package struct PromotionLog: Sendable {
    package let promotions: [CheckedPromotion]
    /// Problems of the allowed_signers file itself.
    package let signerProblems: [String]
    /// Tags under `folio/` whose names are not promotion tag names (a sequence out of range,
    /// leading zeros, extra slashes), with why: each one is a bad tag, never ignored.
    package let invalidNames: [(tag: String, reason: String)]
    /// The versions on main of every prompt a promotion names.
    package let versions: [String: [PromptVersion]]
    /// The tip of main the promotions were checked against, and the allowed_signers blob there.
    package let mainTip: ObjectID
    package let signersBlob: ObjectID?
    /// Indexes built once, so queries do not rescan every tag.
    private let byEnvironment: [String: [CheckedPromotion]]
    private let validHistory: [String: [String: [(trailer: PromotionTrailer, promotion: Int)]]]

    /// The promotion cache, kept as long as the log (so that a one-shot process can skip
    /// freeing both, see `ManifestBuilder`).
    private let cache: PromotionCache?

    /// The promotion cache of a repository, loading on the prefetch thread.
    package struct CachePrefetch: Sendable {
        let cache: Prefetch<PromotionCache>
        /// The records of `PromptRepository.versionsCache`.
        let versions: Prefetch<[PromptRepository.VersionRecord]>

        package init(_ repository: PromptRepository) {
            let gitDirectory = repository.git.gitDirectory
            cache = Prefetch { PromotionCache(gitDirectory: gitDirectory) }
            versions = Self.versions(repository)
        }

        /// The records of `PromptRepository.versionsCache`, loading (on the prefetch thread,
        /// or on any when `concurrent`).
        static func versions(_ repository: PromptRepository, concurrent: Bool = false) -> Prefetch<[PromptRepository.VersionRecord]> {
            let versionsCache = PromptRepository.versionsCache(gitDirectory: repository.git.gitDirectory)
            return Prefetch(concurrent: concurrent) { versionsCache.load(PromptRepository.VersionRecord.self) }
        }
    }

    /// - Parameters:
    ///   - cachedVerification: skip reading and the Ed25519 check for tag objects that
    ///     verified before (`PromotionCache`) and walking main's history again for the same
    ///     tip; `folio verify` passes false to check every signature and walk the history.
    ///   - prefetched: the cache, already loading (with `cachedVerification`).
    package init(repository: PromptRepository, cachedVerification: Bool = true, prefetched: CachePrefetch? = nil) throws {
        let git = repository.git
        let prefetched = cachedVerification ? (prefetched ?? CachePrefetch(repository)) : nil
        var checker = try PromotionChecker(repository: repository, useCache: cachedVerification, cachedVersions: prefetched?.versions)
        let signers = checker.signers
        // Read every tag (libgit2 work, one thread; tag objects that verified before come
        // from the cache) and check the signatures in parallel (pure computation).
        let references = try git.references(withPrefix: "refs/tags/\(Promotion.tagPrefix)")
        let cache = prefetched?.cache.value
        self.cache = cache
        var parsed: [Promotion] = []
        // Signatures are checked a batch at a time on the other cores while this thread
        // goes on reading tags: on a first build, reading 10,000 tags and checking their
        // signatures take about as long as each other.
        var batches: [(start: Int, statuses: Prefetch<[SignatureStatus]>)] = []
        var deferred: [Int] = []  // checked at the end, on all cores
        var batchStart = 0
        var invalidNames: [(tag: String, reason: String)] = []
        for reference in references {
            let name = String(reference.name.dropFirst("refs/tags/".count))
            guard let (environment, sequence) = Promotion.parseName(name) else {
                if let reason = Promotion.invalidNameReason(name) { invalidNames.append((name, reason)) }
                continue
            }
            if let known = cache?.promotion(reference.target, name: name, environment: environment, sequence: sequence) {
                parsed.append(known)
            } else {
                parsed.append(try Promotion(name: name, environment: environment, sequence: sequence, reference: reference.target, git: git))
            }
            if parsed.count - batchStart == Self.signatureBatch {
                let batch = Array(parsed[batchStart...])
                // Signatures checked before cost a lookup each: those are left for the end.
                if batch.contains(where: { $0.verifiedKey == nil }) {
                    batches.append((batchStart, Prefetch(concurrent: true) { [signers] in Self.checkSignatures(batch, signers: signers, cache: cache) }))
                } else {
                    deferred += batchStart..<parsed.count
                }
                batchStart = parsed.count
            }
        }
        deferred += batchStart..<parsed.count
        var signatures = [SignatureStatus](repeating: .unsigned, count: parsed.count)
        for (index, status) in zip(deferred, Self.checkSignatures(deferred.map { parsed[$0] }, signers: signers, cache: cache)) {
            signatures[index] = status
        }
        for (start, statuses) in batches {
            for (offset, status) in statuses.value.enumerated() { signatures[start + offset] = status }
        }
        cache?.save()
        let checked = try zip(parsed, signatures).map { try checker.check($0, signature: $1) }
        promotions = checked.sorted { ($0.promotion.environment, $0.promotion.sequence) < ($1.promotion.environment, $1.promotion.sequence) }
        signerProblems = checker.signerProblems
        self.invalidNames = invalidNames
        versions = checker.versions ?? [:]
        mainTip = checker.mainTip
        signersBlob = checker.signersBlob
        var byEnvironment: [String: [CheckedPromotion]] = [:]
        var validHistory: [String: [String: [(trailer: PromotionTrailer, promotion: Int)]]] = [:]
        for checked in promotions {
            let environment = checked.promotion.environment
            byEnvironment[environment, default: []].append(checked)
            guard checked.isValid else { continue }
            let index = byEnvironment[environment]!.count - 1
            for trailer in checked.promotion.trailers {
                validHistory[environment, default: [:]][trailer.prompt, default: []].append((trailer, index))
            }
        }
        self.byEnvironment = byEnvironment
        self.validHistory = validHistory
    }

    /// How many promotions are read before their signatures are handed to other threads.
    static let signatureBatch = 1_000

    /// The signature status of each promotion, checked on all cores.
    static func checkSignatures(_ promotions: [Promotion], signers: AllowedSigners, cache: PromotionCache? = nil) -> [SignatureStatus] {
        concurrentMap(promotions.count) { checkSignature(promotions[$0], signers: signers, cache: cache) }
    }

    static func checkSignature(_ promotion: Promotion, signers: AllowedSigners, cache: PromotionCache? = nil) -> SignatureStatus {
        let publicKey: SSHPublicKey
        if let known = promotion.verifiedKey {
            publicKey = known
        } else {
            guard let armored = promotion.signature, let payload = promotion.payload else { return .unsigned }
            guard armored.hasPrefix(SSHSignature.begin) else {
                return .bad("an OpenPGP signature: Folio verifies SSH signatures (gpg.format=ssh); check this tag with `git tag -v`")
            }
            do {
                let signature = try SSHSignature(armored: armored)
                try signature.verify(payload, namespace: "git")
                publicKey = signature.publicKey
            } catch let error as SigningError {
                return .bad(error.kind == .badSignature ? "bad signature: the tag was changed after it was signed" : error.message)
            } catch {
                return .bad("\(error)")
            }
            cache?.remember(promotion, publicKey)
        }
        let entries = signers.entries(for: publicKey, namespace: "git")
        guard !entries.isEmpty else {
            if signers.entries.contains(where: { $0.key == publicKey }) {
                return .bad("the key \(publicKey.fingerprint) is not allowed to sign in the 'git' namespace")
            }
            return .unknownKey(fingerprint: publicKey.fingerprint)
        }
        let when = promotion.tagger?.date ?? Date.distantPast
        guard let valid = entries.first(where: { $0.validityProblem(at: when) == nil }) else {
            return .bad(entries[0].validityProblem(at: when) ?? "the key is not valid at the tagger time")
        }
        return .good(principal: valid.principalText)
    }

    // MARK: - Queries

    /// The promotions of an environment, oldest first.
    package func promotions(in environment: String) -> [CheckedPromotion] {
        byEnvironment[environment] ?? []
    }

    /// The tags under `folio/<environment>/` that are not promotion tag names.
    package func invalidNames(in environment: String) -> [(tag: String, reason: String)] {
        invalidNames.filter { $0.tag.hasPrefix("\(Promotion.tagPrefix)\(environment)/") }
    }

    /// The highest sequence number taken in an environment (valid or not).
    package func lastSequence(in environment: String) -> Int {
        promotions(in: environment).map(\.promotion.sequence).max() ?? 0
    }

    /// The valid promotion trailers of a prompt in an environment, oldest first.
    package func history(of prompt: String, in environment: String) -> [PromotionTrailer] {
        validHistory[environment]?[prompt]?.map(\.trailer) ?? []
    }

    /// The valid promotion that made the current version of `prompt` current in `environment`.
    package func currentPromotion(of prompt: String, in environment: String) -> CheckedPromotion? {
        guard let last = validHistory[environment]?[prompt]?.last else { return nil }
        return byEnvironment[environment]?[last.promotion]
    }

    /// The version of `prompt` published in `environment`, if any.
    package func published(_ prompt: String, in environment: String) -> PromotionTrailer? {
        validHistory[environment]?[prompt]?.last?.trailer
    }

    /// `published`, `archived` or `draft` for a version in an environment.
    package func status(of prompt: String, version: Int, in environment: String) -> VersionStatus {
        let history = history(of: prompt, in: environment)
        if history.last?.version == version { return .published }
        if history.contains(where: { $0.version == version }) { return .archived }
        return .draft
    }
}

/// The status of a version in an environment.
package enum VersionStatus: String, Sendable, Codable {
    /// The current one.
    case published
    /// Was published, since replaced.
    case archived
    /// Never promoted there.
    case draft
}
