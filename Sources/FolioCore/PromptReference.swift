import Foundation
import FolioGit
import FolioModel
import FolioTemplate

/// `name`, `name@N` (version N), `name@draft` (the working tree) or `name@<commit-ish>`.
package struct PromptReference: Sendable, Equatable, CustomStringConvertible {
    package enum Selector: Sendable, Equatable {
        /// The working tree's file (what you are editing).
        case workingTree
        case version(Int)
        case revision(String)
    }

    package let name: String
    package let selector: Selector
    /// True when written as `name@draft` rather than a bare name.
    package let isExplicitDraft: Bool

    package init(name: String, selector: Selector) {
        self.name = name
        self.selector = selector
        isExplicitDraft = false
    }

    /// Parses `name[@ref]`; a bare number (or `vN`) is a version, `draft` the working tree,
    /// anything else a git revision.
    package init(parsing text: String) throws {
        let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        name = parts[0]
        guard Names.isValidName(name) else {
            throw FolioError(.usage, "'\(name)' is not a prompt name: names use lowercase letters, digits, '_' and '-'", hint: "write <name>[@<version>|@draft|@<commit>]")
        }
        guard parts.count == 2 else {
            selector = .workingTree
            isExplicitDraft = false
            return
        }
        let ref = parts[1]
        isExplicitDraft = ref == "draft"
        let digits = ref.hasPrefix("v") ? String(ref.dropFirst()) : ref
        if ref.isEmpty {
            throw FolioError(.usage, "'\(text)' has nothing after '@'", hint: "write \(name)@<version>, \(name)@draft or \(name)@<commit>")
        } else if ref == "draft" {
            selector = .workingTree
        } else if let number = Int(digits), !digits.isEmpty, digits.allSatisfy(\.isNumber) {
            selector = .version(number)
        } else {
            selector = .revision(ref)
        }
    }

    package var description: String {
        switch selector {
        case .workingTree: return "\(name)@draft"
        case .version(let number): return "\(name)@\(number)"
        case .revision(let revision): return "\(name)@\(revision)"
        }
    }
}

/// A prompt's content at a version, revision or the working tree, ready to render.
package struct ResolvedPrompt: Sendable {
    package let name: String
    /// `v2`, `draft`, or `draft@a1b2c3d` for content at a commit that is no version.
    package let label: String
    /// The version whose blob this content is, if any.
    package let version: PromptVersion?
    package let blob: ObjectID?
    package let loaded: LoadedPrompt
    package let partials: [String: String]

    /// The prompt, parsed for rendering; throws the file's diagnostics if it has errors.
    package func compiled() throws -> CompiledPrompt {
        guard let prompt = loaded.prompt else {
            let errors = loaded.diagnostics.filter { $0.severity == .error }.map(\.description)
            throw FolioError(.invalidContent, "prompt '\(name)' \(label) has errors:\n" + errors.joined(separator: "\n"), hint: "run `folio lint` and fix them")
        }
        return try CompiledPrompt(prompt, version: label, partials: partials)
    }
}

extension PromptRepository {
    /// Finds the content a reference names.
    package func resolve(_ reference: PromptReference) throws -> ResolvedPrompt {
        let name = reference.name
        let path = Self.promptPath(name)
        let versions = try versionsIfMainExists(of: name)
        switch reference.selector {
        case .workingTree:
            guard let blob = try git.workingFileBlobID(path) else {
                guard let latest = versions.last else { throw unknownPrompt(name) }
                return try resolved(name, blob: latest.blob, versions: versions, partialsAt: try mainRevision())
            }
            let text = try UTF8Text.decodeOrThrow(try git.readWorkingFile(path), path: path)
            return make(name, text: text, blob: blob, versions: versions, draftLabel: "draft", partials: try workingTreePartials())
        case .version(let number):
            guard !versions.isEmpty else {
                throw FolioError(.usage, "prompt '\(name)' has no versions on \(config.mainBranch) yet", hint: "commit \(path) to \(config.mainBranch), or render the draft with \(name)@draft")
            }
            guard let version = versions.first(where: { $0.number == number }) else {
                throw FolioError(.usage, "prompt '\(name)' has no version \(number): it has versions 1–\(versions.count)", hint: "list them with `folio versions \(name)`")
            }
            return try resolved(name, blob: version.blob, versions: versions, partialsAt: try mainRevision())
        case .revision(let revision):
            let commit = try git.resolveCommit(revision)
            guard let blob = try git.blobID(of: path, inCommit: commit) else {
                throw FolioError(.usage, "prompt '\(name)' does not exist at \(revision) (\(commit.short)): there is no \(path) there")
            }
            let text = try UTF8Text.decodeOrThrow(try git.readBlob(blob), path: path)
            return make(name, text: text, blob: blob, versions: versions, draftLabel: "draft@\(commit.short)", partials: try partials(at: commit.hex))
        }
    }

    private func resolved(_ name: String, blob: ObjectID, versions: [PromptVersion], partialsAt revision: String) throws -> ResolvedPrompt {
        let text = try UTF8Text.decodeOrThrow(try git.readBlob(blob), path: Self.promptPath(name))
        return make(name, text: text, blob: blob, versions: versions, draftLabel: "draft", partials: try partials(at: revision))
    }

    private func make(_ name: String, text: String, blob: ObjectID, versions: [PromptVersion], draftLabel: String, partials: [String: String]) -> ResolvedPrompt {
        let version = versions.first { $0.blob == blob }
        return ResolvedPrompt(
            name: name, label: version?.label ?? draftLabel, version: version, blob: blob,
            loaded: PromptLoader.load(path: Self.promptPath(name), text: text, expectedName: name),
            partials: partials
        )
    }

    /// The partial sources in the working tree.
    package func workingTreePartials() throws -> [String: String] {
        var files = Workspace.Files()
        files.partials = try Workspace.Files.workingTree(at: root).partials
        return Workspace(files: files).partialSources
    }

    /// The partial sources at a revision.
    package func partials(at revision: String) throws -> [String: String] {
        var files = Workspace.Files()
        files.partials = try partialFiles(at: revision)
        return Workspace(files: files).partialSources
    }

    /// The partial files at a revision as they are, those with errors too (path → text).
    package func partialFiles(at revision: String) throws -> [String: String] {
        let entries: [TreeEntry]
        do {
            entries = try git.listFolder("prompts/partials", at: revision)
        } catch let error as GitError where error.kind == .pathNotFound {
            return [:]
        }
        var files: [String: String] = [:]
        for entry in entries where entry.kind == .file && entry.name.hasSuffix(".yaml") {
            let path = "prompts/partials/\(entry.name)"
            files[path] = try UTF8Text.decodeOrThrow(try git.readBlob(entry.id), path: path)
        }
        return files
    }

    /// The lint errors that keep a prompt's text from being promoted or published: its own,
    /// and those of the partials it includes (reported on the prompt, naming the partial).
    package static func publishProblems(name: String, text: String, partialFiles: [String: String]) -> [Diagnostic] {
        var files = Workspace.Files()
        files.prompts[promptPath(name)] = text
        files.partials = partialFiles
        return Workspace(files: files).diagnostics.filter { $0.severity == .error && $0.path == promptPath(name) }
    }
}
