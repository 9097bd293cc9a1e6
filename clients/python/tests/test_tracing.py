"""Spans: `client.span(rendered)` around an instrumented openai call (opentelemetry-
instrumentation-openai-v2, the real package); `folio report` counts the instrumentation's
call for the rendered version (the trace join), and `PromptSpanProcessor` stamps the prompt
on every span started inside."""
import json
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import FOLIO, run
from folio_client import FolioClient

pytest.importorskip("opentelemetry.sdk")
pytest.importorskip("opentelemetry.instrumentation.openai_v2")

from opentelemetry.exporter.otlp.proto.common._log_encoder import encode_logs  # noqa: E402
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans  # noqa: E402
from opentelemetry.sdk._logs import LoggerProvider  # noqa: E402
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor  # noqa: E402
from opentelemetry.sdk.trace import TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter  # noqa: E402
from folio_client.tracing import PromptSpanProcessor, use_prompt  # noqa: E402


class Stub(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        body = json.dumps({"id": "x", "object": "chat.completion", "created": 0, "model": "gpt-4o-mini",
                           "choices": [{"index": 0, "message": {"role": "assistant", "content": "billing"}, "finish_reason": "stop"}],
                           "usage": {"prompt_tokens": 20, "completion_tokens": 1, "total_tokens": 21}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def stub():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def varint_delimited(body: bytes) -> bytes:
    prefix = bytearray()
    length = len(body)
    while True:
        byte = length & 0x7F
        length >>= 7
        prefix.append(byte | (0x80 if length else 0))
        if not length:
            return bytes(prefix) + body


def test_an_instrumented_call_inside_client_span_counts_for_the_version(serve, published, stub, tmp_path, monkeypatch):
    from openai import OpenAI
    from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor

    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(PromptSpanProcessor())
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    log_exporter = InMemoryLogRecordExporter()
    logger_provider = LoggerProvider()
    logger_provider.add_log_record_processor(SimpleLogRecordProcessor(log_exporter))
    instrumentor = OpenAIInstrumentor()
    instrumentor.instrument(tracer_provider=provider, logger_provider=logger_provider)
    try:
        folio = FolioClient(serve.manifest_url, [published.public_key])
        openai = OpenAI(base_url=stub, api_key="not-a-key")
        tracer = provider.get_tracer("app")
        for text in ["I need a refund", "Refund please"]:
            prompt = folio.render("triage", {"ticket_text": text})
            with folio.span(prompt, capture_content=True, tracer=tracer) as span:
                span.set_attribute("app.expected_team", "billing")
                openai.chat.completions.create(model=prompt.model_name, messages=prompt.messages)
        with use_prompt(prompt):
            with tracer.start_as_current_span("retrieve context"):
                pass
    finally:
        instrumentor.uninstrument()
    spans = exporter.get_finished_spans()
    ours = [s for s in spans if s.name == "chat gpt-4o-mini" and s.instrumentation_scope.name == "app"]
    calls = [s for s in spans if s.instrumentation_scope.name.startswith("opentelemetry.instrumentation.openai")]
    assert len(ours) == 2 and len(calls) == 2
    assert ours[0].attributes["gen_ai.prompt.name"] == "triage" and ours[0].attributes["gen_ai.prompt.version"] == "1"
    assert ours[0].attributes["gen_ai.request.model"] == "gpt-4o-mini" and ours[0].attributes["gen_ai.provider.name"] == "openai"
    assert ours[0].attributes["gen_ai.prompt.variable.ticket_text"] == "I need a refund"
    assert json.loads(ours[0].attributes["gen_ai.input.messages"])[1]["parts"][0]["content"] == "I need a refund"
    assert all(call.parent.span_id == our.context.span_id for call, our in zip(calls, ours))
    # The processor stamps the prompt on spans started inside, instrumented or not.
    assert all(call.attributes["gen_ai.prompt.name"] == "triage" for call in calls)
    retrieve = next(s for s in spans if s.name == "retrieve context")
    assert retrieve.attributes["gen_ai.prompt.version"] == "1"

    # folio report over the exported spans: the instrumentation's calls count for triage v1.
    # The instrumentation's content (the answer) arrives as log records, joined by span id.
    (tmp_path / "traces.pb").write_bytes(varint_delimited(encode_spans(spans).SerializeToString()))
    (tmp_path / "logs.pb").write_bytes(varint_delimited(encode_logs(log_exporter.get_finished_logs()).SerializeToString()))
    report = run([FOLIO, "report", str(tmp_path), "--label-attr", "app.expected_team", "--format", "json"], tmp_path)
    groups = json.loads(report.stdout)["groups"]
    assert [g["group"] for g in groups] == ["triage 1"]
    # Folio's chat span wraps the instrumentation's: each request is counted once, and the
    # label on Folio's span reaches the call beneath it.
    assert groups[0]["spans"] == 2 and groups[0]["misclassification_rate"] == 0
    assert groups[0]["input_tokens_mean"] == 20
