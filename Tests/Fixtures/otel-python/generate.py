"""Generates OTLP JSON fixtures with the real OpenTelemetry Python SDK.

Spans are made with the SDK's tracer, encoded by its official OTLP encoder
(opentelemetry-exporter-otlp-proto-common) into an ExportTraceServiceRequest, then
turned into JSON with protobuf's JSON mapping (which writes ids as base64 and int64 as
strings); spans.jsonl has the ids converted to hex as OTLP/JSON requires, and
export-base64.json keeps protobuf's base64 ids, pretty-printed, as one OTLP/HTTP body.

Covered: gen_ai.* attributes with messages as JSON strings; the same messages as
structured AnyValues (array/kvlist, set on the encoded protobuf, since the Python API
only takes primitive attributes); an error span; Traceloop's spellings
(traceloop.prompt.*, gen_ai.prompt.{i}.*, gen_ai.completion.{i}.*, gen_ai.system);
Langfuse's (langfuse.observation.prompt.*); a time-to-first-chunk attribute; and an
evaluation event carrying a label.

Run: python3 -m venv .venv && .venv/bin/pip install opentelemetry-sdk==1.45.2 \
       opentelemetry-exporter-otlp-proto-common==1.45.2 && .venv/bin/python generate.py
"""
import base64
import json
import os

from google.protobuf.json_format import MessageToDict
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, ArrayValue, KeyValue, KeyValueList
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.id_generator import IdGenerator
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = 1_764_460_800_000_000_000  # 2025-11-30T00:00:00Z in ns: fixed, so the output is stable

SYSTEM = "You are a support ticket classifier. Answer billing, technical, account or general."
TICKETS = [
    ("I need a refund for my last payment", "billing", "billing"),
    ("The billing API returns wrong amounts for annual plans", "billing", "technical"),
    ("I cannot log in with SSO since yesterday", "account", "account"),
]


def messages(ticket):
    return [{"role": "user", "parts": [{"type": "text", "content": ticket}]}]


def output(answer):
    return [{"role": "assistant", "parts": [{"type": "text", "content": answer}], "finish_reason": "stop"}]


class FixedIds(IdGenerator):
    """Deterministic trace and span ids."""

    def __init__(self):
        self.counter = 0

    def generate_trace_id(self):
        self.counter += 1
        return 0x4BF92F3577B34DA6A3CE929D0E0E0000 + self.counter

    def generate_span_id(self):
        self.counter += 1
        return 0x00F067AA0BA90000 + self.counter


def make_spans():
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "support-app", "service.version": "1.4.0", "service.instance.id": "fixture-instance-1"}), id_generator=FixedIds())
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("folio-fixtures", "1.0")
    at = BASE

    def chat(name_attrs, start, duration_ms, error=None, events=()):
        span = tracer.start_span("chat gpt-4o", kind=SpanKind.CLIENT, start_time=start, attributes=name_attrs)
        for event_name, event_attrs in events:
            span.add_event(event_name, event_attrs, timestamp=start + duration_ms * 1_000_000 - 1000)
        if error:
            span.set_status(Status(StatusCode.ERROR, error))
            span.set_attribute("error.type", "RateLimitError")
        span.end(end_time=start + duration_ms * 1_000_000)

    # Current conventions, messages as JSON strings; prompt identity from gen_ai.prompt.*.
    for index, (ticket, answer, expected) in enumerate(TICKETS):
        chat({
            "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai",
            "gen_ai.request.model": "gpt-4o", "gen_ai.response.model": "gpt-4o-2024-08-06",
            "gen_ai.request.temperature": 0.0, "gen_ai.request.max_tokens": 256,
            "gen_ai.usage.input_tokens": 120 + index, "gen_ai.usage.output_tokens": 1,
            "gen_ai.response.time_to_first_chunk": 0.21 + index / 100,
            "gen_ai.prompt.name": "support_ticket_triage", "gen_ai.prompt.version": 1,
            "gen_ai.prompt.variable.ticket_text": ticket,
            "gen_ai.system_instructions": json.dumps([{"type": "text", "content": SYSTEM}]),
            "gen_ai.input.messages": json.dumps(messages(ticket)),
            "gen_ai.output.messages": json.dumps(output(answer)),
            "app.expected_team": expected,
        }, at + index * 60_000_000_000, 640 + 10 * index,
            events=[("gen_ai.evaluation.result", {"gen_ai.evaluation.name": "team", "gen_ai.evaluation.score.label": "pass" if answer == expected else "fail"})])

    # The same call with messages to be rewritten as structured values (see structure()).
    chat({
        "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
        "gen_ai.usage.input_tokens": 118, "gen_ai.usage.output_tokens": 1,
        "gen_ai.prompt.name": "support_ticket_triage", "gen_ai.prompt.version": 2,
        "gen_ai.input.messages": "STRUCTURED", "gen_ai.output.messages": "STRUCTURED",
    }, at + 300_000_000_000, 590)

    # An error span: the provider rate-limited the call.
    chat({
        "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
        "gen_ai.prompt.name": "support_ticket_triage", "gen_ai.prompt.version": 2,
        "gen_ai.input.messages": json.dumps(messages("Where is my invoice?")),
    }, at + 360_000_000_000, 85, error="429 Too Many Requests")

    # Traceloop (OpenLLMetry) spellings: flattened prompt/completion and gen_ai.system.
    chat({
        "gen_ai.system": "Anthropic", "gen_ai.request.model": "claude-3-5-haiku", "llm.request.type": "chat",
        "gen_ai.usage.prompt_tokens": 131, "gen_ai.usage.completion_tokens": 2,
        "traceloop.prompt.key": "support_ticket_triage", "traceloop.prompt.version": 3,
        "gen_ai.prompt.0.role": "system", "gen_ai.prompt.0.content": SYSTEM,
        "gen_ai.prompt.1.role": "user", "gen_ai.prompt.1.content": "Payments endpoint times out",
        "gen_ai.completion.0.role": "assistant", "gen_ai.completion.0.content": "technical",
    }, at + 420_000_000_000, 910)

    # Langfuse spellings.
    chat({
        "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.usage.input_tokens": 125, "gen_ai.usage.output_tokens": 1,
        "langfuse.observation.prompt.name": "support_ticket_triage", "langfuse.observation.prompt.version": 4,
        "gen_ai.input.messages": json.dumps(messages("Change my plan to annual")),
        "gen_ai.output.messages": json.dumps(output("billing")),
    }, at + 480_000_000_000, 450)
    provider.shutdown()
    return exporter.get_finished_spans()


def any_value(value):
    if isinstance(value, dict):
        return AnyValue(kvlist_value=KeyValueList(values=[KeyValue(key=k, value=any_value(v)) for k, v in value.items()]))
    if isinstance(value, list):
        return AnyValue(array_value=ArrayValue(values=[any_value(v) for v in value]))
    return AnyValue(string_value=value)


def structure(request):
    """Replaces the STRUCTURED placeholders with array/kvlist AnyValues."""
    for resource_spans in request.resource_spans:
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                for attribute in span.attributes:
                    if attribute.value.string_value != "STRUCTURED":
                        continue
                    value = messages("My card was charged twice") if attribute.key == "gen_ai.input.messages" else output("billing")
                    attribute.value.CopyFrom(any_value(value))
    return request


def hex_ids(node):
    """protobuf's JSON mapping writes bytes as base64; OTLP/JSON wants hex ids."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("traceId", "spanId", "parentSpanId") and isinstance(value, str) and value:
                node[key] = base64.b64decode(value).hex()
            else:
                hex_ids(value)
    elif isinstance(node, list):
        for item in node:
            hex_ids(item)
    return node


def main():
    spans = make_spans()
    request = structure(encode_spans(spans))
    as_dict = MessageToDict(request)
    with open(os.path.join(HERE, "export-base64.json"), "w") as handle:
        json.dump(as_dict, handle, indent=2, sort_keys=True)
        handle.write("\n")
    with open(os.path.join(HERE, "spans.jsonl"), "w") as handle:
        # One request per span, as a collector's file exporter writes batches.
        for span in spans:
            handle.write(json.dumps(hex_ids(MessageToDict(structure(encode_spans([span])))), sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
