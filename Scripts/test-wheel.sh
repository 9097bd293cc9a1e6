#!/usr/bin/env bash
# `make test` runs this: the folio-prompts wheel (`make wheel`) installs with pip into a
# fresh virtual environment and works there with the Swift toolchain hidden (a private
# mount namespace with an empty tmpfs over it, as root): `folio --version`, `folio lint`,
# and `folio check` of a prompt change against the real local model (.build/llm).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "test-wheel: FAIL: $*" >&2; exit 1; }

wheel="$("$root/Scripts/make-wheel.sh")"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check --no-index "$wheel" || fail "pip cannot install $wheel"
[ -x "$work/venv/bin/folio" ] || fail "the wheel installed no folio command"

# The local model, on a free loopback port.
llm="${FOLIO_LLM_DIR:-$root/.build/llm}"
[ -f "$llm/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf" ] || fail "the local model is missing: run Scripts/local-llm/setup.sh (make test does)"
"$llm/venv/bin/python" "$root/Scripts/local-llm/serve.py" "$llm/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf" --ready-file "$work/ready" >/dev/null 2>&1 &
server=$!
for _ in $(seq 1 600); do [ -s "$work/ready" ] && break; sleep 0.2; done
[ -s "$work/ready" ] || fail "the local model server did not start"
model_url="$(cat "$work/ready")"

session='set -e
cd "$1"
version="$(folio --version)"
[ "$version" = "$3" ] || { echo "folio --version says $version, VERSION says $3"; exit 1; }
[ "$(python -m folio_prompts --version)" = "$3" ]
git init -q -b main repo && cd repo
git config user.name t && git config user.email t@example.com
mkdir -p prompts goldensets/triage
cat > folio.yaml <<YAML
schema: folio/config@1
providers:
  local: { kind: openai, base_url: "$2/v1", concurrency: 1, timeout: 120 }
YAML
cat > prompts/triage.yaml <<YAML
schema: folio/prompt@1
name: triage
model: { provider: local, name: qwen2.5-coder-0.5b-instruct, temperature: 0, max_tokens: 8 }
variables:
  ticket_text: { type: string, required: true }
messages:
  - role: system
    content: "Answer with one word, billing or technical: which team handles this ticket?"
  - role: user
    content: "{{ticket_text}}"
YAML
cat > goldensets/triage/basic.yaml <<YAML
schema: folio/goldenset@1
prompt: triage
defaults:
  assert: [{ type: one-of, value: [billing, technical], normalize: [trim, lowercase] }]
cases:
  - id: refund
    vars: { ticket_text: "I need a refund for my last payment" }
YAML
folio lint
git add -A && git commit -qm "triage v1"
git checkout -q -b fix
sed -i "s/Answer with one word/Reply with a single word/" prompts/triage.yaml
git commit -qam "triage v2"
status=0
folio check --base main --out reports --no-cache || status=$?
[ "$status" -le 1 ] || { echo "folio check exited $status"; exit 1; }
grep -q "\"input_tokens\"" reports/report.json
echo "check exited $status"'
mkdir -p "$work/session"
toolchain="$(dirname "$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")")"
environment=(env -i "PATH=$work/venv/bin:/usr/bin:/bin" "HOME=$work")
if [ "$(id -u)" -eq 0 ] && unshare --mount true 2>/dev/null; then
  output="$("${environment[@]}" unshare --mount bash -c "mount -t tmpfs none '$toolchain' && bash -c '$session' session '$work/session' '$model_url' '$(cat "$root/VERSION")'" 2>&1)" \
    || fail "the wheel's folio failed with $toolchain hidden: $output"
  where="with $toolchain hidden"
else
  output="$("${environment[@]}" bash -c "$session" session "$work/session" "$model_url" "$(cat "$root/VERSION")" 2>&1)" || fail "the wheel's folio failed: $output"
  where="(no root to hide $toolchain)"
fi
echo "test-wheel: ok: $(basename "$wheel") installs with pip and runs --version, lint and check against the local model $where ($(tail -1 <<<"$output"))"
