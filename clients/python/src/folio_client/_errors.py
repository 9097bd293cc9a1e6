"""The errors folio_client raises. Every one is a FolioError."""
from __future__ import annotations

from typing import Optional


class FolioError(Exception):
    """Anything folio_client cannot do; the message says what and what to do next."""


class ConfigurationError(FolioError):
    """The client was given something it cannot use (a public key that does not parse)."""


class UnavailableError(FolioError):
    """No usable manifest: the server failed and there is no good copy on disk or bundled."""


class TrustError(FolioError):
    """A manifest was refused: bad signature, unknown key, wrong namespace, a version lower
    than one already seen, or past its `expires`. `kind` says which."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


class UnknownPromptError(FolioError):
    """The manifest has no prompt of that name, or the pinned version was never published."""


class RenderError(FolioError):
    """A render refused its variables (or its template failed). The message names the
    prompt, the version and the variable; `kind` is missing_variable, unknown_variable,
    invalid_value or template."""

    def __init__(self, message: str, kind: str, prompt: str, version: str, variable: Optional[str]):
        super().__init__(message)
        self.kind = kind
        self.prompt = prompt
        self.version = version
        self.variable = variable
