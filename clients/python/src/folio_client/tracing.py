"""Tracing through opentelemetry-api (install `folio-client[otel]`).

- `client.span(rendered)` (or `prompt_span(rendered)`) starts a `chat <model>` span with the
  GenAI attributes and `gen_ai.prompt.name`/`version`; `span.record_output(answer)` records
  the model's answer on it, so `folio report` grades calls from spans alone.
- `PromptSpanProcessor` stamps `gen_ai.prompt.name`/`version` on every span started inside
  `client.span(...)` or `use_prompt(...)`, for backends without Folio's trace join.
"""
from ._tracing import PromptSpan, PromptSpanProcessor, prompt_span, use_prompt

__all__ = ["PromptSpan", "PromptSpanProcessor", "prompt_span", "use_prompt"]
