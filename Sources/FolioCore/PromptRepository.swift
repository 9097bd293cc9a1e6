import Foundation
import FolioGit
import FolioModel

/// A Folio prompt repository: a git repository with a `folio.yaml` at its root.
package final class PromptRepository {
    package let git: Repository
    /// The working tree's root folder.
    package let root: URL
    package let config: FolioConfig

    /// Opens the repository that contains `path` and reads its `folio.yaml`.
    package init(discovering path: String = ".") throws {
        git = try Repository(discovering: path)
        guard let workingDirectory = git.workingDirectory else {
            throw FolioError(.configuration, "\(git.gitDirectory) is a bare repository", hint: "run folio in a clone with a working tree")
        }
        root = URL(fileURLWithPath: workingDirectory)
        let configURL = root.appendingPathComponent(FolioConfig.fileName)
        guard let data = FileManager.default.contents(atPath: configURL.path) else {
            throw FolioError(.configuration, "no folio.yaml in \(root.path): this is not a Folio repository", hint: "run `folio init` to create one")
        }
        let (config, diagnostics) = ConfigLoader.load(path: FolioConfig.fileName, text: try UTF8Text.decodeOrThrow(data, path: FolioConfig.fileName))
        guard let config else {
            throw FolioError(.configuration, "folio.yaml has errors:\n" + diagnostics.filter { $0.severity == .error }.map(\.description).joined(separator: "\n"))
        }
        self.config = config
    }

    /// Loads and checks every Folio file of the working tree.
    package func workingTreeWorkspace() throws -> Workspace {
        Workspace(files: try .workingTree(at: root))
    }

    /// The repository-relative path of a prompt's file.
    package static func promptPath(_ name: String) -> String { "prompts/\(name).yaml" }

    /// The revision of the main branch: the local branch, else `origin/<main>`
    /// (CI checkouts often have only the remote one).
    package func mainRevision() throws -> String {
        let branch = config.mainBranch
        for candidate in ["refs/heads/\(branch)", "refs/remotes/origin/\(branch)"] {
            if try git.resolveCommitIfPresent(candidate) != nil { return candidate }
        }
        throw FolioError(
            .configuration,
            "the main branch '\(branch)' does not exist in \(root.path), so no prompt has a version yet",
            hint: "commit to '\(branch)', or set `main_branch:` in folio.yaml to the branch versions are counted on"
        )
    }
}
