import Foundation
import FolioGit

/// Version N of a prompt: the N-th distinct content of its file along the first-parent
/// history of the main branch. Its identity is the blob id.
package struct PromptVersion: Sendable, Equatable {
    package let number: Int
    package let blob: ObjectID
    /// The first commit on main with this content.
    package let commit: ObjectID
    package let author: String
    package let authorEmail: String
    package let date: Date
    package let subject: String

    package var label: String { "v\(number)" }
}

extension PromptRepository {
    /// Every version of a prompt, oldest first. A deleted and re-added prompt keeps
    /// counting; content identical to an earlier version is that version again.
    package func versions(of name: String) throws -> [PromptVersion] {
        Self.number(try git.firstParentChanges(of: Self.promptPath(name), from: try mainRevision()))
    }

    /// The versions of every prompt on main, from one walk of the history (remembered in
    /// `<git dir>/folio/prompt-versions` for the commit it was walked from: commits never
    /// change, so the same tip always has the same versions).
    package func allVersions() throws -> [String: [PromptVersion]] {
        try allVersions(cached: nil)
    }

    static func versionsCache(gitDirectory: String) -> CacheFile {
        CacheFile(gitDirectory: gitDirectory, name: "prompt-versions", format: 2)
    }

    /// One version of one prompt on main, as walked from `tip`.
    struct VersionRecord: Codable, Sendable {
        var tip: ObjectID
        var name: String
        var number: Int
        var blob: ObjectID
        var commit: ObjectID
        var author: String
        var authorEmail: String
        var seconds: Int64
        var subject: String

        init(tip: ObjectID, name: String, version: PromptVersion) {
            self.tip = tip
            self.name = name
            number = version.number
            blob = version.blob
            commit = version.commit
            author = version.author
            authorEmail = version.authorEmail
            seconds = Int64(version.date.timeIntervalSince1970)
            subject = version.subject
        }

        var version: PromptVersion {
            PromptVersion(
                number: number, blob: blob, commit: commit, author: author, authorEmail: authorEmail,
                date: Date(timeIntervalSince1970: TimeInterval(seconds)), subject: subject)
        }
    }

    /// `allVersions`, with the cache's records when they were loaded already; without
    /// `useCache` (an audit), the history is walked and nothing is remembered. When main
    /// moved on from the cached tip along its first parents, only the new commits are
    /// walked: a version's number never changes as main grows.
    func allVersions(cached records: [VersionRecord]?, useCache: Bool = true) throws -> [String: [PromptVersion]] {
        let tip = try git.resolveCommit(try mainRevision())
        let cache = Self.versionsCache(gitDirectory: git.gitDirectory)
        let records = useCache ? records ?? cache.load(VersionRecord.self) : []
        if useCache, let known = Self.versions(from: records, tip: tip) { return known }
        let earlier = records.first.map(\.tip).flatMap { old in Self.versions(from: records, tip: old).map { (tip: old, versions: $0) } }
        let walk = try git.firstParentChanges(inFolder: "prompts", from: tip.hex, since: earlier?.tip)
        var result = walk.reached ? earlier?.versions ?? [:] : [:]
        for (file, changes) in walk.changes where file.hasSuffix(".yaml") {
            let name = String(file.dropLast(5))
            result[name] = Self.number(changes, after: result[name] ?? [])
        }
        guard useCache else { return result }
        cache.save(result.keys.sorted().flatMap { name in result[name]!.map { VersionRecord(tip: tip, name: name, version: $0) } })
        return result
    }

    /// The versions a cache file holds, when it was written for `tip`.
    static func versions(from records: [VersionRecord], tip: ObjectID) -> [String: [PromptVersion]]? {
        guard !records.isEmpty, records.allSatisfy({ $0.tip == tip }) else { return nil }
        var result: [String: [PromptVersion]] = [:]
        for record in records { result[record.name, default: []].append(record.version) }
        return result
    }

    /// Numbers the distinct blobs of a file's changes, oldest first, after the versions it
    /// had before them (content identical to an earlier version is that version again).
    static func number(_ changes: [PathChange], after earlier: [PromptVersion] = []) -> [PromptVersion] {
        var numbers: [ObjectID: Int] = [:]
        for version in earlier { numbers[version.blob] = version.number }
        var versions = earlier
        for change in changes {
            guard let blob = change.blob, numbers[blob] == nil else { continue }
            numbers[blob] = versions.count + 1
            versions.append(
                PromptVersion(
                    number: versions.count + 1, blob: blob, commit: change.commit.id,
                    author: change.commit.author.name, authorEmail: change.commit.author.email,
                    date: change.commit.author.date, subject: change.commit.subject
                ))
        }
        return versions
    }

    /// The versions of a prompt, or none while the main branch does not exist yet.
    func versionsIfMainExists(of name: String) throws -> [PromptVersion] {
        do {
            return try versions(of: name)
        } catch let error as FolioError where error.kind == .configuration {
            return []
        }
    }

    /// The versions of a prompt, or a usage error naming the prompt when it has none
    /// and no file in the working tree either.
    package func requireVersions(of name: String) throws -> [PromptVersion] {
        let versions = try versions(of: name)
        if versions.isEmpty, !FileManager.default.fileExists(atPath: root.appendingPathComponent(Self.promptPath(name)).path) {
            throw unknownPrompt(name)
        }
        return versions
    }

    func unknownPrompt(_ name: String) -> FolioError {
        let known = ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("prompts").path)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }
        return FolioError(
            .usage,
            "unknown prompt '\(name)': there is no \(Self.promptPath(name)) on \(config.mainBranch) or in the working tree\(Suggestion.didYouMean(name, among: known))",
            hint: known.isEmpty ? "create it with `folio init` or add prompts/\(name).yaml" : "prompts here: \(known.sorted().joined(separator: ", "))"
        )
    }
}
