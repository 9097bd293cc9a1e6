import FolioProcess
import Foundation
import FolioGit

/// Talking to a remote through the `git` program, so users' credentials and ssh config apply.
extension PromptRepository {
    enum PushOutcome {
        case pushed
        /// The remote already has a tag of that name.
        case taken
    }

    /// Fetches the environment's promotion tags and main, and refuses to promote when the
    /// local main differs from the remote's: the tag would point at a commit the remote lacks
    /// or at a stale tip.
    func syncWithRemote(_ remote: String, environment: String) throws {
        try fetchTags(from: remote, environment: environment)
        let branch = config.mainBranch
        try runGit(["fetch", "--quiet", remote, "refs/heads/\(branch):refs/remotes/\(remote)/\(branch)"], what: "fetching \(branch) from \(remote)")
        guard let local = try git.resolveCommitIfPresent("refs/heads/\(branch)"),
            let upstream = try git.resolveCommitIfPresent("refs/remotes/\(remote)/\(branch)")
        else { return }
        if local != upstream {
            if git.isAncestor(local, of: upstream) {
                throw FolioError(.usage, "your \(branch) is behind \(remote)/\(branch): the promotion would point at an old tip", hint: "run `git pull` on \(branch) first")
            }
            throw FolioError(.usage, "your \(branch) has commits that \(remote)/\(branch) does not", hint: "push \(branch) (or reset it to \(remote)/\(branch)) before promoting")
        }
    }

    /// Fetches `refs/tags/folio/<env>/*` without ever overwriting a local tag.
    func fetchTags(from remote: String, environment: String) throws {
        let spec = "refs/tags/folio/\(environment)/*:refs/tags/folio/\(environment)/*"
        try runGit(["fetch", "--quiet", "--no-tags", remote, spec], what: "fetching \(environment) promotions from \(remote)")
    }

    /// Pushes one tag; a tag of the same name already on the remote is `.taken`.
    func pushTag(_ tagName: String, to remote: String) throws -> PushOutcome {
        let ref = "refs/tags/\(tagName)"
        let result = try ExternalProgram("git", ["push", "--atomic", "--porcelain", remote, "\(ref):\(ref)"], in: root).run()
        if result.status == 0 { return .pushed }
        let output = String(decoding: result.output + result.error, as: UTF8.self)
        if output.contains("already exists") || output.contains("[rejected]") || output.contains("(fetch first)") {
            return .taken
        }
        try? git.deleteTagReference(tagName)
        throw FolioError(
            .usage, "pushing \(tagName) to \(remote) failed; the local tag was removed so nothing is half-done:\n\(output.trimmingCharacters(in: .whitespacesAndNewlines))",
            hint: "check that `git push \(remote)` works, then promote again")
    }

    private func runGit(_ arguments: [String], what: String) throws {
        let result = try ExternalProgram("git", arguments, in: root).run()
        guard result.status == 0 else {
            throw FolioError(
                .usage, "\(what) failed: \(String(decoding: result.error, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))",
                hint: "check the remote's name with `git remote -v`")
        }
    }
}
