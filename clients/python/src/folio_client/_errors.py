"""The errors folio_client raises. Every one is a FolioError; the one underneath, when
there was one, is chained (`raise … from`), so `error.__cause__` says what failed."""
from __future__ import annotations

from typing import Optional


class FolioError(Exception):
    """Anything folio_client cannot do; the message says what and what to do next."""


class ConfigurationError(FolioError):
    """The client was given something it cannot use: raised when it is built, never later.
    The message says what to pass instead."""


class UnavailableError(FolioError):
    """No usable manifest: the server failed and there is no good copy in memory, on disk
    or bundled (or a pinned version's file could not be fetched)."""


class TrustError(FolioError):
    """A manifest or a version file failed a check and no good copy is left to serve.
    `kind` says which check: `signature`, `key`, `namespace`, `rollback`, `expired`,
    `malformed`, `schema` or `sha256`."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


class UnknownPromptError(FolioError):
    """The manifest has no prompt of that name, or the pinned version was never published."""


class RenderError(FolioError):
    """A render refused its variables (or its template failed). The message names the
    prompt, the version and the variable; `kind` is missing_variable, unknown_variable,
    invalid_value or template; `version` is the prompt version (an int, as
    `RenderedPrompt.version`; 0 for a fallback given as messages)."""

    def __init__(self, message: str, kind: str, prompt: str, version: int, variable: Optional[str]):
        super().__init__(message)
        self.kind = kind
        self.prompt = prompt
        self.version = version
        self.variable = variable
