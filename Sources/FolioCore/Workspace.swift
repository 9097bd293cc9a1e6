import Foundation
import FolioGit
import FolioModel

/// Every Folio file of a folder tree (the working tree, or a tree read from git),
/// loaded and checked together: cross-file checks need all of them.
public struct Workspace: Sendable {
    public let config: FolioConfig?
    public let prompts: [String: LoadedPrompt]
    public let partials: [String: LoadedPartial]
    public let goldenSets: [LoadedGoldenSet]
    /// Every diagnostic, sorted by path, line and column.
    public let diagnostics: [Diagnostic]

    /// The files of a workspace, by repository-relative path.
    public struct Files: Sendable {
        public var config: String?
        public var prompts: [String: String] = [:]
        public var partials: [String: String] = [:]
        public var goldenSets: [String: String] = [:]

        public init() {}
    }

    public init(files: Files) {
        var diagnostics: [Diagnostic] = []
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

    /// The partial sources by name, for rendering.
    public var partialSources: [String: String] {
        partials.compactMapValues { $0.partial?.content }
    }

    /// `prompts/x.yaml` → `x`.
    public static func stem(_ path: String) -> String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        return file.hasSuffix(".yaml") ? String(file.dropLast(5)) : file
    }
}

// MARK: - Reading the working tree

extension Workspace.Files {
    /// The Folio files under `root`: `folio.yaml`, `prompts/*.yaml`,
    /// `prompts/partials/*.yaml` and `goldensets/**/*.yaml`.
    public static func workingTree(at root: URL) throws -> Workspace.Files {
        var files = Workspace.Files()
        let manager = FileManager.default
        func read(_ relative: String) throws -> String {
            let url = root.appendingPathComponent(relative)
            guard let data = manager.contents(atPath: url.path) else {
                throw FolioError(.configuration, "cannot read \(relative)")
            }
            return String(decoding: data, as: UTF8.self)
        }
        if manager.fileExists(atPath: root.appendingPathComponent(FolioConfig.fileName).path) {
            files.config = try read(FolioConfig.fileName)
        }
        for name in yamlFiles(in: root.appendingPathComponent("prompts")) {
            files.prompts["prompts/\(name)"] = try read("prompts/\(name)")
        }
        for name in yamlFiles(in: root.appendingPathComponent("prompts/partials")) {
            files.partials["prompts/partials/\(name)"] = try read("prompts/partials/\(name)")
        }
        let goldenRoot = root.appendingPathComponent("goldensets")
        if let enumerator = manager.enumerator(atPath: goldenRoot.path) {
            for case let relative as String in enumerator where relative.hasSuffix(".yaml") {
                files.goldenSets["goldensets/\(relative)"] = try read("goldensets/\(relative)")
            }
        }
        return files
    }

    private static func yamlFiles(in folder: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") && !$0.hasPrefix(".") }.sorted()
    }
}

// MARK: - Reading a commit

extension Workspace.Files {
    /// The Folio files as they are in the commit `revision` names.
    public static func at(_ revision: String, in git: Repository) throws -> Workspace.Files {
        var files = Workspace.Files()
        func read(_ path: String) throws -> String { String(decoding: try git.readFile(path, at: revision), as: UTF8.self) }
        func list(_ folder: String) throws -> [TreeEntry] {
            do {
                return try git.listFolder(folder, at: revision)
            } catch let error as GitError where error.kind == .pathNotFound {
                return []
            }
        }
        if try list("").contains(where: { $0.name == FolioConfig.fileName }) { files.config = try read(FolioConfig.fileName) }
        for entry in try list("prompts") where entry.kind == .file && entry.name.hasSuffix(".yaml") {
            files.prompts["prompts/\(entry.name)"] = try read("prompts/\(entry.name)")
        }
        for entry in try list("prompts/partials") where entry.kind == .file && entry.name.hasSuffix(".yaml") {
            files.partials["prompts/partials/\(entry.name)"] = try read("prompts/partials/\(entry.name)")
        }
        var folders = ["goldensets"]
        while let folder = folders.popLast() {
            for entry in try list(folder) {
                let path = "\(folder)/\(entry.name)"
                if entry.kind == .folder { folders.append(path) } else if entry.kind == .file, entry.name.hasSuffix(".yaml") { files.goldenSets[path] = try read(path) }
            }
        }
        return files
    }
}
