#!/usr/bin/env bash
# folio eval of 500 cases against a loopback OpenAI-compatible provider that answers after
# 100 ms, with concurrency 16. The ideal wall time is 500 / 16 x 100 ms = 3.125 s; prints
# the measured wall time over that ideal, in the same run. Goal: <= 1.10x.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${FOLIO_BIN:-$root/.build/release/folio}"
cases="${CASES:-500}"
concurrency="${CONCURRENCY:-16}"
work="$(mktemp -d)"
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

# The provider: a threaded HTTP server that sleeps 100 ms, then answers in OpenAI's shape.
python3 - "$work/port" <<'PY' &
import json, sys, threading, time
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = -1  # headers and body leave in one write (no Nagle/delayed-ACK stall)
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(0.1)
        body = json.dumps({"model": "bench-model", "choices": [{"index": 0, "message": {"role": "assistant", "content": "billing"}}],
                           "usage": {"prompt_tokens": 120, "completion_tokens": 1}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer.request_queue_size = 256
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
open(sys.argv[1] + ".tmp", "w").write(str(server.server_address[1]))
import os; os.replace(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
PY
server=$!
until [ -s "$work/port" ]; do sleep 0.05; done
port=$(cat "$work/port")

repo="$work/repo"
mkdir -p "$repo/prompts" "$repo/goldensets/bench"
cd "$repo"
git init -q -b main
cat > folio.yaml <<YAML
schema: folio/config@1
providers:
  bench: { kind: openai, base_url: "http://127.0.0.1:$port/v1", concurrency: $concurrency, timeout: 30 }
YAML
cat > prompts/bench.yaml <<'YAML'
schema: folio/prompt@1
name: bench
model: { provider: bench, name: bench-model, temperature: 0 }
variables:
  ticket_text: { type: string, required: true }
messages:
  - role: system
    content: Answer with one word.
  - role: user
    content: "{{ticket_text}}"
YAML
{
  echo "schema: folio/goldenset@1"
  echo "prompt: bench"
  echo "cases:"
  for i in $(seq 1 "$cases"); do
    echo "  - id: case-$i"
    echo "    vars: { ticket_text: \"Ticket number $i about a refund\" }"
    echo "    expected: billing"
  done
} > goldensets/bench/cases.yaml

start=$(date +%s.%N)
"$bin" eval bench --no-cache --format json > "$work/report.json" 2> "$work/eval.log"
end=$(date +%s.%N)
python3 - "$start" "$end" "$cases" "$concurrency" "$work/report.json" <<'PY'
import json, sys
start, end, cases, concurrency = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
report = json.load(open(sys.argv[5]))
summary = report["runs"][0]["summaries"][0]
assert summary["passed"] == cases, summary
ideal = cases / concurrency * 0.1
wall = end - start
print(f"folio eval: {cases} cases, concurrency {concurrency}, provider latency 100 ms")
print(f"wall time:  {wall:.3f} s (whole command); ideal {ideal:.3f} s")
print(f"ratio wall/ideal: {wall / ideal:.3f}x (goal <= 1.10x)")
PY
