"""COUNT generated LLM calls as OTLP JSON Lines at PATH, each inside a wrapper span of the
app's that names the prompt (support_ticket_triage, versions 1 and 2) and carries the label
(app.expected_team), the call before its wrapper as exporters send them; v1 misroutes a third
of the technical tickets to billing. For report.sh and ui.sh.

Usage: make-calls.py PATH COUNT
"""
import json, os, random, sys
random.seed(7)
path, count = sys.argv[1], int(sys.argv[2])
os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
teams = ["billing", "technical", "account", "general"]
base = 1_764_460_800 * 10**9
with open(path, "w") as out:
    for i in range(count):
        version = 1 if (i // 4) % 2 == 0 else 2
        expected = teams[i % 4]
        wrong = version == 1 and expected == "technical" and i % 3 == 0
        answer = "billing" if wrong else expected
        start = base + (i * 86_400 * 10**9 * 7) // count
        latency = random.randint(300, 1500) * 10**6
        attrs = [
            {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
            {"key": "gen_ai.provider.name", "value": {"stringValue": "openai"}},
            {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o" if i % 5 else "gpt-4o-mini"}},
            {"key": "gen_ai.usage.input_tokens", "value": {"intValue": str(random.randint(100, 400))}},
            {"key": "gen_ai.usage.output_tokens", "value": {"intValue": str(random.randint(1, 5))}},
            {"key": "gen_ai.response.time_to_first_chunk", "value": {"doubleValue": random.random()}},
            {"key": "gen_ai.input.messages", "value": {"stringValue": json.dumps([{"role": "user", "parts": [{"type": "text", "content": "Ticket %d about my invoice and the payments API" % i}]}])}},
            {"key": "gen_ai.output.messages", "value": {"stringValue": json.dumps([{"role": "assistant", "parts": [{"type": "text", "content": answer}]}])}},
        ]
        span = {"traceId": "%032x" % (i + 1), "spanId": "%016x" % (2 * i + 2), "parentSpanId": "%016x" % (2 * i + 1), "name": "chat gpt-4o", "kind": 3,
                "startTimeUnixNano": str(start), "endTimeUnixNano": str(start + latency), "attributes": attrs,
                "status": {"code": 2} if i % 97 == 0 else {}}
        wrapper = {"traceId": "%032x" % (i + 1), "spanId": "%016x" % (2 * i + 1), "name": "triage_ticket",
                   "startTimeUnixNano": str(start), "endTimeUnixNano": str(start + latency + 10**6), "attributes": [
                       {"key": "gen_ai.prompt.name", "value": {"stringValue": "support_ticket_triage"}},
                       {"key": "gen_ai.prompt.version", "value": {"intValue": str(version)}},
                       {"key": "app.expected_team", "value": {"stringValue": expected}},
                   ]}
        out.write(json.dumps({"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "support-app"}}]},
                                                  "scopeSpans": [{"scope": {"name": "app"}, "spans": [span, wrapper]}]}]}) + "\n")
