#!/usr/bin/env bash
# `folio verify` over 10,000 signed promotion tags against `git tag -v` (with
# gpg.ssh.allowedSignersFile) on a sample of the same tags, per-tag time x 10,000,
# both measured in this run. Prints the speed-up; the goal is >= 50x.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
folio="${FOLIO_BIN:-$root/.build/release/folio}"
tags="${TAGS:-10000}"
sample="${SAMPLE:-40}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

[ -x "$folio" ] || (cd "$root" && swift build -c release --product folio >/dev/null)
python3 "$here/make-repo.py" "$work/repo" --prompts 50 --commits 500 >/dev/null
ssh-keygen -q -t ed25519 -N "" -C bench@example.com -f "$work/key"
mkdir -p "$work/repo/.folio"
echo "bench@example.com $(cat "$work/key.pub")" > "$work/repo/.folio/allowed_signers"
git -C "$work/repo" add .folio && git -C "$work/repo" -c user.name=Bench -c user.email=bench@example.com commit -qm "Allow the bench key"
python3 "$here/make-tags.py" "$work/repo" "$work/key" --tags "$tags"

python3 - "$folio" "$work/repo" "$tags" "$sample" <<'PY'
import random, subprocess, sys, time
folio, repo, tags, sample = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
start = time.perf_counter()
result = subprocess.run([folio, "verify"], cwd=repo, capture_output=True, text=True)
folio_time = time.perf_counter() - start
assert result.returncode == 0, result.stderr[-2000:]
assert result.stdout.count("\nok ") + result.stdout.startswith("ok ") == tags, "not every tag verified"
names = ["folio/production/%d" % n for n in random.Random(1).sample(range(1, tags + 1), sample)]
start = time.perf_counter()
for name in names:
    subprocess.run(["git", "-c", "gpg.ssh.allowedSignersFile=.folio/allowed_signers", "tag", "-v", name], cwd=repo, check=True, capture_output=True)
git_per_tag = (time.perf_counter() - start) / sample
print("folio verify, %d tags:            %.2f s (%.3f ms per tag)" % (tags, folio_time, folio_time / tags * 1000))
print("git tag -v, %d sampled tags:        %.3f s per tag -> %.1f s for %d" % (sample, git_per_tag, git_per_tag * tags, tags))
print("speed-up folio/git: %.0fx (goal >= 50x)" % (git_per_tag * tags / folio_time))
PY
