import ArgumentParser
import Foundation
import FolioCore
import FolioGit

/// A promotion trailer as the JSON of promote and log print it.
struct TrailerEntry: Encodable {
    let name: String
    let version: Int
    let blob: String
    let replaces: Int?

    init(_ trailer: PromotionTrailer) {
        name = trailer.prompt
        version = trailer.version
        blob = trailer.blob.hex
        replaces = trailer.replaces
    }
}

/// Options shared by promote and rollback.
struct PromotionOptions: ParsableArguments {
    @Option(name: .customLong("env"), help: "The environment (one of folio.yaml's environments).")
    var environment: String

    @Option(help: "Why: recorded in the tag message and shown by `folio log`.")
    var note: String

    @Option(name: .customLong("push"), help: ArgumentHelp("Push the tag to this remote (`--push` alone: origin) with the git program.", valueName: "remote"))
    var remote: String?

    @Option(name: .customLong("signing-key"), help: "An OpenSSH private key (overrides FOLIO_SIGNING_KEY and git's user.signingkey).")
    var signingKey: String?

    @Option(help: "text or json.")
    var format: OutputFormat = .text

    @Flag(help: "Create the tag even when the signing key is not in allowed_signers on main (it will not verify until it is).")
    var force = false

    struct Output: Encodable {
        let schema = "folio/promotion@1"
        let tag: String
        let environment: String
        let sequence: Int
        let commit: String
        let prompts: [TrailerEntry]
        let pushedTo: String?

        enum CodingKeys: String, CodingKey {
            case schema, tag, environment, sequence, commit, prompts
            case pushedTo = "pushed_to"
        }
    }

    func report(_ result: PromotionResult, signer: TagSigner, _ env: CommandEnvironment) throws {
        switch format {
        case .json:
            try env.printJSON(
                Output(
                    tag: result.tagName, environment: environment, sequence: result.sequence, commit: result.target.hex,
                    prompts: result.trailers.map(TrailerEntry.init),
                    pushedTo: result.pushedTo
                ))
        case .text:
            for trailer in result.trailers {
                let replaced = trailer.replaces.map { " (replaces v\($0))" } ?? " (first promotion)"
                env.print("\(trailer.prompt) v\(trailer.version)\(replaced)")
            }
            env.print("created \(result.tagName) on \(result.target.short), signed with \(signer.description)")
            if let remote = result.pushedTo { env.print("pushed \(result.tagName) to \(remote)") }
            if result.retries > 0 { env.note("(\(result.retries) sequence number(s) were taken by concurrent promotions)") }
        }
    }
}

struct PromoteCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Promote prompt versions to an environment as one signed git tag folio/<env>/<seq>.",
        discussion: """
            The tag points at the tip of the main branch and carries one trailer per prompt:
              Folio-Prompt: <name>@<version> blob=<blob id> replaces=<version>
            A bare name promotes the latest version on main. Prompts promoted together switch
            together. The signing key comes from --signing-key, FOLIO_SIGNING_KEY, or git config
            (user.signingkey with gpg.format=ssh, as for `git tag -s`).

            Examples:
              folio promote support_ticket_triage@2 --env production --note "Fix billing misrouting"
              folio promote triage@3 summary@5 --env staging --note "Release 12" --push origin
            """
    )

    @Argument(help: "Prompts as <name>@<version> (or <name> for the latest version).")
    var prompts: [String]

    @OptionGroup var options: PromotionOptions
    @OptionGroup var repository: RepositoryOptions

    func run(in env: CommandEnvironment) throws {
        let repo = try repository.open(env)
        try repo.requireEnvironment(options.environment)
        let signer = try TagSigner.resolve(explicitKey: options.signingKey, git: repo.git, environment: env.variables, in: env.workingDirectory)
        let references = try prompts.map { try PromptReference(parsing: $0) }
        let result = try repo.promote(references, to: options.environment, note: options.note, signer: signer, push: options.remote, force: options.force, variables: env.variables)
        try options.report(result, signer: signer, env)
    }
}

struct RollbackCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Promote again the version that the current one replaced (a new signed tag).",
        discussion: """
            Example:
              folio rollback support_ticket_triage --env production --note "v2 answers in French"
            """
    )

    @Argument(help: "The prompt's name.")
    var prompt: String

    @OptionGroup var options: PromotionOptions
    @OptionGroup var repository: RepositoryOptions

    func run(in env: CommandEnvironment) throws {
        let repo = try repository.open(env)
        try repo.requireEnvironment(options.environment)
        let signer = try TagSigner.resolve(explicitKey: options.signingKey, git: repo.git, environment: env.variables, in: env.workingDirectory)
        let name = try PromptReference(parsing: prompt).name
        let result = try repo.rollback(name, in: options.environment, note: options.note, signer: signer, push: options.remote, force: options.force, variables: env.variables)
        try options.report(result, signer: signer, env)
    }
}
