#!/usr/bin/env bash
# Shared set-up for the deploy benchmarks: a triage prompt repository with v2 promoted
# to production and built into $work/dist. Sourced by render.sh and serve.sh.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
bin="$root/.build/release"
[ -x "$bin/folio" ] && [ -x "$bin/folio-bench" ] || (cd "$root" && swift build -c release --product folio >/dev/null && swift build -c release --product folio-bench >/dev/null)
work="$(mktemp -d)"
trap 'rm -rf "$work"; [ -n "${cleanup:-}" ] && eval "$cleanup"' EXIT
repo="$work/repo"
git init -q -b main "$repo"
ssh-keygen -q -t ed25519 -N "" -C ops@example.com -f "$work/key"
mkdir -p "$repo/prompts" "$repo/.folio"
cp "$root/folio.yaml" "$repo/"
cp "$root/prompts/support_ticket_triage.yaml" "$repo/prompts/"
echo "ops@example.com $(cat "$work/key.pub")" > "$repo/.folio/allowed_signers"
git -C "$repo" add -A
git -C "$repo" -c user.name=Bench -c user.email=bench@example.com commit -qm "triage"
(cd "$repo" && GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com "$bin/folio" promote support_ticket_triage --env production --note bench --signing-key "$work/key" >/dev/null)
(cd "$repo" && "$bin/folio" build --env production --out "$work/dist" --signing-key "$work/key" >/dev/null)
