"""Records the same triage traffic with one instrumentation (argv[1]) into argv[2].

The app is written like the seed's triage service: each ticket is handled inside a span of
the app's own ("triage_ticket") that names the prompt (gen_ai.prompt.name/version) and
carries the business label (triage.expected); inside it, the LLM call is recorded either by
hand as the seed does it ("seed": str(messages), the bare category as the output) or by an
instrumentation from PyPI (openai-v2, openllmetry, openinference).

Everything runs in this process: a deterministic OpenAI-compatible stub answers the
openai client, and a small OTLP/HTTP receiver stores each body the stock protobuf exporter
posts, varint-delimited (the OTLP file exporter's format) in traces.pb and logs.pb; with
FOLIO_OTLP_ENDPOINT set, the exporters post to that receiver instead (the end-to-end test
points them at `folio collect`). Ids
come from a counter and the SDK's clock is replaced by one that moves only when the stub
answers (650 ms per call), so every variant records the same calls with the same
latencies; only what each instrumentation writes differs.
"""
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VARIANT, OUT = sys.argv[1], sys.argv[2]
BASE = 1_764_460_800_000_000_000  # 2025-11-30T00:00:00Z

# --- A clock that only the stub moves --------------------------------------------------
class Clock:
    def __init__(self):
        self.now = BASE
        self.lock = threading.Lock()

    def __call__(self):
        with self.lock:
            self.now += 1_000  # 1 µs per reading keeps readings distinct and ordered
            return self.now

    def advance(self, nanoseconds):
        with self.lock:
            self.now += nanoseconds

CLOCK = Clock()
import opentelemetry.sdk.trace as sdk_trace  # noqa: E402
sdk_trace.time_ns = CLOCK
try:
    import opentelemetry.sdk._logs._internal as sdk_logs  # noqa: E402
    sdk_logs.time_ns = CLOCK
except ImportError:
    pass

# --- The OpenAI-compatible stub --------------------------------------------------------
def category(text):
    lowered = text.lower()
    if "refund" in lowered or "charged" in lowered or "invoice" in lowered:
        return "billing"
    if "log in" in lowered or "password" in lowered:
        return "account"
    if "api" in lowered or "500" in lowered or "error" in lowered:
        return "technical"
    return "general"

class Stub(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        messages = request.get("messages", [])
        user = [m["content"] for m in messages if m.get("role") == "user"]
        answer = category(user[-1] if user else "")
        prompt_tokens = 7 + sum(len(str(m.get("content", "")).split()) for m in messages)
        CLOCK.advance(650_000_000)
        body = json.dumps({
            "id": "chatcmpl-fixture", "object": "chat.completion", "created": BASE // 1_000_000_000,
            "model": "gpt-4o-mini-2024-07-18",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": 1, "total_tokens": prompt_tokens + 1},
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

# --- The OTLP/HTTP receiver ------------------------------------------------------------
def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)

class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        assert self.headers.get("Content-Type") == "application/x-protobuf", self.headers.get("Content-Type")
        name = "traces.pb" if self.path.endswith("/v1/traces") else "logs.pb"
        with open(os.path.join(OUT, name), "ab") as file:
            file.write(varint(len(body)) + body)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

def serve(handler):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"

llm_url = serve(Stub)
# FOLIO_OTLP_ENDPOINT sends the same traffic to a real receiver (folio collect) instead.
otlp_url = os.environ.get("FOLIO_OTLP_ENDPOINT") or serve(Receiver)
# FOLIO_OTLP_GRPC (host:port) sends it with the stock OTLP/gRPC exporters instead, as
# `opentelemetry-instrument --traces_exporter otlp` does.
otlp_grpc = os.environ.get("FOLIO_OTLP_GRPC")

# --- Tracing, as the app sets it up ----------------------------------------------------
from opentelemetry import _logs, trace  # noqa: E402
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # noqa: E402
from opentelemetry.sdk.resources import Resource  # noqa: E402
from opentelemetry.sdk.trace import TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.id_generator import IdGenerator  # noqa: E402

class CountingIds(IdGenerator):
    def __init__(self):
        self.traces = 0
        self.spans = 0

    def generate_trace_id(self):
        self.traces += 1
        return 0x4BF92F3577B34DA6A3CE929D0E000000 + self.traces

    def generate_span_id(self):
        self.spans += 1
        return 0x00F067AA0BA90000 + self.spans

resource = Resource.create({"service.name": "triage-service", "service.instance.id": "fixture"})
provider = TracerProvider(resource=resource, id_generator=CountingIds())
if otlp_grpc:
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GRPCSpanExporter
    provider.add_span_processor(SimpleSpanProcessor(GRPCSpanExporter(endpoint=otlp_grpc, insecure=True)))
else:
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=otlp_url + "/v1/traces")))
trace.set_tracer_provider(provider)
logger_provider = None

if VARIANT == "openai-v2":
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
    from opentelemetry.sdk._logs import LoggerProvider
    from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
    logger_provider = LoggerProvider(resource=resource)
    if otlp_grpc:
        from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter as GRPCLogExporter
        logger_provider.add_log_record_processor(SimpleLogRecordProcessor(GRPCLogExporter(endpoint=otlp_grpc, insecure=True)))
    else:
        logger_provider.add_log_record_processor(SimpleLogRecordProcessor(OTLPLogExporter(endpoint=otlp_url + "/v1/logs")))
    _logs.set_logger_provider(logger_provider)
    os.environ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "true"
    from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor
    OpenAIInstrumentor().instrument()
elif VARIANT == "openllmetry":
    os.environ["TRACELOOP_TRACE_CONTENT"] = "true"
    from opentelemetry.instrumentation.openai import OpenAIInstrumentor
    OpenAIInstrumentor().instrument()
elif VARIANT == "openinference":
    from openinference.instrumentation.openai import OpenAIInstrumentor
    OpenAIInstrumentor().instrument()
elif VARIANT != "seed":
    sys.exit(f"unknown variant {VARIANT}")

from openai import OpenAI  # noqa: E402

client = OpenAI(base_url=llm_url + "/v1", api_key="fixture-not-a-key")
tracer = trace.get_tracer("triage-service")

SYSTEM = "You are a support ticket classifier. Answer with one word: billing, technical, account or general.\nTicket type: {ticket_type}"
TICKETS = [
    ("I need a refund for my last payment", "email", "billing"),
    ("The billing API returns 500 errors since this morning", "chat", "technical"),
    ("I was charged twice for the API plan", "web", "billing"),
    ("I cannot log in since the password reset", "email", "account"),
    ("Your invoice API times out on large exports", "chat", "technical"),
    ("Where can I find your office address?", "web", "general"),
]

for text, ticket_type, expected in TICKETS:
    with tracer.start_as_current_span("triage_ticket") as wrapper:
        wrapper.set_attribute("gen_ai.prompt.name", "support_ticket_triage")
        wrapper.set_attribute("gen_ai.prompt.version", "1")
        wrapper.set_attribute("triage.expected", expected)
        messages = [{"role": "system", "content": SYSTEM.format(ticket_type=ticket_type)}, {"role": "user", "content": text}]
        if VARIANT == "seed":
            # Exactly as the seed records a call.
            with tracer.start_as_current_span("chat gpt-4o-mini") as span:
                span.set_attribute("gen_ai.system", "openai")
                span.set_attribute("gen_ai.request.model", "gpt-4o-mini")
                span.set_attribute("gen_ai.input.messages", str(messages))
                response = client.chat.completions.create(model="gpt-4o-mini", messages=messages, temperature=0)
                category_answer = response.choices[0].message.content
                span.set_attribute("gen_ai.output.messages", category_answer)
                span.set_attribute("gen_ai.response.model", response.model)
                span.set_attribute("gen_ai.usage.input_tokens", response.usage.prompt_tokens)
                span.set_attribute("gen_ai.usage.output_tokens", response.usage.completion_tokens)
        else:
            response = client.chat.completions.create(model="gpt-4o-mini", messages=messages, temperature=0)
            category_answer = response.choices[0].message.content
        wrapper.set_attribute("triage.category", category_answer)

provider.shutdown()
if logger_provider is not None:
    logger_provider.shutdown()
