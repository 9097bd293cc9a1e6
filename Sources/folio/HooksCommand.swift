import ArgumentParser
import FolioCore
import Foundation

struct HooksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hooks",
        abstract: "Install git hooks that run Folio's checks.",
        subcommands: [HooksInstallCommand.self]
    )
}

/// `folio hooks install`: a pre-push hook that runs `folio lint` and
/// `folio check --base @{upstream}`.
struct HooksInstallCommand: FolioSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install a pre-push hook: folio lint, then folio check against the upstream branch.",
        discussion: """
            Writes .git/hooks/pre-push (or into core.hooksPath). A hook Folio did not write is left
            alone unless --force is given. Skip it once with `git push --no-verify`.

            Example:
              folio hooks install
            """
    )

    static let marker = "# installed by `folio hooks install`"

    @Flag(help: "Replace a pre-push hook that Folio did not install.")
    var force = false

    @OptionGroup var repository: RepositoryOptions

    func run(in env: CommandEnvironment) throws {
        let repo = try repository.open(env)
        let hooks: URL
        if let configured = repo.git.configValue("core.hooksPath") {
            hooks = configured.hasPrefix("/") ? URL(fileURLWithPath: configured) : repo.root.appendingPathComponent(configured)
        } else {
            hooks = URL(fileURLWithPath: repo.git.gitDirectory).appendingPathComponent("hooks")
        }
        let hook = hooks.appendingPathComponent("pre-push")
        if let existing = FileManager.default.contents(atPath: hook.path), !String(decoding: existing, as: UTF8.self).contains(Self.marker), !force {
            throw FolioError(.usage, "\(hook.path) already exists and was not installed by Folio", hint: "merge it by hand, or pass --force to replace it")
        }
        try FileManager.default.createDirectory(at: hooks, withIntermediateDirectories: true)
        try AtomicFile.write(Data(Self.script(folio: Self.folioPath()).utf8), to: hook)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook.path)
        env.print("Installed \(hook.path): every `git push` runs `folio lint` and `folio check --base @{upstream}` (skip once with `git push --no-verify`).")
    }

    /// `folio` on PATH if it is there, else this binary's absolute path.
    static func folioPath() -> String {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        return CommandLine.arguments[0].contains("/") ? executable : "folio"
    }

    static func script(folio: String) -> String {
        """
        #!/bin/sh
        \(marker)
        # Blocks a push when a prompt file has errors or a changed prompt regresses on its
        # golden sets. Skip once with `git push --no-verify`.
        FOLIO="${FOLIO:-\(folio)}"
        command -v "$FOLIO" >/dev/null 2>&1 || FOLIO=folio
        "$FOLIO" lint || exit 1
        if git rev-parse --abbrev-ref --symbolic-full-name '@{upstream}' >/dev/null 2>&1; then
          "$FOLIO" check --base '@{upstream}' || exit $?
        else
          echo "folio: this branch has no upstream yet, so there is nothing to compare with; only lint ran" >&2
        fi

        """
    }
}
