import Foundation
import FolioGit

/// The files `folio init` writes into a new prompt repository.
package enum Scaffold {
    package static let config = """
        schema: folio/config@1
        main_branch: main                    # versions are counted on its first-parent history
        environments: [staging, production]  # promotion targets, in order
        allowed_signers: .folio/allowed_signers
        providers:                           # named LLM endpoints; a prompt's model.provider picks one
          openai: { kind: openai, base_url: https://api.openai.com/v1, api_key_env: OPENAI_API_KEY }
          anthropic: { kind: anthropic, api_key_env: ANTHROPIC_API_KEY }
          replay: { kind: replay, path: .folio/recordings }   # answers saved by `folio check --record`, for runs without keys
        judge: { provider: openai, model: gpt-4o-mini }   # for llm-rubric assertions
        prices:                              # USD per million tokens; overrides the built-in table
          gpt-4o: { input: 2.50, output: 10.00 }

        """

    package static let allowedSigners = """
        # Who may promote prompt versions (OpenSSH allowed_signers format, as `git tag -v`
        # reads it through gpg.ssh.allowedSignersFile). One line per key:
        #
        #   <principals> [options] <key type> <base64 key> [comment]
        #
        # principals: comma-separated email patterns (e.g. alice@example.com, *@example.com)
        # options:    namespaces="git,folio-manifest", valid-after="20260101", valid-before="20270101"
        #
        # Namespaces: "git" lets the key sign promotion tags (`folio promote`, `git tag -v`);
        # "folio-manifest" lets `ssh-keygen -Y verify -n folio-manifest` accept the manifests
        # `folio build` signs with it. One key can do both, or use one of each.
        #
        # Example:
        #   alice@example.com namespaces="git,folio-manifest" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... alice
        #
        # Folio reads this file from the tip of the main branch: removing a key there
        # revokes every promotion it signed.

        """

    package static let examplePrompt = """
        schema: folio/prompt@1
        name: example
        description: A starting point; rename the file and the name together.
        model:
          provider: openai
          name: gpt-4o-mini
          temperature: 0
        variables:
          question: { type: string, required: true }
          tone:     { type: string, enum: [friendly, formal], default: friendly }
        messages:
          - role: system
            content: You answer questions in a {{tone}} tone, in one short paragraph.
          - role: user
            content: "{{question}}"

        """

    package static let exampleGoldenSet = """
        schema: folio/goldenset@1
        prompt: example
        description: Cases the example prompt must keep passing.
        defaults:
          assert: [{ type: icontains }]
        cases:
          - id: capital-of-france
            vars: { question: "What is the capital of France?" }
            expected: Paris

        """

    /// Keeps what Folio makes out of commits: the response cache (recordings under
    /// .folio/recordings are meant to be committed), `folio build`'s output and
    /// `folio collect`'s trace files, the folders the README names.
    package static let gitignore = """
        .folio/cache/
        dist/
        traces/

        """

    /// The files, by repository-relative path.
    package static let files: [(path: String, text: String)] = [
        ("folio.yaml", config),
        (".folio/allowed_signers", allowedSigners),
        ("prompts/example.yaml", examplePrompt),
        ("goldensets/example/basic.yaml", exampleGoldenSet),
        (".github/actions/setup-folio/action.yml", setupAction),
        (".github/workflows/folio-check.yml", checkWorkflow),
        (".github/workflows/folio-publish.yml", publishWorkflow),
        (".gitignore", gitignore),
    ]

    /// Writes the scaffold into `folder` (creating a git repository there if it is in
    /// none); existing files are kept. Returns what was created and what was kept.
    package static func write(into folder: URL) throws -> (created: [String], kept: [String]) {
        let manager = FileManager.default
        try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        if (try? Repository(discovering: folder.path)) == nil {
            try Repository.initialize(at: folder.path, initialBranch: "main")
        }
        var created: [String] = [], kept: [String] = []
        for (path, text) in files {
            let url = folder.appendingPathComponent(path)
            if manager.fileExists(atPath: url.path) {
                kept.append(path)
                continue
            }
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try AtomicFile.write(Data(text.utf8), to: url)
            created.append(path)
        }
        return (created, kept)
    }
}
