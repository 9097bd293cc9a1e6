#!/usr/bin/env bash
# `folio build` for 2,000 prompts and 10,000 promotion tags against a git-CLI baseline
# that reads the same objects (`git for-each-ref` over the tags, then `git cat-file
# --batch` for every tag and every promoted blob), in the same run. Goal: <= 1.0x.
# Prints the first build (empty dist/, no cache in .git/folio), a rebuild with nothing new,
# a rebuild after one more promotion (what --watch and CI do again and again), and one
# after a new version is committed on main and promoted with `folio promote`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
folio="${FOLIO_BIN:-$root/.build/release/folio}"
prompts="${PROMPTS:-2000}"
tags="${TAGS:-10000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
[ -x "$folio" ] || (cd "$root" && swift build -c release --product folio >/dev/null)
python3 "$here/make-repo.py" "$work/repo" --prompts "$prompts" --commits "$prompts" >/dev/null
ssh-keygen -q -t ed25519 -N "" -C bench@example.com -f "$work/key"
mkdir -p "$work/repo/.folio"
echo "bench@example.com $(cat "$work/key.pub")" > "$work/repo/.folio/allowed_signers"
git -C "$work/repo" add .folio && git -C "$work/repo" -c user.name=Bench -c user.email=bench@example.com commit -qm "Allow the bench key"
python3 "$here/make-tags.py" "$work/repo" "$work/key" --tags "$tags" >/dev/null
git -C "$work/repo" gc -q >/dev/null 2>&1 || true

python3 - "$folio" "$work/repo" "$work/key" "$here/make-tags.py" "$tags" <<'PY'
import re, subprocess, sys, time
folio, repo, key, tags = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[5])

def baseline():
    refs = subprocess.run(["git", "for-each-ref", "--format=%(objectname)", "refs/tags/folio/"], cwd=repo, check=True, capture_output=True).stdout
    tags = subprocess.run(["git", "cat-file", "--batch"], cwd=repo, input=refs, check=True, capture_output=True).stdout
    blobs = set()
    for line in tags.split(b"\n"):
        if line.startswith(b"Folio-Prompt: "):
            blobs.add(line.split(b"blob=")[1].split(b" ")[0])
    subprocess.run(["git", "cat-file", "--batch"], cwd=repo, input=b"\n".join(sorted(blobs)) + b"\n", check=True, capture_output=True)
    return len(blobs)

def baseline_time():
    start = time.perf_counter()
    baseline()
    return time.perf_counter() - start

blobs = baseline()
def build():
    start = time.perf_counter()
    result = subprocess.run([folio, "build", "--env", "production", "--out", repo + "/../dist", "--signing-key", key], cwd=repo, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    return time.perf_counter() - start

def best(measure, runs=7):
    return min(measure() for _ in range(runs))

cold = build()   # empty dist/, nothing in .git/folio yet: every tag read and verified
warm = best(build)   # nothing new: tags, versions and version files come from .git/folio
git_time = best(baseline_time)
def promote_then_build(run=[0]):
    # one new promotion tag, read and verified; the manifest changes
    run[0] += 1
    subprocess.run(["python3", sys.argv[4], repo, key, "--tags", "1", "--first", str(tags + run[0])], check=True, capture_output=True)
    return build()

one_more = best(promote_then_build, runs=5)
subprocess.run(["git", "-C", repo, "config", "user.name", "Bench"], check=True)
subprocess.run(["git", "-C", repo, "config", "user.email", "bench@example.com"], check=True)
def commit_promote_then_build(run=[0]):
    # main moves on by one commit (a new version of one prompt), which is then promoted
    run[0] += 1
    path = repo + "/prompts/prompt_0007.yaml"
    text = open(path).read()
    open(path, "w").write(re.sub(r"Revision [0-9]+", "Revision %d" % (9000 + run[0]), text))
    subprocess.run(["git", "-C", repo, "commit", "-qam", "prompt_0007 again"], check=True)
    subprocess.run([folio, "promote", "prompt_0007", "--env", "production", "--note", "again", "--signing-key", key], cwd=repo, check=True, capture_output=True)
    return build()

new_version = best(commit_promote_then_build, runs=5)
print("git for-each-ref + cat-file --batch (%d blobs): %.3f s (best of 7)" % (blobs, git_time))
print("folio build, first (cold):                      %.3f s" % cold)
print("folio build, rebuild, nothing new:              %.3f s (best of 7)" % warm)
print("folio build, rebuild after one more promotion:  %.3f s (best of 5)" % one_more)
print("folio build, after a new version and promotion: %.3f s (best of 5)" % new_version)
print("ratio folio/git: rebuild %.2fx, after one promotion %.2fx, after a new version %.2fx, first build %.1fx (goal <= 1.0x)"
      % (warm / git_time, one_more / git_time, new_version / git_time, cold / git_time))

# What each cache buys: the three rebuilds again with that one switched off (the caches
# only save time, so the manifest must come out the same; checked after each).
import hashlib, os
def manifest_digest():
    return hashlib.sha256(open(repo + "/../dist/production/manifest.json", "rb").read()).hexdigest()
mechanisms = [
    ("all on", {}),
    ("written files (written-*)", {"FOLIO_CACHE_OFF": "written"}),
    ("version files", {"FOLIO_CACHE_OFF": "version-files"}),
    ("promotion tags", {"FOLIO_CACHE_OFF": "promotion-tags"}),
    ("prompt versions", {"FOLIO_CACHE_OFF": "prompt-versions"}),
    ("prefetch thread", {"FOLIO_PREFETCH_OFF": "1"}),
    ("every cache", {"FOLIO_CACHE_OFF": "build,written,version-files,promotion-tags,prompt-versions"}),
    # A whole rebuild (what runs when the patch cannot: allowed_signers changed, a tag
    # removed, dist/ edited) is the case the other caches exist for: each off on top of it.
    ("patch: a whole rebuild", {"FOLIO_CACHE_OFF": "build"}),
    ("  and written files", {"FOLIO_CACHE_OFF": "build,written"}),
    ("  and version files", {"FOLIO_CACHE_OFF": "build,version-files"}),
    ("  and promotion tags", {"FOLIO_CACHE_OFF": "build,promotion-tags"}),
    ("  and prompt versions", {"FOLIO_CACHE_OFF": "build,prompt-versions"}),
    ("  and the prefetch thread", {"FOLIO_CACHE_OFF": "build", "FOLIO_PREFETCH_OFF": "1"}),
]
runs = int(os.environ.get("MECHANISM_RUNS", "3"))
print("\nwith one mechanism off (best of %d; git baseline %.3f s):" % (runs, git_time))
print("%-62s %9s %12s %12s" % ("off", "rebuild", "+promotion", "+version"))
for label, env in mechanisms:
    os.environ.update(env)
    try:
        figures = (best(build, runs), best(promote_then_build, runs), best(commit_promote_then_build, runs))
        digest = manifest_digest()
    finally:
        for name in env:
            del os.environ[name]
    build()
    assert manifest_digest() == digest, "the manifest differs with %s off" % label
    print("%-62s %8.3fs %11.3fs %11.3fs   (%.2fx %.2fx %.2fx git)" % ((label,) + figures + tuple(f / git_time for f in figures)))
PY
