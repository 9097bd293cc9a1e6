import FolioCore
import FolioGit
import FolioModel
import Foundation

/// What `folio check` evaluates: the prompts a change touches (directly, through a
/// partial, or through one of their golden sets), each with its head golden sets, on
/// the base version (when the prompt existed there) and the head version.
package struct CheckPlan: Sendable {
    package struct Item: Sendable {
        package let prompt: String
        /// Nil for a prompt the change adds: only the head runs.
        package let base: ResolvedPrompt?
        package let head: ResolvedPrompt
        package let goldenSets: [(path: String, set: GoldenSet)]
        /// Why the prompt is in the plan (`prompts/x.yaml modified`, …).
        package let reasons: [String]
    }

    package let baseCommit: ObjectID
    package let headCommit: ObjectID
    package var items: [Item]
    /// Changed prompts that are not evaluated, and why (deleted, no golden set).
    package var notes: [String]
    /// The providers of `folio.yaml` at the base and at the head commit.
    package var baseProviders: [String: ProviderConfig]
    package var headProviders: [String: ProviderConfig]

    /// The providers a check may call. They come from the base revision: the head is the
    /// change under review, and a branch that could point `base_url` at its own server, or
    /// `api_key_env` at another secret, would be handed CI's keys. With `trustingHead`, the
    /// head's are used. Throws when the head changes how a provider is reached and the head
    /// is not trusted.
    package func providers(trustingHead: Bool) throws -> (providers: [String: ProviderConfig], note: String?) {
        let changed = ProviderTrust.changes(base: baseProviders, head: headProviders)
        guard !changed.isEmpty else { return (baseProviders, nil) }
        let names = changed.map { "'\($0)'" }.joined(separator: ", ")
        guard trustingHead else {
            throw FolioError(
                .configuration,
                "this change adds or alters provider \(names) in folio.yaml (kind, base_url, api_key_env, headers, command or path); folio check takes providers from the base revision, so that a branch cannot send CI's API keys to a server it chooses",
                hint: "review the change to folio.yaml; if you trust it, run again with --trust-head-providers")
        }
        return (headProviders, "evaluated with the head revision's provider configuration (--trust-head-providers): it changes \(names)")
    }
}

/// Which providers a change adds or reaches differently.
package enum ProviderTrust {
    /// The providers of `head` that `base` lacks or reaches differently: another kind,
    /// endpoint, key variable, headers, command or recordings folder. (Model, concurrency
    /// and timeouts send nothing anywhere new.)
    package static func changes(base: [String: ProviderConfig], head: [String: ProviderConfig]) -> [String] {
        head.keys.sorted().filter { name in
            guard let before = base[name], let after = head[name] else { return true }
            return before.kind != after.kind || before.baseURL != after.baseURL || before.apiKeyEnv != after.apiKeyEnv
                || before.headers != after.headers || before.command != after.command || before.path != after.path
        }
    }
}

package enum CheckPlanner {
    package static func plan(_ repository: PromptRepository, base: String, head: String) throws -> CheckPlan {
        let git = repository.git
        let headCommit = try git.resolveCommit(head)
        // Like a pull request: compare with where the branch left base, not base's tip.
        let baseCommit = try git.mergeBase(base, head) ?? git.resolveCommit(base)
        let changes = try git.changedPaths(from: baseCommit.hex, to: headCommit.hex)
        let headFiles = Workspace(files: try .at(headCommit.hex, in: git))
        let baseFiles = Workspace(files: try .at(baseCommit.hex, in: git))
        var reasons: [String: [String]] = [:]
        var notes: [String] = []
        for change in changes {
            let path = change.newPath
            if path.hasPrefix("prompts/partials/"), path.hasSuffix(".yaml") {
                let partial = Workspace.stem(path)
                for (name, loaded) in headFiles.prompts where loaded.text.contains("{{> \(partial)") || loaded.text.contains("{{>\(partial)") {
                    reasons[name, default: []].append("its partial \(path) is \(change.status)")
                }
            } else if path.hasPrefix("prompts/"), path.hasSuffix(".yaml") {
                let name = Workspace.stem(path)
                if change.status == .deleted {
                    notes.append("prompt '\(name)' is deleted: nothing to evaluate")
                } else {
                    reasons[name, default: []].append("\(path) is \(change.status)")
                }
            } else if path.hasPrefix("goldensets/"), path.hasSuffix(".yaml"), change.status != .deleted {
                let loaded = headFiles.goldenSets.first { $0.path == path }
                let name = loaded?.goldenSet?.prompt ?? path.split(separator: "/").dropFirst().first.map(String.init) ?? ""
                reasons[name, default: []].append("its golden set \(path) is \(change.status)")
            }
        }
        var items: [CheckPlan.Item] = []
        for name in reasons.keys.sorted() {
            guard headFiles.prompts[name] != nil else {
                notes.append("golden sets changed for '\(name)', which has no prompt file at \(headCommit.short)")
                continue
            }
            let sets = try EvalSetup.goldenSets(of: name, in: headFiles)
            guard !sets.isEmpty else {
                notes.append("prompt '\(name)' has no golden set under goldensets/\(name)/: nothing to evaluate (add one with `folio goldenset add`)")
                continue
            }
            let head = try repository.resolve(PromptReference(name: name, selector: .revision(headCommit.hex)))
            let base = baseFiles.prompts[name] == nil ? nil : try repository.resolve(PromptReference(name: name, selector: .revision(baseCommit.hex)))
            items.append(CheckPlan.Item(prompt: name, base: base, head: head, goldenSets: sets, reasons: reasons[name]!))
        }
        return CheckPlan(
            baseCommit: baseCommit, headCommit: headCommit, items: items, notes: notes,
            baseProviders: baseFiles.config?.providers ?? [:], headProviders: headFiles.config?.providers ?? [:])
    }
}
