#!/usr/bin/env bash
# SDK cached render of the triage prompt against Python's chevron rendering the same two
# templates with the same values, in the same run. Prints the speed-up; goal >= 20x.
source "$(dirname "$0")/deploy-fixture.sh"
iterations="${ITERATIONS:-200000}"
python3 -m venv "$work/venv" >/dev/null
"$work/venv/bin/pip" install -q chevron==0.14.0
"$bin/folio" serve "$work/dist" --port 0 > "$work/serve.log" 2>/dev/null &
server=$!
cleanup="kill $server 2>/dev/null"
until grep -q "http://127.0.0.1:" "$work/serve.log"; do sleep 0.05; done
port=$(sed -n 's/.*http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/serve.log" | head -1)
[ -n "${PERF:-}" ] && perf record -g -o /tmp/perfr.data "$bin/folio-bench" render "http://127.0.0.1:$port/production/manifest.json" "$work/key.pub" "$iterations" >/dev/null 2>&1
swift_ns=$("$bin/folio-bench" render "http://127.0.0.1:$port/production/manifest.json" "$work/key.pub" "$iterations")
python_ns=$("$work/venv/bin/python" - "$work/dist/production/manifest.json" "$iterations" <<'PY'
import json, sys, time
import chevron
manifest = json.load(open(sys.argv[1]))
prompt = manifest["prompts"]["support_ticket_triage"]
templates = [m["content"] for m in prompt["messages"]]
values = {"ticket_text": "The billing API returns wrong amounts for annual plans", "ticket_type": "email", "customer_tier": "enterprise"}
iterations = int(sys.argv[2]) // 10
start = time.perf_counter()
for _ in range(iterations):
    messages = [chevron.render(t, values) for t in templates]
print("%.1f" % ((time.perf_counter() - start) / iterations * 1e9))
PY
)
echo "SDK cached render:   $swift_ns ns per render"
echo "chevron (Python):    $python_ns ns per render"
python3 -c "print('speed-up SDK/chevron: %.1fx (goal >= 20x)' % ($python_ns / $swift_ns))"
