import FolioEval
import Foundation

/// The model the demo's `folio check` step calls: OpenAI when OPENAI_API_KEY is set,
/// otherwise the small local model `make demo` installs (llama.cpp on loopback, no key).
final class DemoModel {
    private var server: LocalModelServer?
    /// The local model's address, when it runs.
    private(set) var localURL: String?
    private let useOpenAI: Bool
    private let env: CommandEnvironment

    init(_ env: CommandEnvironment) {
        self.env = env
        useOpenAI = !(env.variables["OPENAI_API_KEY"] ?? "").isEmpty
        guard !useOpenAI, let folder = env.variables["FOLIO_LLM_DIR"],
            let launcher = env.variables["FOLIO_LLM_LAUNCHER"]
        else { return }
        let installation = LocalModelServer.Installation(folder: URL(fileURLWithPath: folder), launcher: URL(fileURLWithPath: launcher))
        guard installation.isInstalled else { return }
        do {
            let server = try LocalModelServer(installation)
            self.server = server
            localURL = server.baseURL
        } catch {
            env.note("note: the local model did not start (\(error)); the check step will be skipped")
        }
    }

    /// The OpenAI-compatible base URL the demo's app calls, or nil without a model.
    var appModelURL: String? {
        if useOpenAI { return "https://api.openai.com/v1" }
        return localURL.map { $0 + "/v1" }
    }

    /// folio.yaml text with the local provider added to the scaffold's providers.
    func config(_ base: String) -> String {
        guard let localURL else { return base }
        return base.replacingOccurrences(
            of: "providers:                           # named LLM endpoints; a prompt's model.provider picks one\n",
            with:
                "providers:                           # named LLM endpoints; a prompt's model.provider picks one\n  local: { kind: openai, base_url: \"\(localURL)/v1\", concurrency: 1, timeout: 120 }   # the demo's model on loopback\n"
        )
    }

    /// Runs `folio check` on the branch, or says why it cannot.
    func check(_ shell: DemoShell) throws {
        let status: Int32
        if useOpenAI {
            env.print("   (OPENAI_API_KEY is set: OpenAI's gpt-4o answers.)")
            status = try shell.folio("check", "--base", "main", "--out", "check-report", acceptExitCodes: [0, 1, 3])
        } else if localURL != nil {
            env.print("   (No API key: \(LocalModelServer.Installation.modelName), a 0.5B model, answers from llama.cpp on loopback.)")
            status = try shell.folio("check", "--base", "main", "--provider", "local", "--out", "check-report", acceptExitCodes: [0, 1, 3])
        } else {
            env.print("   (Skipped: no OPENAI_API_KEY and no local model. `make demo` installs one.)")
            return
        }
        switch status {
        case 0: env.print("   No new failures: the fix is safe to merge.")
        case 1:
            env.print(
                """
                   The check caught a new failure (above): on a pull request the job fails and that table is
                   the review comment. A 0.5B model is far weaker than gpt-4o; the demo merges anyway to show
                   the rest of the loop.
                """)
        default: env.print("   The check was inconclusive (above): it could not run every case.")
        }
        env.print("   Every format is in check-report/: report.json, report.md (the PR comment), junit.xml, report.html.")
    }

    func stop() {
        server?.stop()
    }
}
