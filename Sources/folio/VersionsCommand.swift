import ArgumentParser
import Foundation
import FolioCore

struct VersionsCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "versions",
        abstract: "List a prompt's versions: each distinct content of its file on the main branch.",
        discussion: """
            Version N is the N-th distinct content of prompts/<name>.yaml along the first-parent
            history of the main branch (main_branch in folio.yaml). A working-tree file that
            matches no version is shown as the draft. Each environment's column says whether
            the version is published there (the current one), archived (was published,
            since replaced) or draft (never promoted there); only verified promotions count.

            Examples:
              folio versions support_ticket_triage
              folio versions support_ticket_triage --format json
            """
    )

    @Argument(help: "The prompt's name.")
    var name: String

    @Option(help: "text or json.")
    var format: OutputFormat = .text

    @OptionGroup var repository: RepositoryOptions

    struct Entry: Encodable {
        let number: Int
        let blob: String
        let commit: String
        let author: String
        let email: String
        let date: Date
        let subject: String
        /// published, archived or draft, per environment.
        let status: [String: VersionStatus]
    }

    struct Output: Encodable {
        let schema = "folio/versions@1"
        let prompt: String
        let versions: [Entry]
        /// True when the working tree's file matches no version.
        let draft: Bool
    }

    func run(in env: CommandEnvironment) throws {
        let reference = try PromptReference(parsing: name)
        let repo = try repository.open(env)
        let log = try PromotionLog(repository: repo)
        // The log walked every prompt's history if any promotion exists; do not walk again.
        let versions = try log.versions[reference.name] ?? repo.requireVersions(of: reference.name)
        let working = try repo.git.workingFileBlobID(PromptRepository.promptPath(reference.name))
        let hasDraft = working.map { blob in !versions.contains { $0.blob == blob } } ?? false
        let environments = repo.config.environments
        func status(_ version: PromptVersion) -> [String: VersionStatus] {
            Dictionary(uniqueKeysWithValues: environments.map { ($0, log.status(of: reference.name, version: version.number, in: $0)) })
        }
        switch format {
        case .json:
            try env.printJSON(
                Output(
                    prompt: reference.name,
                    versions: versions.map {
                        Entry(number: $0.number, blob: $0.blob.hex, commit: $0.commit.hex, author: $0.author, email: $0.authorEmail, date: $0.date, subject: $0.subject, status: status($0))
                    },
                    draft: hasDraft
                ))
        case .text:
            let blank = environments.map { _ in "-" }
            var rows = [["VERSION"] + environments.map { $0.uppercased() } + ["COMMIT", "AUTHOR", "DATE", "SUBJECT"]]
            rows += versions.reversed().map { version in
                let states = environments.map { log.status(of: reference.name, version: version.number, in: $0).rawValue }
                return [version.label] + states + [version.commit.short, version.author, Dates.day(version.date), version.subject]
            }
            if hasDraft { rows.insert(["draft"] + blank + ["-", "-", "-", "working tree differs from every version"], at: 1) }
            if versions.isEmpty && !hasDraft { rows.append(["-"] + blank + ["-", "-", "-", "no versions on the main branch yet"]) }
            env.print(Terminal.table(rows))
        }
    }
}

enum Dates {
    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }
}
