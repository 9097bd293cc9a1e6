#!/usr/bin/env bash
# folio collect against the physical limit of acknowledge-after-write (the same bytes
# appended to a file with one fsync per batch, measured in the same run), for protobuf
# and JSON batches of 512 spans posted by wrk over keep-alive connections. Prints
# acknowledged spans/s, p99 acknowledgement latency and the ratio; goal >= 0.5x. Never a
# CI gate.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/.build/release/folio"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
[ -x "$bin" ] || (cd "$root" && swift build -c release --product folio >/dev/null)
python="$("$root/Scripts/python-env.sh")"
work="$(mktemp -d)"
trap 'kill $collector 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin" collect --port 0 --grpc-port 0 --out "$work/traces" > "$work/collect.log" 2>&1 &
collector=$!
until grep -q "http://127.0.0.1:" "$work/collect.log"; do sleep 0.05; done
port=$(sed -n 's/.*http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/collect.log" | head -1)
duration="${DURATION:-5}"
for kind in protobuf json; do
  read -r limit limit_p99 < <("$python" "$root/Benchmarks/collect.py" "$kind" "$duration" "$work")
  type=$([ "$kind" = protobuf ] && echo application/x-protobuf || echo application/json)
  cat > "$work/post.lua" <<LUA
local file = io.open("$work/batch.$kind", "rb")
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "$type"
LUA
  out=$(wrk -t2 -c"${CONNECTIONS:-16}" -d"${duration}s" --latency -s "$work/post.lua" "http://127.0.0.1:$port/v1/traces")
  rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
  p99=$(awk '$1 == "99%" {print $2}' <<< "$out")
  errors=$(grep -E "Non-2xx|Socket errors" <<< "$out" || true)
  python3 -c "
rate = $rps * 512
print('$kind: folio collect acknowledged %s spans/s (p99 %s per batch of 512); write+fsync per batch: %s spans/s (p99 %s ms); ratio %.2fx (goal >= 0.5x)' % (format(int(rate), ','), '$p99', format(int($limit), ','), '$limit_p99', rate / $limit))"
  [ -z "$errors" ] || echo "  $errors"
done
