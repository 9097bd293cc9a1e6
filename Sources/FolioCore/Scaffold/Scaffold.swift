import Foundation
import FolioGit

/// The files `folio init` writes into a new prompt repository.
public enum Scaffold {
    public static let config = """
    schema: folio/config@1
    main_branch: main                    # versions are counted on its first-parent history
    environments: [staging, production]  # promotion targets, in order
    allowed_signers: .folio/allowed_signers
    providers:                           # named LLM endpoints; a prompt's model.provider picks one
      openai: { kind: openai, base_url: https://api.openai.com/v1, api_key_env: OPENAI_API_KEY }
      anthropic: { kind: anthropic, api_key_env: ANTHROPIC_API_KEY }
    judge: { provider: openai, model: gpt-4o-mini }   # for llm-rubric assertions
    prices:                              # USD per million tokens; overrides the built-in table
      gpt-4o: { input: 2.50, output: 10.00 }

    """

    public static let allowedSigners = """
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

    public static let examplePrompt = """
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

    public static let exampleGoldenSet = """
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

    /// The pull-request workflow users copy: `folio check` on every change to prompts or
    /// golden sets, one comment kept up to date, the reports as artifacts.
    public static let workflow = #"""
    # folio check: evaluates the prompts a pull request changes, on the base and the head
    # version, and fails on new failures (cases that passed before and fail now).
    name: folio check
    on:
      pull_request:
        paths: ["prompts/**", "goldensets/**", "folio.yaml"]
    permissions:
      contents: read
      pull-requests: write
    env:
      FOLIO_REPOSITORY: https://github.com/folio-prompts/folio   # where you get Folio from
      FOLIO_REF: main
    jobs:
      check:
        runs-on: ubuntu-latest
        container: swift:6.3-bookworm
        steps:
          - uses: actions/checkout@v4
            with:
              fetch-depth: 0      # full history: versions are counted on main
              fetch-tags: true    # promotions are tags
          - name: Build Folio
            run: |
              apt-get update -qq && apt-get install -y -qq --no-install-recommends libgit2-dev pkg-config git
              git clone --depth 1 --branch "$FOLIO_REF" "$FOLIO_REPOSITORY" /tmp/folio
              swift build -c release --package-path /tmp/folio --product folio
              echo "/tmp/folio/.build/release" >> "$GITHUB_PATH"
          - name: folio check
            id: check
            env:
              OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}
              ANTHROPIC_API_KEY: ${{ secrets.ANTHROPIC_API_KEY }}
            run: |
              git config --global --add safe.directory "$GITHUB_WORKSPACE"
              set +e
              folio check --base "origin/${{ github.base_ref }}" --out folio-report
              echo "status=$?" >> "$GITHUB_OUTPUT"
          - name: Post or update the comment
            if: always() && hashFiles('folio-report/report.md') != ''
            uses: actions/github-script@v7
            with:
              script: |
                const fs = require('fs');
                const body = fs.readFileSync('folio-report/report.md', 'utf8');
                const marker = '<!-- folio-check -->';
                const { owner, repo } = context.repo;
                const issue_number = context.issue.number;
                const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number });
                const mine = comments.find((comment) => comment.body && comment.body.includes(marker));
                if (mine) {
                  await github.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
                } else {
                  await github.rest.issues.createComment({ owner, repo, issue_number, body });
                }
          - name: Upload the reports
            if: always()
            uses: actions/upload-artifact@v4
            with:
              name: folio-report
              path: folio-report/
          - name: Fail if the check failed
            if: steps.check.outputs.status != '0'
            run: |
              echo "folio check exited ${{ steps.check.outputs.status }}: 1 regression, 2 usage or configuration error, 3 inconclusive"
              exit 1

    """#

    /// Keeps the response cache out of commits (recordings under .folio/recordings are meant to be committed).
    public static let gitignore = """
    .folio/cache/

    """

    /// The files, by repository-relative path.
    public static let files: [(path: String, text: String)] = [
        ("folio.yaml", config),
        (".folio/allowed_signers", allowedSigners),
        ("prompts/example.yaml", examplePrompt),
        ("goldensets/example/basic.yaml", exampleGoldenSet),
        (".github/workflows/folio-check.yml", workflow),
        (".gitignore", gitignore),
    ]

    /// Writes the scaffold into `folder` (creating a git repository there if it is in
    /// none); existing files are kept. Returns what was created and what was kept.
    public static func write(into folder: URL) throws -> (created: [String], kept: [String]) {
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
