import Foundation
import FolioGit
import FolioSigning

/// What `folio promote` did.
package struct PromotionResult: Sendable {
    package let tagName: String
    package let sequence: Int
    package let trailers: [PromotionTrailer]
    package let target: ObjectID
    /// The remote the tag was pushed to, if any.
    package let pushedTo: String?
    /// How many sequence numbers were taken by someone else first.
    package let retries: Int
}

extension PromptRepository {
    /// How many times a taken sequence number is re-read and retried.
    package static let promotionAttempts = 24

    /// Promotes versions of one or more prompts to an environment as one signed tag
    /// `folio/<environment>/<next sequence>` on the tip of main.
    ///
    /// A bare name promotes the latest version on main. The tag is created with
    /// no-overwrite semantics; a taken sequence is re-read and retried. A signature that
    /// main's allowed_signers would not accept is refused before any tag exists, unless
    /// `force` (such a tag never verifies, so it never counts).
    package func promote(
        _ references: [PromptReference], to environment: String, note: String,
        signer: TagSigner, push remote: String? = nil, subject: String? = nil, now: Date = Date(), force: Bool = false,
        variables: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> PromotionResult {
        try requireEnvironment(environment)
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty else {
            throw FolioError(.usage, "a promotion needs a note saying why", hint: "add --note \"Fix billing/technical misclassification\"")
        }
        let names = references.map(\.name)
        if let duplicate = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw FolioError(.usage, "prompt '\(duplicate)' is named twice: promote one version of each prompt")
        }
        guard !references.isEmpty else { throw FolioError(.usage, "name at least one prompt to promote, as <name>@<version>") }
        if let remote { try syncWithRemote(remote, environment: environment) }
        let mainTip = try git.resolveCommit(try mainRevision())
        let identity = try git.currentIdentity(now: now, environment: variables)
        var retries = 0
        while true {
            let log = try PromotionLog(repository: self)
            if let invalid = log.invalidNames(in: environment).first {
                throw FolioError(
                    .configuration, "tag \(invalid.tag) is not a valid promotion tag: \(invalid.reason)",
                    hint: "find out who made it, then delete it (`git tag -d \(invalid.tag)`, and on the remote)")
            }
            // The sequence follows the log this promotion's `replaces=` were read from. A tag
            // listed now that the log did not see means another promotion landed meanwhile:
            // read the log again rather than number past a promotion it does not know.
            guard try highestLocalSequence(in: environment) <= log.lastSequence(in: environment) else {
                retries += 1
                guard retries < Self.promotionAttempts else { throw takenError(environment, retries) }
                continue
            }
            let sequence = log.lastSequence(in: environment) + 1
            guard sequence <= Promotion.maximumSequence else {
                throw FolioError(.configuration, "\(environment) has used every sequence number (up to \(Promotion.maximumSequence)): folio/\(environment)/\(sequence - 1) is the last one")
            }
            let trailers = try references.map { try trailer(for: $0, in: environment, log: log) }
            let tagName = "folio/\(environment)/\(sequence)"
            let message = Self.message(subject: subject ?? Self.subject(trailers, environment: environment), note: note, trailers: trailers)
            let payload = Data("object \(mainTip.hex)\ntype commit\ntag \(tagName)\ntagger \(identity.gitHeader)\n\n\(message)".utf8)
            let signature = try signer.sign(payload)
            if !force { try requireAllowedSigner(signature, payload: payload, at: now) }
            do {
                try git.createTag(named: tagName, raw: payload + Data(signature.utf8))
            } catch let error as GitError where error.kind == .referenceExists {
                retries += 1
                guard retries < Self.promotionAttempts else { throw takenError(environment, retries) }
                usleep(UInt32.random(in: 1_000...20_000))  // let the other writer finish
                continue
            }
            if let remote {
                switch try pushTag(tagName, to: remote) {
                case .pushed: break
                case .taken:
                    try git.deleteTagReference(tagName)
                    retries += 1
                    guard retries < Self.promotionAttempts else { throw takenError(environment, retries) }
                    try fetchTags(from: remote, environment: environment)
                    continue
                }
            }
            return PromotionResult(tagName: tagName, sequence: sequence, trailers: trailers, target: mainTip, pushedTo: remote, retries: retries)
        }
    }

    /// Promotes the version the current one replaced: the log only grows.
    package func rollback(
        _ prompt: String, in environment: String, note: String, signer: TagSigner, push remote: String? = nil, now: Date = Date(), force: Bool = false,
        variables: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> PromotionResult {
        try requireEnvironment(environment)
        if let remote { try syncWithRemote(remote, environment: environment) }
        let log = try PromotionLog(repository: self)
        guard let current = log.published(prompt, in: environment) else {
            throw FolioError(.usage, "prompt '\(prompt)' has never been promoted to \(environment), so there is nothing to roll back", hint: "see `folio log --env \(environment)`")
        }
        guard let previous = current.replaces else {
            throw FolioError(.usage, "\(prompt) v\(current.version) was the first version promoted to \(environment): there is nothing before it to roll back to")
        }
        return try promote(
            [PromptReference(name: prompt, selector: .version(previous))], to: environment, note: note, signer: signer,
            push: nil, subject: "roll back \(prompt) to v\(previous) in \(environment)", now: now, force: force, variables: variables
        )
        .pushing(remote, repository: self)
    }

    // MARK: - Steps

    package func requireEnvironment(_ environment: String) throws {
        guard config.environments.contains(environment) else {
            throw FolioError(
                .usage, "unknown environment '\(environment)': folio.yaml lists \(config.environments.joined(separator: ", "))\(Suggestion.didYouMean(environment, among: config.environments))",
                hint: "add it to `environments:` in folio.yaml")
        }
    }

    private func trailer(for reference: PromptReference, in environment: String, log: PromotionLog) throws -> PromotionTrailer {
        let versions = try versions(of: reference.name)
        guard let latest = versions.last else {
            throw FolioError(.usage, "prompt '\(reference.name)' has no version on \(config.mainBranch): a draft cannot be promoted", hint: "commit it and merge to \(config.mainBranch) first")
        }
        let version: PromptVersion
        switch reference.selector {
        case .workingTree where !reference.isExplicitDraft:
            version = latest
        case .version(let number):
            guard let found = versions.first(where: { $0.number == number }) else {
                throw FolioError(
                    .usage, "prompt '\(reference.name)' has no version \(number) on \(config.mainBranch): it has versions 1–\(versions.count)",
                    hint: "list them with `folio versions \(reference.name)`")
            }
            version = found
        case .workingTree, .revision:
            guard let found = try resolve(reference).version else {
                throw FolioError(
                    .usage, "\(reference) is a draft, not a version on \(config.mainBranch): a draft cannot be promoted", hint: "merge it to \(config.mainBranch) first, then promote the new version")
            }
            version = found
        }
        try requireLintClean(reference.name, version: version)
        let current = log.published(reference.name, in: environment)
        if current?.version == version.number {
            throw FolioError(
                .usage, "\(reference.name) v\(version.number) is already published in \(environment): nothing to do", hint: "see `folio log --env \(environment) --prompt \(reference.name)`")
        }
        return PromotionTrailer(prompt: reference.name, version: version.number, blob: version.blob, replaces: current?.version)
    }

    private func requireLintClean(_ name: String, version: PromptVersion) throws {
        let text = try UTF8Text.decodeOrThrow(try git.readBlob(version.blob), path: Self.promptPath(name))
        let errors = Self.publishProblems(name: name, text: text, partialFiles: try partialFiles(at: try mainRevision()))
        guard errors.isEmpty else {
            throw FolioError(
                .invalidContent, "\(name) v\(version.number) does not pass lint, so it cannot be promoted:\n" + errors.map(\.description).joined(separator: "\n"),
                hint: "fix it on \(config.mainBranch) and promote the new version")
        }
    }

    /// The check `folio verify` will make of this signature, made before the tag exists:
    /// the key must be in allowed_signers on main, for the `git` namespace, valid now.
    /// OpenPGP signatures are not checked (Folio verifies SSH signatures only).
    private func requireAllowedSigner(_ armored: String, payload: Data, at now: Date) throws {
        guard armored.hasPrefix(SSHSignature.begin) else { return }
        let key = try SSHSignature(armored: armored).publicKey
        let path = config.allowedSigners, main = config.mainBranch
        let mainTip = try git.resolveCommit(try mainRevision())
        let text = try git.blobID(of: path, inCommit: mainTip).map { String(decoding: try git.readBlob($0), as: UTF8.self) }
        let signers = AllowedSigners(text: text ?? "", path: path)
        let line = "<you@example.com> namespaces=\"git,folio-manifest\" \(key.line)"
        let howTo = "commit a line for the key to \(path) on \(main) first (\(line)), or pass --force to create a tag that will not verify"
        guard text != nil else {
            throw FolioError(.usage, "\(path) does not exist on \(main), so no promotion tag can verify: the tag was not created", hint: howTo)
        }
        let entries = signers.entries(for: key, namespace: "git")
        guard !entries.isEmpty else {
            if signers.entries.contains(where: { $0.key == key }) {
                throw FolioError(
                    .usage, "the signing key \(key.fingerprint) is in \(path) on \(main) but not for the 'git' namespace, so the tag would never verify: it was not created",
                    hint: "add git to its namespaces=\"…\" on \(main), or pass --force")
            }
            throw FolioError(.usage, "the signing key \(key.fingerprint) is not in \(path) on \(main), so the tag would never verify: it was not created", hint: howTo)
        }
        guard entries.contains(where: { $0.validityProblem(at: now) == nil }) else {
            throw FolioError(
                .usage, "the signing key \(key.fingerprint) is not valid now in \(path) on \(main) (\(entries[0].validityProblem(at: now) ?? "outside its validity")): the tag was not created",
                hint: "use a key that is valid now, or pass --force")
        }
    }

    private func highestLocalSequence(in environment: String) throws -> Int {
        try git.references(withPrefix: "refs/tags/folio/\(environment)/").compactMap {
            Promotion.parseName(String($0.name.dropFirst("refs/tags/".count)))?.sequence
        }.max() ?? 0
    }

    private func takenError(_ environment: String, _ attempts: Int) -> FolioError {
        FolioError(.usage, "every sequence number tried in \(environment) was taken by another promotion (\(attempts) attempts)", hint: "retry in a moment")
    }

    static func subject(_ trailers: [PromotionTrailer], environment: String) -> String {
        if trailers.count == 1 { return "promote \(trailers[0].prompt) v\(trailers[0].version) to \(environment)" }
        return "promote \(trailers.count) prompts to \(environment): " + trailers.map { "\($0.prompt) v\($0.version)" }.joined(separator: ", ")
    }

    static func message(subject: String, note: String, trailers: [PromotionTrailer]) -> String {
        "\(subject)\n\n\(note)\n\n" + trailers.map(\.line).joined(separator: "\n") + "\n"
    }
}

private extension PromotionResult {
    /// Rollback promotes locally first; pushing reuses promote's push path.
    func pushing(_ remote: String?, repository: PromptRepository) throws -> PromotionResult {
        guard let remote else { return self }
        switch try repository.pushTag(tagName, to: remote) {
        case .pushed:
            return PromotionResult(tagName: tagName, sequence: sequence, trailers: trailers, target: target, pushedTo: remote, retries: retries)
        case .taken:
            try repository.git.deleteTagReference(tagName)
            throw FolioError(.usage, "\(tagName) was taken on \(remote) by another promotion", hint: "run the rollback again")
        }
    }
}
