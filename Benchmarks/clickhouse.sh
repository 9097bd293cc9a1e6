#!/usr/bin/env bash
# folio report on the Collector's ClickHouse tables (the real engine, chdb-core, behind the
# test front), in one run:
#   - spans generated inside ClickHouse in the exporter's schema: twelve prompts, three
#     versions, labels, output messages, a wrapper span carrying the prompt on half the calls;
#   - `folio report --source clickhouse://…` against the same SQL sent alone with curl (the
#     query and parameters folio sent, from the front's log): goal at most 1.2x;
#   - at 1,000,000 spans, against `folio report` on the same spans exported as OTLP JSON
#     files: goal at least 20x faster;
#   - folio's peak memory at the largest size: goal at most 64 MB;
#   - time against span count (SIZES, default 1M 3M 10M) for each path.
# Each ClickHouse figure is the faster of two runs, taken in turn with the other's.
# Needs `make clickhouse` (chdb-core in .build/chdb) and a release build (FOLIO_BIN).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${FOLIO_BIN:-$root/.build/release/folio}"
python="$("$root/Scripts/clickhouse-env.sh")"
sizes="${SIZES:-1000000 3000000 10000000}"
files_at="${FILES_AT:-1000000}"
work="$(mktemp -d)"
front_pid=""
cleanup() { [ -n "$front_pid" ] && kill "$front_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$python" "$root/Tests/ClickHouseFront/front.py" "$work/data" --ready-file "$work/ready" --log-queries "$work/queries.log" >/dev/null 2>"$work/front.err" &
front_pid=$!
for _ in $(seq 100); do [ -f "$work/ready" ] && break; sleep 0.1; done
endpoint="$(cat "$work/ready")"
sql() { curl -sS --fail-with-body "$endpoint/" --data-binary "$1"; }
url="clickhouse://default@${endpoint#http://}/bench"
: > "$work/empty.jsonl"
"$bin" traces import "$work/empty.jsonl" --to "$url" --create-tables >/dev/null

# One call per number; calls with an even number sit under a wrapper span that names the
# prompt and holds the label (the call then names neither), the others name both themselves.
generate() {
  sql "TRUNCATE TABLE bench.otel_traces"
  sql "INSERT INTO bench.otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, SpanName, SpanKind, ServiceName, ResourceAttributes, SpanAttributes, Duration, StatusCode)
    SELECT
      toDateTime64(1764460800 + intDiv(n * 604800, $1), 9) + toIntervalMillisecond(k) AS Timestamp,
      leftPad(lower(hex(n + 1)), 32, '0') AS TraceId,
      leftPad(lower(hex(2 * n + 2 + k)), 16, '0') AS SpanId,
      if(k = 0 AND n % 2 = 0, leftPad(lower(hex(2 * n + 3)), 16, '0'), '') AS ParentSpanId,
      if(k = 0, 'chat gpt-4o', 'triage_ticket') AS SpanName,
      if(k = 0, 'Client', 'Internal') AS SpanKind,
      if(n % 3 = 0, 'triage-service', 'support-app') AS ServiceName,
      map('service.name', ServiceName) AS ResourceAttributes,
      if(k = 0,
        mapUpdate(
          map('gen_ai.operation.name', 'chat', 'gen_ai.provider.name', 'openai', 'gen_ai.request.model', if(n % 5 = 0, 'gpt-4o-mini', 'gpt-4o'),
              'gen_ai.usage.input_tokens', toString(100 + n % 300), 'gen_ai.usage.output_tokens', toString(1 + n % 5),
              'gen_ai.response.time_to_first_chunk', toString((n % 1000) / 1000),
              'gen_ai.input.messages', concat('[{\"role\": \"user\", \"parts\": [{\"type\": \"text\", \"content\": \"Ticket ', toString(n), ' about my invoice\"}]}]'),
              'gen_ai.output.messages', concat('[{\"role\": \"assistant\", \"parts\": [{\"type\": \"text\", \"content\": \"', if(n % 7 = 0, 'billing', ['billing', 'technical', 'account', 'general'][n % 4 + 1]), '\"}]}]')),
          if(n % 2 = 0, map(), map('gen_ai.prompt.name', concat('prompt_', toString(n % 12)), 'gen_ai.prompt.version', toString(1 + intDiv(n, 7) % 3),
              'app.expected_team', ['billing', 'technical', 'account', 'general'][n % 4 + 1]))),
        map('gen_ai.prompt.name', concat('prompt_', toString(n % 12)), 'gen_ai.prompt.version', toString(1 + intDiv(n, 7) % 3),
            'app.expected_team', ['billing', 'technical', 'account', 'general'][n % 4 + 1])) AS SpanAttributes,
      toUInt64(300000000 + (n * 7919) % 1200000000) AS Duration,
      if(n % 97 = 0, 'Error', 'Unset') AS StatusCode
    FROM (SELECT number AS n, arrayJoin(if(number % 2 = 0, [0, 1], [0])) AS k FROM numbers($1))"
}

# Seconds and peak RSS (MB) of a command.
measure() {
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  read -r seconds kilobytes < "$work/time"
  echo "$seconds $((kilobytes / 1024))"
}

export_files() {
  mkdir -p "$work/files"
  sql "SELECT concat('{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":', toJSONString(ServiceName), '}}]},\"scopeSpans\":[{\"scope\":{\"name\":\"bench\"},\"spans\":[{\"traceId\":\"', TraceId, '\",\"spanId\":\"', SpanId, '\"', if(ParentSpanId = '', '', concat(',\"parentSpanId\":\"', ParentSpanId, '\"')), ',\"name\":', toJSONString(SpanName), ',\"kind\":3,\"startTimeUnixNano\":\"', toString(toUnixTimestamp64Nano(Timestamp)), '\",\"endTimeUnixNano\":\"', toString(toUnixTimestamp64Nano(Timestamp) + Duration), '\"', if(StatusCode = 'Error', ',\"status\":{\"code\":2}', ''), ',\"attributes\":[', arrayStringConcat(arrayMap((k, v) -> concat('{\"key\":', toJSONString(k), ',\"value\":{\"stringValue\":', toJSONString(v), '}}'), mapKeys(SpanAttributes), mapValues(SpanAttributes)), ','), ']}]}]}]}') FROM bench.otel_traces FORMAT TSVRaw" > "$work/files/spans.jsonl"
}

echo "spans       folio+ClickHouse  curl (same SQL)  ratio   folio MB   files (folio)  files/ClickHouse"
# The faster of two runs, for folio and for curl in turn: the first query after an insert
# shares the engine with its merges.
best() { python3 -c "import sys; print(min(float(a) for a in sys.argv[1:]))" "$@"; }

for size in $sizes; do
  generate "$size"
  sql "OPTIMIZE TABLE bench.otel_traces FINAL"
  spans=$(sql "SELECT count() FROM bench.otel_traces")
  : > "$work/queries.log"
  read -r folio_s folio_mb < <(measure "$bin" report --source "$url" --label-attr app.expected_team --format json)
  cp "$work/out" "$work/clickhouse.json"
  # The query folio sent, and its parameters, replayed alone.
  "$python" - "$work/queries.log" "$work/query.sql" "$work/params" <<'PY'
import ast, sys, urllib.parse
text = open(sys.argv[1]).read()
head, _, rest = text.partition("\n")
params = ast.literal_eval(head.split(" bytes ", 1)[1])
open(sys.argv[2], "w").write(rest.rsplit("\n;\n", 1)[0])
open(sys.argv[3], "w").write("&".join(f"param_{k}={urllib.parse.quote(v)}" for k, v in params.items()))
PY
  read -r curl_s _ < <(measure curl -sS --fail-with-body "$endpoint/?database=bench&$(cat "$work/params")" --data-binary @"$work/query.sql")
  read -r folio_again folio_mb_again < <(measure "$bin" report --source "$url" --label-attr app.expected_team --format json)
  cmp -s "$work/out" "$work/clickhouse.json" || { echo "folio's second report differs from its first" >&2; exit 1; }
  read -r curl_again _ < <(measure curl -sS --fail-with-body "$endpoint/?database=bench&$(cat "$work/params")" --data-binary @"$work/query.sql")
  folio_s=$(best "$folio_s" "$folio_again")
  curl_s=$(best "$curl_s" "$curl_again")
  folio_mb=$((folio_mb > folio_mb_again ? folio_mb : folio_mb_again))
  files_s="-"
  ratio_files="-"
  if [ "$size" = "$files_at" ]; then
    export_files
    read -r files_s _ < <(measure "$bin" report "$work/files" --label-attr app.expected_team --format json)
    ratio_files=$(python3 -c "print(f'{$files_s / $folio_s:.1f}x')")
    cmp -s "$work/out" "$work/clickhouse.json" || { echo "the report from the files differs from ClickHouse's" >&2; diff "$work/out" "$work/clickhouse.json" | head -20 >&2; exit 1; }
    rm -rf "$work/files"
  fi
  printf "%-11s %-17s %-16s %-7s %-10s %-14s %s\n" "$spans" "${folio_s} s" "${curl_s} s" "$(python3 -c "print(f'{$folio_s / $curl_s:.2f}x')")" "$folio_mb" "$files_s s" "$ratio_files"
done
echo "(ratio: folio's time over curl's, goal <= 1.2x; files/ClickHouse: goal >= 20x; folio MB: goal <= 64)"
