#!/usr/bin/env bash
# folio ui against the commands on the same trace files (SPANS calls, default 200,000, each
# in a wrapper span, made by make-calls.py as for report.sh), in one run, best of RUNS (default 3):
#   - the Traces page's first 50 rows against `folio traces list --limit 50`: goal <= 1.5x;
#   - the Dashboard against `folio report --format json`: goal <= 1.5x.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${FOLIO_BIN:-$root/.build/release/folio}"
spans="${SPANS:-200000}"
runs="${RUNS:-3}"
work="$(mktemp -d)"
ui_pid=""
cleanup() { [ -n "$ui_pid" ] && kill "$ui_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

python3 "$root/Benchmarks/make-calls.py" "$work/traces/spans.jsonl" "$spans"

# A repository for the UI to stand in.
mkdir -p "$work/repo" && cd "$work/repo"
git init -q -b main && "$bin" init >/dev/null && git add -A && git -c user.name=b -c user.email=b@example.com commit -qm init
"$bin" ui "$work/traces" --port 0 --labels app.expected_team > "$work/ui.out" 2>&1 &
ui_pid=$!
for _ in $(seq 100); do grep -q token= "$work/ui.out" 2>/dev/null && break; sleep 0.1; done
url="$(head -1 "$work/ui.out")"
token="${url##*token=}"
base="${url%%/traces*}"

best() {  # the best of $runs wall times of a command, in seconds
  python3 - "$runs" "$@" <<'PY'
import subprocess, sys, time
runs, command = int(sys.argv[1]), sys.argv[2:]
times = []
for _ in range(runs):
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append(time.perf_counter() - start)
print(f"{min(times):.3f}")
PY
}
page=$(best curl -sf -b "folio_ui=$token" "$base/traces")
list=$(best "$bin" traces list "$work/traces" --limit 50)
dashboard=$(best curl -sf -b "folio_ui=$token" "$base/dashboard?prompt=support_ticket_triage&label=app.expected_team")
report=$(best "$bin" report "$work/traces" --prompt support_ticket_triage --label-attr app.expected_team --by version --format json)
echo "calls: $spans, each with a wrapper span; best of $runs"
echo "Traces page, first 50 rows: ${page} s; folio traces list --limit 50: ${list} s; ratio $(python3 -c "print(f'{$page / $list:.2f}x')") (goal <= 1.5x)"
echo "Dashboard: ${dashboard} s; folio report --format json: ${report} s; ratio $(python3 -c "print(f'{$dashboard / $report:.2f}x')") (goal <= 1.5x)"
