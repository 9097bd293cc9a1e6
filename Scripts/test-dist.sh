#!/usr/bin/env bash
# `make test` runs this: `make dist` and `make install` work, and the archive's binary runs
# with no Swift toolchain: it is run with the toolchain's folder hidden (a private mount
# namespace with an empty tmpfs over it, as root), else only checked with ldd.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "test-dist: FAIL: $*" >&2; exit 1; }

archive="$("$root/Scripts/make-dist.sh")"
(cd "$(dirname "$archive")" && sha256sum -c --quiet "$(basename "$archive").sha256") || fail "the archive does not match its .sha256"
tar -xzf "$archive" -C "$work"
tree="$(echo "$work"/folio-*)"
folio="$tree/bin/folio"
[ -x "$folio" ] || fail "no bin/folio in $archive"

# No library may come from the toolchain, and every one must be found.
libraries="$(env -i ldd "$folio")"
if grep -q "not found" <<<"$libraries"; then fail "missing libraries: $(grep 'not found' <<<"$libraries")"; fi
toolchain="$(dirname "$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")")"
if grep -q "$toolchain" <<<"$libraries"; then fail "linked against the toolchain in $toolchain: $libraries"; fi
grep -q "/lib/folio/libgit2" <<<"$libraries" || fail "libgit2 does not come from the archive: $libraries"

# A small session: init, lint, render, completions, with an empty environment.
session='set -e
cd "$1"
git init -q -b main repo && cd repo
"$2" init >/dev/null
git add -A && git -c user.name=t -c user.email=t@example.com commit -qm init
"$2" lint
"$2" render example@1 --var question="What is Folio?" | grep -q "What is Folio?"
"$2" --generate-completion-script bash | grep -q _folio
"$2" --version'
mkdir -p "$work/session"
if [ "$(id -u)" -eq 0 ] && unshare --mount true 2>/dev/null; then
  output="$(env -i PATH=/usr/bin:/bin unshare --mount sh -c "mount -t tmpfs none '$toolchain' && sh -c '$session' session '$work/session' '$folio'")" \
    || fail "the archive's folio failed with $toolchain hidden: $output"
  where="with $toolchain hidden"
else
  output="$(env -i PATH=/usr/bin:/bin sh -c "$session" session "$work/session" "$folio")" || fail "the archive's folio failed: $output"
  where="(ldd-checked; no root to hide $toolchain)"
fi
[ -n "$output" ] || fail "the session printed nothing"

# make install: binary, libraries, completions under PREFIX (DESTDIR staged).
make -s -C "$root" install PREFIX=/opt/folio-test DESTDIR="$work/install" >/dev/null
for path in bin/folio "$(cd "$work/install/opt/folio-test" && echo lib/folio/libgit2.so*)" share/bash-completion/completions/folio share/zsh/site-functions/_folio share/fish/vendor_completions.d/folio.fish; do
  [ -e "$work/install/opt/folio-test/$path" ] || fail "make install did not install $path"
done
env -i "$work/install/opt/folio-test/bin/folio" --version >/dev/null || fail "the installed folio does not run"
echo "test-dist: ok: $(basename "$archive") runs $where; make install puts folio, lib/folio and completions under PREFIX"
