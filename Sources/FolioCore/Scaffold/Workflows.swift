extension Scaffold {
    /// Where Folio comes from in CI, shared by both workflows: a release archive (`make
    /// dist`) or a build from source, named by repository variables, and cached.
    package static let setupAction = #"""
        # Puts folio on the PATH, from where the repository's variables say
        # (Settings → Secrets and variables → Actions → Variables):
        #   FOLIO_ARCHIVE_URL     a release archive made by Folio's `make dist`
        #                         (…/folio-<version>-linux-x86_64.tar.gz, on a Debian bookworm image)
        #   FOLIO_ARCHIVE_SHA256  its sha256 (the .sha256 file beside it); required with an archive:
        #                         whatever the URL serves is checked against it before it runs
        # or, to build from source (in the swift:6.3-bookworm image):
        #   FOLIO_REPOSITORY      a git URL of Folio's source; FOLIO_REF a branch or tag (default main)
        # Either way the result is cached under its archive hash or source commit: a second
        # run downloads and builds nothing.
        name: Set up Folio
        description: Put folio on the PATH, from a release archive or a source build, cached.
        runs:
          using: composite
          steps:
            - name: Which Folio
              id: which
              shell: bash
              run: |
                if [ -n "$FOLIO_ARCHIVE_URL" ]; then
                  if ! printf %s "$FOLIO_ARCHIVE_SHA256" | grep -Eq '^[0-9a-f]{64}$'; then
                    echo "::error title=No archive checksum::Set the repository variable FOLIO_ARCHIVE_SHA256 to the sha256 of $FOLIO_ARCHIVE_URL (the .sha256 file make dist writes beside it): Folio runs with your keys, so it must be the archive you chose."
                    exit 1
                  fi
                  echo "key=folio-archive-$FOLIO_ARCHIVE_SHA256" >> "$GITHUB_OUTPUT"
                elif [ -n "$FOLIO_REPOSITORY" ]; then
                  commit="$(git ls-remote "$FOLIO_REPOSITORY" "${FOLIO_REF:-main}" | head -1 | cut -f1)"
                  if [ -z "$commit" ]; then
                    echo "::error title=Folio not found::no ref '${FOLIO_REF:-main}' in $FOLIO_REPOSITORY (the FOLIO_REPOSITORY and FOLIO_REF variables)"
                    exit 1
                  fi
                  echo "commit=$commit" >> "$GITHUB_OUTPUT"
                  echo "key=folio-source-$commit" >> "$GITHUB_OUTPUT"
                else
                  echo "::error title=Where does Folio come from?::Set the repository variable FOLIO_ARCHIVE_URL (a release archive made by Folio's make dist) or FOLIO_REPOSITORY (a git URL of Folio's source) under Settings → Secrets and variables → Actions → Variables."
                  exit 1
                fi
            - name: Cache
              id: cache
              uses: actions/cache@v6
              with:
                path: /opt/folio
                key: ${{ steps.which.outputs.key }}
            - name: Get Folio
              if: steps.cache.outputs.cache-hit != 'true'
              shell: bash
              env:
                COMMIT: ${{ steps.which.outputs.commit }}
              run: |
                set -euo pipefail
                if [ -n "$FOLIO_ARCHIVE_URL" ]; then
                  curl -fsSL --retry 3 "$FOLIO_ARCHIVE_URL" -o /tmp/folio.tar.gz
                  echo "$FOLIO_ARCHIVE_SHA256  /tmp/folio.tar.gz" | sha256sum -c -
                  mkdir -p /opt/folio
                  tar -xzf /tmp/folio.tar.gz -C /opt/folio --strip-components=1
                else
                  apt-get install -y -qq --no-install-recommends libgit2-dev zlib1g-dev pkg-config >/dev/null
                  git clone -q "$FOLIO_REPOSITORY" /tmp/folio-source
                  git -C /tmp/folio-source checkout -q "$COMMIT"
                  PREFIX=/opt/folio /tmp/folio-source/Scripts/install.sh
                fi
            - name: Put folio on the PATH
              shell: bash
              run: |
                echo "/opt/folio/bin" >> "$GITHUB_PATH"
                /opt/folio/bin/folio --version

        """#

    /// The container and the variables `setup-folio` reads, the same in every job that runs
    /// folio (the first lines of the job's `env:`).
    private static let folioJob = #"""
            container: ${{ vars.FOLIO_ARCHIVE_URL != '' && 'debian:bookworm-slim' || 'swift:6.3-bookworm' }}
            env:
              FOLIO_ARCHIVE_URL: ${{ vars.FOLIO_ARCHIVE_URL }}
              FOLIO_ARCHIVE_SHA256: ${{ vars.FOLIO_ARCHIVE_SHA256 }}
              FOLIO_REPOSITORY: ${{ vars.FOLIO_REPOSITORY }}
              FOLIO_REF: ${{ vars.FOLIO_REF }}
        """#

    /// The pull-request workflow: `folio check` on every change to prompts or golden sets,
    /// one comment kept up to date, the reports as artifacts; pull requests from forks (no
    /// secrets) use recorded answers or end with a notice.
    package static let checkWorkflow = #"""
        # folio check: evaluates the prompts a pull request changes, on the base and the head
        # version, and fails on new failures (cases that passed before and fail now).
        # Folio itself comes from where .github/actions/setup-folio/action.yml says.
        name: folio check
        on:
          pull_request:
            paths: ["prompts/**", "goldensets/**", "folio.yaml"]
        permissions:
          contents: read
          pull-requests: write
        jobs:
          check:
            runs-on: ubuntu-latest
        \#(folioJob)
              # A pull request from a fork gets no secrets and a read-only token.
              FROM_FORK: ${{ github.event.pull_request.head.repo.full_name != github.repository }}
            defaults:
              run:
                shell: bash
            steps:
              - name: Tools
                run: apt-get update -qq && apt-get install -y -qq --no-install-recommends git ca-certificates curl >/dev/null
              - uses: actions/checkout@v7
                with:
                  fetch-depth: 0      # full history: versions are counted on main
                  fetch-tags: true    # promotions are tags
              # Folio is set up by the base branch's action, never the pull request's: this job
              # holds the provider keys, and a pull request could otherwise change what runs.
              - uses: actions/checkout@v7
                with:
                  ref: ${{ github.event.pull_request.base.sha }}
                  path: .folio-base
                  sparse-checkout: .github/actions
                  persist-credentials: false
              - uses: ./.folio-base/.github/actions/setup-folio
              - name: folio check
                id: check
                env:
                  OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}
                  ANTHROPIC_API_KEY: ${{ secrets.ANTHROPIC_API_KEY }}
                  BASE: origin/${{ github.base_ref }}
                run: |
                  git config --global --add safe.directory "$GITHUB_WORKSPACE"
                  provider=()
                  if [ -z "$OPENAI_API_KEY$ANTHROPIC_API_KEY" ]; then
                    if [ -n "$(ls -A .folio/recordings 2>/dev/null)" ]; then
                      echo "::notice title=folio check::No API keys in this run (a pull request from a fork gets no secrets): the answers come from .folio/recordings."
                      provider=(--provider replay)
                    else
                      echo "::notice title=folio check skipped::No API keys in this run (a pull request from a fork gets no secrets) and no answers recorded in .folio/recordings. To check this change, run 'folio check --base $BASE --record' with your own key and commit .folio/recordings, or ask a maintainer to push the branch to this repository."
                      echo "status=skipped" >> "$GITHUB_OUTPUT"
                      exit 0
                    fi
                  fi
                  set +e
                  folio check --base "$BASE" --out folio-report "${provider[@]}"
                  echo "status=$?" >> "$GITHUB_OUTPUT"
              - name: Job summary
                if: always() && hashFiles('folio-report/report.md') != ''
                run: cat folio-report/report.md >> "$GITHUB_STEP_SUMMARY"
              - name: Post or update the comment
                if: always() && env.FROM_FORK == 'false' && hashFiles('folio-report/report.md') != ''
                uses: actions/github-script@v9
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
                if: always() && hashFiles('folio-report/report.md') != ''
                uses: actions/upload-artifact@v7
                with:
                  name: folio-report
                  path: folio-report/
              - name: Fail if the check failed
                if: steps.check.outputs.status != '0' && steps.check.outputs.status != 'skipped'
                env:
                  STATUS: ${{ steps.check.outputs.status }}
                run: |
                  if [ "$STATUS" = 3 ] && [ "$FROM_FORK" = true ]; then
                    echo "::warning title=folio check inconclusive::Some answers are not recorded in .folio/recordings: run 'folio check --record' with your own key and commit them."
                    exit 0
                  fi
                  echo "folio check exited $STATUS: 1 new failures, 2 usage or configuration error, 3 inconclusive"
                  exit 1

        """#

    /// Static manifest hosting: on every promotion tag, verify the log, build the signed
    /// manifests with the manifest key, and publish `dist/` to GitHub Pages. The key is kept
    /// from anyone who can only push a tag: a pushed tag asks for a run on main, and only a
    /// run on main reaches the environment that holds the key.
    package static let publishWorkflow = #"""
        # folio publish: on every promotion (a pushed folio/* tag), verify every promotion,
        # build the signed manifests with the manifest key, and publish dist/ to GitHub Pages.
        # Apps fetch https://<owner>.github.io/<repository>/<environment>/manifest.json.
        #
        # Whoever can push a tag must not be able to use the manifest key (docs/keys.md). A
        # pushed tag runs this file as the tag's commit has it, so that run gets no secret: it
        # only asks for a run of this workflow on the default branch (main), whose copy of
        # this file and of setup-folio went through review. That run checks, before the key
        # is touched, that the tag's commit is on main and that `git tag -v` accepts its
        # signature against main's allowed_signers, verifies every promotion, and builds.
        #
        # Once:
        # - Settings → Pages → Source: GitHub Actions.
        # - Settings → Environments → New environment "folio-manifest": under "Deployment
        #   branches and tags" choose "Selected branches and tags" and add only main. Add the
        #   secret FOLIO_MANIFEST_KEY there (an unencrypted OpenSSH ed25519 private key, used
        #   for nothing else; apps pin its public half), not as a repository secret.
        # - The variables that say where Folio comes from (.github/actions/setup-folio/action.yml);
        #   with an archive, FOLIO_ARCHIVE_SHA256 is required. Optionally FOLIO_ENVIRONMENTS:
        #   the environments to publish, separated by spaces (default: production).
        name: folio publish
        on:
          push:
            tags: ["folio/**"]
          workflow_dispatch:
            inputs:
              tag:
                description: "The promotion tag that asked for this run (default: the newest folio/* tag)"
                required: false
                type: string
        permissions:
          contents: read
        concurrency:
          group: folio-publish
          cancel-in-progress: false
        jobs:
          request:
            # A tag push runs the tag's own copy of this file: it may only ask main for a run.
            if: github.event_name == 'push'
            runs-on: ubuntu-latest
            permissions:
              actions: write
            steps:
              - uses: actions/github-script@v9
                env:
                  TAG: ${{ github.ref_name }}
                  MAIN: ${{ github.event.repository.default_branch }}
                with:
                  script: |
                    const { owner, repo } = context.repo;
                    await github.rest.actions.createWorkflowDispatch({
                      owner, repo, workflow_id: 'folio-publish.yml', ref: process.env.MAIN, inputs: { tag: process.env.TAG },
                    });
          build:
            # Only a run of main's copy of this file, on main, reaches the key's environment.
            if: github.event_name == 'workflow_dispatch' && github.ref == format('refs/heads/{0}', github.event.repository.default_branch)
            runs-on: ubuntu-latest
            environment: folio-manifest
            permissions:
              contents: read
              pages: read
        \#(folioJob)
              TAG: ${{ inputs.tag }}
            defaults:
              run:
                shell: bash
            steps:
              - name: Tools
                run: apt-get update -qq && apt-get install -y -qq --no-install-recommends git openssh-client ca-certificates curl >/dev/null
              - uses: actions/checkout@v7
                with:
                  fetch-depth: 0
                  fetch-tags: true
              - uses: ./.github/actions/setup-folio
              - name: Check the promotion
                run: |
                  git config --global --add safe.directory "$GITHUB_WORKSPACE"
                  tag="${TAG:-$(git tag --list 'folio/*' --sort=-creatordate | head -n 1)}"
                  if [ -z "$tag" ] || ! git rev-parse -q --verify "refs/tags/$tag" >/dev/null; then
                    echo "::error title=No promotion tag::'$tag' is not a tag of this repository."
                    exit 1
                  fi
                  commit="$(git rev-parse "refs/tags/$tag^{commit}")"
                  if ! git merge-base --is-ancestor "$commit" HEAD; then
                    echo "::error title=Tag not on main::$tag points at $commit, which is not on $GITHUB_REF_NAME: promotions are made on main (folio promote). Nothing was published."
                    exit 1
                  fi
                  signers="$(sed -n 's/^allowed_signers:[[:space:]]*//p' folio.yaml | sed 's/[[:space:]]*#.*//')"
                  git show "HEAD:${signers:-.folio/allowed_signers}" > "$RUNNER_TEMP/allowed_signers"
                  if ! git -c gpg.format=ssh -c gpg.ssh.allowedSignersFile="$RUNNER_TEMP/allowed_signers" tag -v "$tag"; then
                    echo "::error title=Unsigned promotion::git tag -v does not accept $tag against the allowed signers on $GITHUB_REF_NAME. Nothing was published."
                    exit 1
                  fi
              - name: Verify every promotion
                run: folio verify
              - name: Build the signed manifests
                env:
                  FOLIO_MANIFEST_KEY: ${{ secrets.FOLIO_MANIFEST_KEY }}
                  ENVIRONMENTS: ${{ vars.FOLIO_ENVIRONMENTS || 'production' }}
                run: |
                  if [ -z "$FOLIO_MANIFEST_KEY" ]; then
                    echo "::error title=No manifest key::Add the secret FOLIO_MANIFEST_KEY (an OpenSSH ed25519 private key) to the environment folio-manifest under Settings → Environments."
                    exit 1
                  fi
                  key="$RUNNER_TEMP/folio-manifest-key"
                  (umask 077 && printf '%s\n' "$FOLIO_MANIFEST_KEY" > "$key")
                  arguments=()
                  for environment in $ENVIRONMENTS; do arguments+=(--env "$environment"); done
                  status=0
                  folio build "${arguments[@]}" --out dist --signing-key "$key" || status=$?
                  rm -f "$key"
                  exit "$status"
              - uses: actions/configure-pages@v6
              - uses: actions/upload-pages-artifact@v5
                with:
                  path: dist
          deploy:
            needs: build
            runs-on: ubuntu-latest
            permissions:
              pages: write
              id-token: write
            environment:
              name: github-pages
              url: ${{ steps.deployment.outputs.page_url }}
            steps:
              - id: deployment
                uses: actions/deploy-pages@v5

        """#
}
