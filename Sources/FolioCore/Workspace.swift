import Foundation
import FolioGit
import FolioModel

/// Every Folio file of a folder tree (the working tree, or a tree read from git),
/// loaded and checked together: cross-file checks need all of them.
package struct Workspace: Sendable {
    package let config: FolioConfig?
    package let prompts: [String: LoadedPrompt]
    package let partials: [String: LoadedPartial]
    package let goldenSets: [LoadedGoldenSet]
    /// Every diagnostic, sorted by path, line and column.
    package let diagnostics: [Diagnostic]

    /// The files of a workspace, by repository-relative path.
    package struct Files: Sendable {
        package var config: String?
        package var prompts: [String: String] = [:]
        package var partials: [String: String] = [:]
        package var goldenSets: [String: String] = [:]
        /// Files that were found but not read: symbolic links, text that is not UTF-8.
        package var problems: [Diagnostic] = []

        package init() {}

        /// Decodes a file's bytes; bytes that are not UTF-8 become a problem and nil.
        mutating func decode(_ data: Data, path: String) -> String? {
            switch UTF8Text.decode(data, path: path) {
            case .success(let text): return text
            case .failure(let problem):
                problems.append(problem)
                return nil
            }
        }

        /// A committed or checked-out symbolic link where Folio reads files: never followed
        /// (it could point anywhere, and lint would echo what it found there).
        mutating func refuseLink(_ path: String) {
            problems.append(
                Diagnostic(
                    path: path, line: 1, column: 1,
                    message: "\(path) is a symbolic link: Folio never follows links in a prompt repository (one could point anywhere); commit the file itself"))
        }
    }

    package init(files: Files) {
        var diagnostics: [Diagnostic] = files.problems
        var config: FolioConfig?
        if let text = files.config {
            let (loaded, problems) = ConfigLoader.load(path: FolioConfig.fileName, text: text)
            config = loaded
            diagnostics += problems
        }
        var partials: [String: LoadedPartial] = [:]
        for (path, text) in files.partials {
            let name = Workspace.stem(path)
            partials[name] = PartialLoader.load(path: path, text: text, expectedName: name)
            diagnostics += partials[name]!.diagnostics
        }
        var prompts: [String: LoadedPrompt] = [:]
        for (path, text) in files.prompts {
            let name = Workspace.stem(path)
            let loaded = PromptLoader.load(path: path, text: text, expectedName: name)
            prompts[name] = loaded
            diagnostics += loaded.diagnostics + TemplateChecks.check(loaded, partials: partials)
        }
        if files.config != nil {
            diagnostics += Self.unknownProviders(prompts.values, config: config)
        }
        let decoded = prompts.mapValues { $0.prompt }
        let goldenSets = files.goldenSets.sorted { $0.key < $1.key }.map { path, text in
            GoldenSetLoader.load(path: path, text: text, prompts: decoded)
        }
        diagnostics += goldenSets.flatMap(\.diagnostics)
        self.config = config
        self.prompts = prompts
        self.partials = partials
        self.goldenSets = goldenSets
        self.diagnostics = diagnostics.sorted { ($0.path, $0.line, $0.column) < ($1.path, $1.line, $1.column) }
    }

    /// A prompt's `model.provider` must name a provider of folio.yaml or a built-in kind
    /// (`openai`, `anthropic`, `replay`, `command`); otherwise only `eval` would find out.
    static func unknownProviders(_ prompts: some Sequence<LoadedPrompt>, config: FolioConfig?) -> [Diagnostic] {
        let configured = (config?.providers.keys).map { Array($0).sorted() } ?? []
        let kinds = ProviderConfig.Kind.allCases.map(\.rawValue)
        return prompts.compactMap { loaded in
            guard let provider = loaded.prompt?.model?.provider, !configured.contains(provider), !kinds.contains(provider) else { return nil }
            let position = loaded.providerPosition ?? FilePosition(line: 1, column: 1)
            let listed = configured.isEmpty ? "folio.yaml has no providers" : "folio.yaml has \(configured.joined(separator: ", "))"
            return Diagnostic(
                path: loaded.path, line: position.line, column: position.column, severity: .error,
                message: "model.provider '\(provider)' is not a provider: \(listed), and the built-in kinds are \(kinds.joined(separator: ", "))"
                    + Suggestion.didYouMean(provider, among: configured + kinds))
        }
    }

    /// The partial sources by name, for rendering.
    package var partialSources: [String: String] {
        partials.compactMapValues { $0.partial?.content }
    }

    /// `prompts/x.yaml` → `x`.
    package static func stem(_ path: String) -> String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        return file.hasSuffix(".yaml") ? String(file.dropLast(5)) : file
    }
}

// MARK: - Reading the working tree

extension Workspace.Files {
    /// The Folio files under `root`: `folio.yaml`, `prompts/*.yaml`,
    /// `prompts/partials/*.yaml` and `goldensets/**/*.yaml`.
    package static func workingTree(at root: URL) throws -> Workspace.Files {
        var files = Workspace.Files()
        let manager = FileManager.default
        func read(_ relative: String) throws -> String? {
            let path = root.appendingPathComponent(relative).path
            var info = stat()
            if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK {
                files.refuseLink(relative)
                return nil
            }
            guard let data = manager.contents(atPath: path) else {
                throw FolioError(.configuration, "cannot read \(relative)", hint: "check that the file is readable")
            }
            return files.decode(data, path: relative)
        }
        if manager.fileExists(atPath: root.appendingPathComponent(FolioConfig.fileName).path) {
            files.config = try read(FolioConfig.fileName)
        }
        for folder in ["prompts", "prompts/partials", "goldensets"] where isLink(root.appendingPathComponent(folder).path) {
            files.refuseLink(folder)
        }
        if !isLink(root.appendingPathComponent("prompts").path) {
            for name in yamlFiles(in: root.appendingPathComponent("prompts")) {
                files.prompts["prompts/\(name)"] = try read("prompts/\(name)")
            }
            if !isLink(root.appendingPathComponent("prompts/partials").path) {
                for name in yamlFiles(in: root.appendingPathComponent("prompts/partials")) {
                    files.partials["prompts/partials/\(name)"] = try read("prompts/partials/\(name)")
                }
            }
        }
        // Golden sets nest in folders; a linked folder is refused like a linked file.
        var folders = isLink(root.appendingPathComponent("goldensets").path) ? [] : ["goldensets"]
        while let folder = folders.popLast() {
            let names = (try? manager.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? []
            for name in names.sorted() where !name.hasPrefix(".") {
                let relative = "\(folder)/\(name)"
                var info = stat()
                guard lstat(root.appendingPathComponent(relative).path, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: folders.append(relative)
                case S_IFLNK: files.refuseLink(relative)
                case S_IFREG where name.hasSuffix(".yaml"): files.goldenSets[relative] = try read(relative)
                default: break
                }
            }
        }
        return files
    }

    private static func isLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    private static func yamlFiles(in folder: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") && !$0.hasPrefix(".") }.sorted()
    }
}

// MARK: - Reading a commit

extension Workspace.Files {
    /// The Folio files as they are in the commit `revision` names.
    package static func at(_ revision: String, in git: Repository) throws -> Workspace.Files {
        var files = Workspace.Files()
        func read(_ path: String) throws -> String? { files.decode(try git.readFile(path, at: revision), path: path) }
        func list(_ folder: String) throws -> [TreeEntry] {
            do {
                return try git.listFolder(folder, at: revision)
            } catch let error as GitError where error.kind == .pathNotFound {
                return []
            }
        }
        if try list("").contains(where: { $0.name == FolioConfig.fileName }) { files.config = try read(FolioConfig.fileName) }
        for entry in try list("prompts") where entry.name.hasSuffix(".yaml") {
            if entry.kind == .symlink { files.refuseLink("prompts/\(entry.name)") }
            guard entry.kind == .file || entry.kind == .executable else { continue }
            files.prompts["prompts/\(entry.name)"] = try read("prompts/\(entry.name)")
        }
        for entry in try list("prompts/partials") where entry.name.hasSuffix(".yaml") {
            if entry.kind == .symlink { files.refuseLink("prompts/partials/\(entry.name)") }
            guard entry.kind == .file || entry.kind == .executable else { continue }
            files.partials["prompts/partials/\(entry.name)"] = try read("prompts/partials/\(entry.name)")
        }
        var folders = ["goldensets"]
        while let folder = folders.popLast() {
            for entry in try list(folder) {
                let path = "\(folder)/\(entry.name)"
                if entry.kind == .folder {
                    folders.append(path)
                } else if entry.name.hasSuffix(".yaml") {
                    if entry.kind == .symlink { files.refuseLink(path) } else if entry.kind != .submodule { files.goldenSets[path] = try read(path) }
                }
            }
        }
        return files
    }
}
