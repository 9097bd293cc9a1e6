#!/usr/bin/env bash
# folio report over 200,000 generated LLM calls, each inside a wrapper span of the app's
# that names the prompt and carries the label (OTLP JSON Lines, the call before its wrapper
# as exporters send them), so the trace join does the work; against a Python baseline that
# computes the same aggregates with the same join, json.loads per line, in the same run.
# Prints both throughputs per call, the ratio (goal >= 1x) and folio's peak memory
# (goal <= 256 MB); and DuckDB 2.0 (read_json, the same aggregates through the same parent
# join, 2 threads) on the same file: goal folio at least 1.5x DuckDB's speed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${FOLIO_BIN:-$root/.build/release/folio}"
spans="${SPANS:-200000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 "$root/Benchmarks/make-calls.py" "$work/spans.jsonl" "$spans"
size=$(du -m "$work/spans.jsonl" | cut -f1)

# DuckDB from PyPI, pinned, in a virtualenv of its own under .build (made once).
duck="$root/.build/bench/duckdb"
if [ ! -x "$duck/bin/python" ] || ! "$duck/bin/python" -c "import duckdb, sys; sys.exit(duckdb.__version__ != '2.0.0')" 2>/dev/null; then
  rm -rf "$duck" && python3 -m venv "$duck" && "$duck/bin/pip" install --quiet --disable-pip-version-check duckdb==2.0.0
fi
cat > "$work/duck_report.py" <<'PY'
import sys, duckdb
con = duckdb.connect()
con.execute("SET threads = 2")
rows = con.execute("""
WITH spans AS (
  SELECT s.traceId AS trace, s.spanId AS span, s.parentSpanId AS parent, s.status AS status,
         CAST(s.startTimeUnixNano AS UBIGINT) AS t0, CAST(s.endTimeUnixNano AS UBIGINT) AS t1,
         map_from_entries([(a.key, coalesce(a.value.stringValue, CAST(a.value.intValue AS VARCHAR), CAST(a.value.doubleValue AS VARCHAR))) for a in s.attributes]) AS attrs
  FROM (SELECT unnest(ss.spans) AS s FROM (SELECT unnest(rs.scopeSpans) AS ss FROM (SELECT unnest(resourceSpans) AS rs FROM read_json(?, format = 'newline_delimited'))))
), calls AS (
  SELECT c.*, w.attrs AS up FROM spans c LEFT JOIN spans w ON w.trace = c.trace AND w.span = c.parent
  WHERE c.attrs['gen_ai.operation.name'] IS NOT NULL
)
SELECT coalesce(attrs['gen_ai.prompt.name'], up['gen_ai.prompt.name']) AS prompt, coalesce(attrs['gen_ai.prompt.version'], up['gen_ai.prompt.version']) AS version,
  count(*) AS calls, avg(CASE WHEN status.code = 2 THEN 1 ELSE 0 END) AS error_rate,
  avg(CAST(attrs['gen_ai.usage.input_tokens'] AS DOUBLE)) AS input_mean,
  sum((CAST(attrs['gen_ai.usage.input_tokens'] AS DOUBLE) * CASE attrs['gen_ai.request.model'] WHEN 'gpt-4o' THEN 2.5 ELSE 0.15 END
     + CAST(attrs['gen_ai.usage.output_tokens'] AS DOUBLE) * CASE attrs['gen_ai.request.model'] WHEN 'gpt-4o' THEN 10 ELSE 0.6 END) / 1e6) AS cost,
  quantile_disc((t1 - t0) / 1e6, [0.5, 0.95, 0.99]) AS latency,
  quantile_disc(CAST(attrs['gen_ai.response.time_to_first_chunk'] AS DOUBLE) * 1000, 0.95) AS ttft_p95,
  1 - avg(CASE WHEN lower(trim(json_extract_string(attrs['gen_ai.output.messages'], '$[-1].parts[0].content'))) = lower(trim(coalesce(attrs['app.expected_team'], up['app.expected_team']))) THEN 1 ELSE 0 END) AS misclassification
FROM calls GROUP BY ALL ORDER BY ALL
""", [sys.argv[1]]).fetchall()
for row in rows:
    print(*row)
PY

cat > "$work/baseline.py" <<'PY'
import json, math, sys
from collections import defaultdict
PRICES = {"gpt-4o": (2.5, 10.0), "gpt-4o-mini": (0.15, 0.6)}
def pct(values, p):
    values = sorted(values)
    return values[max(0, min(len(values) - 1, math.ceil(p * len(values)) - 1))] if values else None
groups = defaultdict(lambda: {"spans": 0, "errors": 0, "in": [], "out": [], "cost": [], "lat": [], "ttft": [], "labelled": 0, "correct": 0})
# The join: calls and wrappers by (trace, span); calls take identity and label from their parent.
calls, wrappers = [], {}
for line in open(sys.argv[1]):
    request = json.loads(line)
    for rs in request["resourceSpans"]:
        for ss in rs["scopeSpans"]:
            for span in ss["spans"]:
                attrs = {a["key"]: next(iter(a["value"].values())) for a in span["attributes"]}
                if "gen_ai.operation.name" in attrs:
                    calls.append((span, attrs))
                else:
                    wrappers[(span["traceId"], span["spanId"])] = attrs
for span, attrs in calls:
                parent = wrappers.get((span["traceId"], span.get("parentSpanId")), {})
                attrs = {**parent, **attrs}
                g = groups[(attrs.get("gen_ai.prompt.name"), attrs.get("gen_ai.prompt.version"))]
                g["spans"] += 1
                if span.get("status", {}).get("code") == 2: g["errors"] += 1
                i, o = int(attrs["gen_ai.usage.input_tokens"]), int(attrs["gen_ai.usage.output_tokens"])
                g["in"].append(i); g["out"].append(o)
                price = PRICES.get(attrs["gen_ai.request.model"])
                g["cost"].append((i * price[0] + o * price[1]) / 1e6)
                g["lat"].append((int(span["endTimeUnixNano"]) - int(span["startTimeUnixNano"])) / 1e6)
                g["ttft"].append(attrs["gen_ai.response.time_to_first_chunk"] * 1000)
                output = json.loads(attrs["gen_ai.output.messages"])[-1]["parts"][0]["content"]
                g["labelled"] += 1
                g["correct"] += output.strip().lower() == attrs["app.expected_team"].strip().lower()
for key, g in sorted(groups.items()):
    print(key, g["spans"], g["errors"] / g["spans"], sum(g["in"]) / len(g["in"]), sum(g["cost"]), pct(g["lat"], .5), pct(g["lat"], .95), pct(g["lat"], .99), pct(g["ttft"], .95), 1 - g["correct"] / g["labelled"])
PY

DUCK_PYTHON="$duck/bin/python" python3 - "$bin" "$work" "$spans" "$size" <<'PY'
import os, resource, subprocess, sys, time
bin, work, spans, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def run(command):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{command[0]} failed: {result.stderr}")
    return elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, result.stdout
# The folio run goes first so the peak-memory reading (the largest child so far) is its own.
folio_time, folio_rss, folio_out = run([bin, "report", f"{work}/spans.jsonl", "--label-attr", "app.expected_team", "--format", "json"])
python_time, _, python_out = run([sys.executable, f"{work}/baseline.py", f"{work}/spans.jsonl"])
duck_python = os.environ["DUCK_PYTHON"]

# DuckDB's peak is read on its own: RUSAGE_CHILDREN keeps the largest child, folio's so far.
duck_start = time.perf_counter()
duck = subprocess.run(["/usr/bin/time", "-f", "%M", duck_python, f"{work}/duck_report.py", f"{work}/spans.jsonl"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
duck_time = time.perf_counter() - duck_start
if duck.returncode != 0:
    sys.exit(f"duckdb failed: {duck.stderr}")
duck_rss = int(duck.stderr.strip().splitlines()[-1])
# The same report with Foundation's JSONSerialization in place of JSONNode: what the reader buys.
os.environ["FOLIO_TRACE_JSON"] = "foundation"
foundation_time, _, foundation_out = run([bin, "report", f"{work}/spans.jsonl", "--label-attr", "app.expected_team", "--format", "json"])
del os.environ["FOLIO_TRACE_JSON"]
# (Foundation's number parsing is not always correctly rounded: compare to 9 digits.)
import json
def rounded(value):
    if isinstance(value, float): return float("%.9g" % value)
    if isinstance(value, list): return [rounded(item) for item in value]
    if isinstance(value, dict): return {key: rounded(item) for key, item in value.items()}
    return value
if rounded(json.loads(foundation_out)) != rounded(json.loads(folio_out)):
    sys.exit("the report differs with Foundation's JSON reader")
print(f"calls: {spans}, each with a wrapper span ({size} MB of OTLP JSON Lines)")
print(f"folio report:          {folio_time:.2f} s, {spans / folio_time:,.0f} calls/s, peak memory {folio_rss / 1024:.0f} MB (goal <= 256 MB)")
print(f"Python json.loads:     {python_time:.2f} s, {spans / python_time:,.0f} calls/s")
print(f"throughput folio/Python: {python_time / folio_time:.2f}x (goal >= 1x)")
print(f"with Foundation's JSONSerialization: {foundation_time:.2f} s; JSONNode/Foundation: {foundation_time / folio_time:.2f}x")
print(f"DuckDB 2.0 read_json, 2 threads: {duck_time:.2f} s, peak memory {duck_rss / 1024:.0f} MB; folio/DuckDB speed: {duck_time / folio_time:.2f}x (goal >= 1.5x)")
PY
