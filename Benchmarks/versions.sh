#!/usr/bin/env bash
# `folio versions <name>` against `git log --first-parent -- prompts/<name>.yaml` on a
# 20,000-commit, 1,000-prompt repository, both timed in this run. Prints the ratio
# (folio time / git time); the goal is <= 1.0. Never used as a CI gate.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
folio="${FOLIO_BIN:-$root/.build/release/folio}"
commits="${COMMITS:-20000}"
prompts="${PROMPTS:-1000}"
runs="${RUNS:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ ! -x "$folio" ]; then
  (cd "$root" && swift build -c release --product folio >/dev/null)
fi
python3 "$here/make-repo.py" "$work/repo" --prompts "$prompts" --commits "$commits"
git -C "$work/repo" gc -q --aggressive >/dev/null 2>&1 || true
name=prompt_0007

python3 - "$folio" "$work/repo" "$name" "$runs" <<'PY'
import statistics, subprocess, sys, time
folio, repo, name, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

def timed(command):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(command, cwd=repo, check=True, capture_output=True, text=True).stdout
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), out

git_time, git_out = timed(["git", "log", "--first-parent", "--format=%H", "--", "prompts/%s.yaml" % name])
folio_time, folio_out = timed([folio, "versions", name, "--format", "json"])
import json
versions = json.loads(folio_out)["versions"]
changes = git_out.split()
assert [v["commit"] for v in versions] == list(reversed(changes)), "folio and git disagree on the history"
print("versions of %s: %d (%d commits walked)" % (name, len(versions), int(subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=repo, capture_output=True, text=True).stdout)))
print("git log --first-parent -- path: %.3f s (median of %d)" % (git_time, runs))
print("folio versions:                 %.3f s (median of %d)" % (folio_time, runs))
print("ratio folio/git: %.2fx (goal <= 1.0x)" % (folio_time / git_time))
PY
