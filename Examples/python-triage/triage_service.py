"""triage_service.py: the seed's support-ticket triage service, on Folio.

The prompt is no longer a string in this file: it is `prompts/support_ticket_triage.yaml`
in the prompt repository, promoted with a signed git tag and published in a signed
manifest. This app renders the published version through `folio_client` (signature,
rollback and expiry checked, variables checked, cached), calls the model with the stock
`openai` client, and records the call with the stock OpenTelemetry SDK and the official
GenAI instrumentation (opentelemetry-instrumentation-openai-v2), exporting OTLP/HTTP
protobuf (traces, and the message content as log records) to `folio collect` or any
OpenTelemetry Collector. A new prompt version reaches it within the cache TTL, with no
deploy.

Configuration is the tools' own environment variables:
  OPENAI_BASE_URL, OPENAI_API_KEY            the model (any OpenAI-compatible server)
  OTEL_EXPORTER_OTLP_ENDPOINT                where spans and logs go (default http://localhost:4318)
  OTEL_SERVICE_NAME                          default: triage-service
  OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT   default here: true (the answers are
                                             what `folio report` grades)

    python triage_service.py --manifest-url http://127.0.0.1:8080/production/manifest.json \\
        --public-key folio-signing.pub --tickets tickets.jsonl

tickets.jsonl has one {"text": ..., "type": "email|chat|web", "expected": "billing"} per
line; `expected`, when known, goes on the ticket's span as app.expected_team, so
`folio report --label-attr app.expected_team` measures misrouting per prompt version.
"""
import argparse
import json
import logging
import os
import sys

os.environ.setdefault("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
os.environ.setdefault("OTEL_SERVICE_NAME", "triage-service")

from openai import OpenAI, OpenAIError  # noqa: E402
from opentelemetry import _logs, trace  # noqa: E402
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter  # noqa: E402
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # noqa: E402
from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor  # noqa: E402
from opentelemetry.sdk._logs import LoggerProvider  # noqa: E402
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor  # noqa: E402
from opentelemetry.sdk.resources import Resource  # noqa: E402
from opentelemetry.sdk.trace import TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import BatchSpanProcessor  # noqa: E402

from folio_client import FolioClient, FolioError  # noqa: E402
from folio_client.tracing import PromptSpanProcessor  # noqa: E402

PROMPT = "support_ticket_triage"
TICKETS = [
    {"text": "I need a refund for my last payment", "type": "email", "expected": "billing"},
    {"text": "The billing API returns wrong amounts for annual plans", "type": "email", "expected": "technical"},
    {"text": "I cannot log in with SSO since yesterday", "type": "chat", "expected": "account"},
]


def set_up_telemetry() -> tuple:
    """The stock SDK, exporters and instrumentation; OTEL_* variables configure them."""
    resource = Resource.create()  # service.name from OTEL_SERVICE_NAME
    tracer_provider = TracerProvider(resource=resource)
    # Stamps gen_ai.prompt.name/version on the instrumentation's spans too, for backends
    # without Folio's trace join (Langfuse, Phoenix, a Collector into ClickHouse).
    tracer_provider.add_span_processor(PromptSpanProcessor())
    tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(tracer_provider)
    logger_provider = LoggerProvider(resource=resource)
    logger_provider.add_log_record_processor(BatchLogRecordProcessor(OTLPLogExporter()))
    _logs.set_logger_provider(logger_provider)
    OpenAIInstrumentor().instrument()
    return tracer_provider, logger_provider


def main() -> int:
    parser = argparse.ArgumentParser(description="Triage support tickets with the published prompt version.")
    parser.add_argument("--manifest-url", required=True, help="the environment's manifest, e.g. http://127.0.0.1:8080/production/manifest.json")
    parser.add_argument("--public-key", required=True, help="a file with the OpenSSH public key(s) the manifest must be signed with")
    parser.add_argument("--tickets", help="a JSON-lines file of tickets (default: three built-in tickets)")
    parser.add_argument("--prompt", default=PROMPT, help=f"the prompt to render (default: {PROMPT})")
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    with open(arguments.public_key, encoding="utf-8") as file:
        public_keys = [line.strip() for line in file if line.strip()]
    tickets = TICKETS
    if arguments.tickets:
        with open(arguments.tickets, encoding="utf-8") as file:
            tickets = [json.loads(line) for line in file if line.strip()]

    try:
        model = OpenAI()  # OPENAI_BASE_URL, OPENAI_API_KEY
    except OpenAIError as error:
        print(f"error: {error} (a local OpenAI-compatible server takes any key: OPENAI_API_KEY=unused)", file=sys.stderr)
        return 2
    tracer_provider, logger_provider = set_up_telemetry()
    tracer = trace.get_tracer("triage_service")
    failed = False
    try:
        with FolioClient(arguments.manifest_url, public_keys) as folio:
            info = folio.version(arguments.prompt)
            print(f"Serving version: v{info.version} ({info.status})")
            for ticket in tickets:
                with tracer.start_as_current_span("triage_ticket") as ticket_span:
                    if ticket.get("expected"):
                        ticket_span.set_attribute("app.expected_team", ticket["expected"])
                    prompt = folio.render(arguments.prompt, ticket_text=ticket["text"], ticket_type=ticket.get("type", "email"))
                    with folio.span(prompt) as span:
                        response = model.chat.completions.create(**prompt.openai_arguments())
                        # The answer on the prompt's span too: the report grades it even
                        # where log records are not exported.
                        span.record_output(response)
                    answer = (response.choices[0].message.content or "").strip()
                expected = ticket.get("expected")
                mark = "     " if not expected else ("ok   " if answer.lower() == expected else "WRONG")
                print(f"v{prompt.version}  {mark} {answer[:10]:<10} {ticket['text']}", flush=True)
    except FolioError as error:  # names the prompt, version and variable, or the manifest's fault
        print(f"error: {error}", file=sys.stderr)
        failed = True
    except OpenAIError as error:
        print(f"error: the model at {model.base_url} failed: {error}", file=sys.stderr)
        failed = True
    finally:
        # Flushes the batch processors: every span and log record is exported.
        tracer_provider.shutdown()
        logger_provider.shutdown()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
