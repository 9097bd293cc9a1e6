"""For Benchmarks/collect.sh: writes a batch of 512 spans (protobuf or JSON) for wrk to
post, and measures the physical limit of acknowledge-after-write on this disk: the same
bytes appended to a file with one fsync per batch.

argv: <protobuf|json> <seconds> <scratch folder>
Prints: <limit spans/s> <limit p99 ms>
"""
import json
import os
import sys
import time

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import KeyValue, AnyValue
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span

KIND, SECONDS, SCRATCH = sys.argv[1], float(sys.argv[2]), sys.argv[3]
SPANS = 512


def attributes(index):
    pairs = {"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.prompt.name": "support_ticket_triage",
             "gen_ai.prompt.version": str(index % 3 + 1), "gen_ai.output.messages": "billing"}
    return pairs


def protobuf_batch(seed):
    spans = []
    for index in range(SPANS):
        span = Span(trace_id=(seed * 100000 + index).to_bytes(16, "big"), span_id=(index + 1).to_bytes(8, "big"), name="chat gpt-4o-mini",
                    start_time_unix_nano=1_764_460_800_000_000_000 + index, end_time_unix_nano=1_764_460_800_650_000_000 + index)
        for key, value in attributes(index).items():
            span.attributes.append(KeyValue(key=key, value=AnyValue(string_value=value)))
        span.attributes.append(KeyValue(key="gen_ai.usage.input_tokens", value=AnyValue(int_value=33)))
        spans.append(span)
    return ExportTraceServiceRequest(resource_spans=[ResourceSpans(scope_spans=[ScopeSpans(spans=spans)])]).SerializeToString()


def json_batch(seed):
    spans = []
    for index in range(SPANS):
        spans.append({"traceId": "%032x" % (seed * 100000 + index), "spanId": "%016x" % (index + 1), "name": "chat gpt-4o-mini",
                      "startTimeUnixNano": str(1_764_460_800_000_000_000 + index), "endTimeUnixNano": str(1_764_460_800_650_000_000 + index),
                      "attributes": [{"key": k, "value": {"stringValue": v}} for k, v in attributes(index).items()]
                      + [{"key": "gen_ai.usage.input_tokens", "value": {"intValue": "33"}}]})
    return json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": spans}]}]}).encode()


make = protobuf_batch if KIND == "protobuf" else json_batch
content_type = "application/x-protobuf" if KIND == "protobuf" else "application/json"
bodies = [make(seed) for seed in range(8)]

# The limit: the same bytes, appended with one fsync per batch.
path = os.path.join(SCRATCH, "limit.bin")
descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
start = time.perf_counter()
written = 0
fsync_latencies = []
while time.perf_counter() - start < SECONDS:
    began = time.perf_counter()
    os.write(descriptor, bodies[written % len(bodies)])
    os.fsync(descriptor)
    fsync_latencies.append(time.perf_counter() - began)
    written += 1
limit_rate = written * SPANS / (time.perf_counter() - start)
os.close(descriptor)
os.unlink(path)

with open(os.path.join(SCRATCH, f"batch.{KIND}"), "wb") as file:
    file.write(bodies[0])


def p99(values):
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.99 + 0.5) - 1)] * 1000 if ordered else float("nan")


print(f"{limit_rate:.0f} {p99(fsync_latencies):.2f}")
