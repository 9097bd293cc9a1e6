"""Spans through opentelemetry-api (the `otel` extra): the app bootstraps the SDK and its
exporters; this module only uses the API.

- `client.span(rendered)` starts a `chat <model>` span with the GenAI semantic-convention
  attributes and `gen_ai.prompt.name`/`gen_ai.prompt.version`. An instrumentation's call
  span started inside becomes its child, and `folio report` counts it for that version
  (the trace join).
- `PromptSpanProcessor` (opt-in, like Langfuse's `propagate_attributes(prompt=…)`) also
  stamps `gen_ai.prompt.name`/`version` on every span started inside, for backends without
  Folio's join (Langfuse, Phoenix, a Collector pipeline into ClickHouse).
"""
from __future__ import annotations

import contextlib
import contextvars
import json
from typing import Any, Iterator, Optional

try:
    from opentelemetry import trace
    from opentelemetry.trace import SpanKind
except ImportError as error:  # pragma: no cover - the extra is missing
    raise ImportError("tracing needs opentelemetry-api: pip install 'folio-client[otel]'") from error

_CURRENT: contextvars.ContextVar[Optional[tuple]] = contextvars.ContextVar("folio_prompt", default=None)


@contextlib.contextmanager
def prompt_span(rendered: Any, capture_content: bool = False, tracer: Any = None) -> Iterator[Any]:
    model = rendered.model or {}
    attributes = {
        "gen_ai.operation.name": "chat",
        "gen_ai.prompt.name": rendered.name,
        "gen_ai.prompt.version": str(rendered.version),
    }
    if model.get("provider"):
        attributes["gen_ai.provider.name"] = str(model["provider"])
    if model.get("name"):
        attributes["gen_ai.request.model"] = str(model["name"])
    for key, setting in (("temperature", "gen_ai.request.temperature"), ("max_tokens", "gen_ai.request.max_tokens"), ("top_p", "gen_ai.request.top_p")):
        if model.get(key) is not None:
            attributes[setting] = model[key]
    if capture_content:
        attributes["gen_ai.input.messages"] = json.dumps(
            [{"role": m["role"], "parts": [{"type": "text", "content": m["content"]}]} for m in rendered.messages], ensure_ascii=False)
        for name, value in (rendered.variables or {}).items():
            attributes[f"gen_ai.prompt.variable.{name}"] = value if isinstance(value, (str, bool, int, float)) else json.dumps(value)
    tracer = tracer or trace.get_tracer("folio_client")
    token = _CURRENT.set((rendered.name, str(rendered.version)))
    try:
        with tracer.start_as_current_span(f"chat {model.get('name') or rendered.name}", kind=SpanKind.CLIENT, attributes=attributes) as span:
            yield PromptSpan(span)
    finally:
        _CURRENT.reset(token)


def _answer_text(answer: Any) -> str:
    """The text of an answer: a string, or an `openai` ChatCompletion (its first choice)."""
    if isinstance(answer, str):
        return answer
    choices = getattr(answer, "choices", None)
    if choices:
        message = getattr(choices[0], "message", None)
        content = getattr(message, "content", None)
        if isinstance(content, str):
            return content
    raise TypeError(f"record_output takes the answer's text or an openai ChatCompletion, not {type(answer).__name__}")


class PromptSpan:
    """The span `client.span(...)` yields: the OpenTelemetry span itself (every method of
    it works), plus `record_output`."""

    def __init__(self, span: Any):
        self._span = span

    def record_output(self, answer: Any) -> None:
        """Records the model's answer on this span as `gen_ai.output.messages`, so that
        `folio report` grades the call from spans alone: without a logs pipeline, the
        openai-v2 instrumentation's span carries no output. Takes the text, or the
        ChatCompletion `openai` returned."""
        text = _answer_text(answer)
        self._span.set_attribute("gen_ai.output.messages", json.dumps(
            [{"role": "assistant", "parts": [{"type": "text", "content": text}], "finish_reason": "stop"}], ensure_ascii=False))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._span, name)

    def __enter__(self) -> "PromptSpan":
        return self

    def __exit__(self, *exc: Any) -> None:
        pass


@contextlib.contextmanager
def use_prompt(rendered: Any) -> Iterator[None]:
    """Marks every span started inside (with `PromptSpanProcessor` installed) as made for
    this prompt version, without a span of Folio's own."""
    token = _CURRENT.set((rendered.name, str(rendered.version)))
    try:
        yield
    finally:
        _CURRENT.reset(token)


try:  # the SDK's base class when the SDK is installed (it calls hooks the API does not know)
    from opentelemetry.sdk.trace import SpanProcessor as _ProcessorBase
except ImportError:  # pragma: no cover
    _ProcessorBase = object


class PromptSpanProcessor(_ProcessorBase):
    """A span processor that stamps `gen_ai.prompt.name`/`gen_ai.prompt.version` on every
    span started inside `client.span(...)` or `use_prompt(...)`. Add it to the app's
    TracerProvider: `provider.add_span_processor(PromptSpanProcessor())`."""

    def on_start(self, span: Any, parent_context: Any = None) -> None:
        current = _CURRENT.get()
        if current is not None and span.is_recording():
            span.set_attribute("gen_ai.prompt.name", current[0])
            span.set_attribute("gen_ai.prompt.version", current[1])

    def on_end(self, span: Any) -> None:
        pass

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True
