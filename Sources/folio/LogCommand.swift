import ArgumentParser
import Foundation
import FolioCore

struct LogCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Show the promotion history, newest first, with each tag's signature status.",
        discussion: """
            Signature status: good by <principal>, bad, unknown key, or unsigned; the allowed
            signers are read from the tip of the main branch.

            Examples:
              folio log
              folio log --env production --prompt support_ticket_triage --format json
            """
    )

    @Option(name: .customLong("env"), help: "Only this environment.")
    var environment: String?

    @Option(help: "Only promotions of this prompt.")
    var prompt: String?

    @Option(help: "text or json.")
    var format: OutputFormat = .text

    @OptionGroup var repository: RepositoryOptions

    struct Entry: Encodable {
        let tag: String
        let environment: String
        let sequence: Int
        let commit: String
        let tagger: String?
        let email: String?
        let date: Date?
        let subject: String
        let note: String
        let prompts: [TrailerEntry]
        let signature: String
        let signatureDetail: String
        let valid: Bool
        let problems: [String]

        enum CodingKeys: String, CodingKey {
            case tag, environment, sequence, commit, tagger, email, date, subject, note, prompts, signature, valid, problems
            case signatureDetail = "signature_detail"
        }
    }

    func run(in env: CommandEnvironment) throws {
        let repo = try repository.open(env)
        if let environment { try repo.requireEnvironment(environment) }
        let log = try PromotionLog(repository: repo)
        let shown = log.promotions.reversed().filter { checked in
            (environment == nil || checked.promotion.environment == environment)
                && (prompt == nil || checked.promotion.trailers.contains { $0.prompt == prompt })
        }.sorted { ($0.promotion.tagger?.date ?? .distantPast, $0.promotion.sequence) > ($1.promotion.tagger?.date ?? .distantPast, $1.promotion.sequence) }
        switch format {
        case .json:
            try env.printJSON(
                shown.map { checked in
                    let promotion = checked.promotion
                    return Entry(
                        tag: promotion.tagName, environment: promotion.environment, sequence: promotion.sequence, commit: promotion.target.hex,
                        tagger: promotion.tagger?.name, email: promotion.tagger?.email, date: promotion.tagger?.date,
                        subject: promotion.subject, note: promotion.note,
                        prompts: promotion.trailers.map(TrailerEntry.init),
                        signature: checked.signature.kind, signatureDetail: checked.signature.description, valid: checked.isValid, problems: checked.problems
                    )
                })
        case .text:
            if shown.isEmpty { env.note("no promotions yet") }
            for (index, checked) in shown.enumerated() {
                let promotion = checked.promotion
                if index > 0 { env.print("") }
                let who = promotion.tagger.map { Terminal.escaped("\($0.name) <\($0.email)>") } ?? "-"
                let when = promotion.tagger.map { Dates.day($0.date) } ?? "-"
                env.print("\(promotion.tagName)  \(when)  \(who)  signature: \(checked.signature)")
                for trailer in promotion.trailers {
                    env.print("    \(Terminal.escaped(trailer.prompt)) v\(trailer.version)" + (trailer.replaces.map { " (replaces v\($0))" } ?? " (first promotion)"))
                }
                if !promotion.note.isEmpty {
                    for line in promotion.note.split(separator: "\n", omittingEmptySubsequences: false) { env.print("    \(Terminal.escaped(String(line)))") }
                }
                for problem in checked.problems { env.print("    ! \(Terminal.escaped(problem))") }
            }
        }
    }
}

struct VerifyCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify every promotion tag: signature, allowed signer, trailers and target.",
        discussion: """
            Exits 1 naming each bad tag and why: bad signature, signer not allowed, key not yet
            valid or expired, a trailer's blob id that is not that version's blob on main, a
            malformed trailer, or a tag that does not point into main's history.

            Examples:
              folio verify
              folio verify --env production
            """
    )

    @Option(name: .customLong("env"), help: "Only this environment.")
    var environment: String?

    @OptionGroup var repository: RepositoryOptions

    func run(in env: CommandEnvironment) throws {
        let repo = try repository.open(env)
        if let environment { try repo.requireEnvironment(environment) }
        // An audit checks every signature itself, never from the verified-tags shortcut.
        let log = try PromotionLog(repository: repo, cachedVerification: false)
        for problem in log.signerProblems { env.note("warning: \(Terminal.escaped(problem))") }
        let checked = log.promotions.filter { environment == nil || $0.promotion.environment == environment }
        var bad = 0
        let invalid = environment.map { log.invalidNames(in: $0) } ?? log.invalidNames
        for (tag, reason) in invalid {
            bad += 1
            env.print("BAD  \(Terminal.escaped(tag)): \(reason)")
        }
        for promotion in checked {
            if promotion.isValid {
                env.print("ok   \(promotion.promotion.tagName): \(promotion.signature)")
            } else {
                bad += 1
                env.print("BAD  \(promotion.promotion.tagName): \(Terminal.escaped(promotion.problems.joined(separator: "; ")))")
            }
        }
        env.note(bad == 0 ? "\(checked.count) promotion(s) verified" : "\(bad) of \(checked.count + invalid.count) promotion(s) failed verification")
        if bad > 0 { throw ExitCode(1) }
    }
}
