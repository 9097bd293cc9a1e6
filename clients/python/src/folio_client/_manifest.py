"""Checking a signed manifest before anything in it is used: the signature against the
pinned keys (namespace folio-manifest), the schema, rollback (a version lower than one
already seen) and expiry."""
from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional

from ._errors import TrustError
from ._prompt import PromptFile
from ._sshsig import PublicKey, Signature

SCHEMA = "folio/manifest@1"
VERSION_SCHEMA = "folio/prompt-version@1"
NAMESPACE = "folio-manifest"


def parse_time(text: str) -> _dt.datetime:
    """An ISO 8601 time as Folio writes them (`2026-11-30T02:28:22Z`)."""
    value = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=_dt.timezone.utc)


@dataclass(frozen=True)
class Manifest:
    document: Mapping[str, Any]
    prompts: Dict[str, PromptFile]
    #: `expires` as a Unix time (checked on every render, so parsed once).
    expires_at: Optional[float] = None

    @property
    def version(self) -> int:
        return int(self.document["version"])

    @property
    def environment(self) -> str:
        return str(self.document.get("environment", ""))

    @property
    def expires(self) -> Optional[_dt.datetime]:
        text = self.document.get("expires")
        return parse_time(text) if text else None

    def is_expired(self, now: float) -> bool:
        """Whether `expires` is before `now` (Unix seconds, from the client's wall clock)."""
        return self.expires_at is not None and self.expires_at < now

    @property
    def version_files(self) -> Mapping[str, str]:
        return self.document.get("version_files", {})


def decode(data: bytes, source: str) -> Manifest:
    try:
        document = json.loads(data)
    except ValueError:
        raise TrustError(f"the manifest from {source} is not JSON", "malformed") from None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        found = document.get("schema") if isinstance(document, dict) else None
        raise TrustError(f"manifest schema '{found}' is not {SCHEMA}: upgrade folio-client", "schema")
    prompts = {name: PromptFile.compile(entry) for name, entry in document.get("prompts", {}).items()}
    expires = document.get("expires")
    return Manifest(document, prompts, parse_time(expires).timestamp() if expires else None)


def verify(data: bytes, signature: str, keys: List[PublicKey], highest_seen: int = 0,
           now: Optional[float] = None, source: str = "the server") -> Manifest:
    """The manifest, if every check passes; TrustError (with `kind`) otherwise. The bytes
    are not decoded before the signature is checked. `now` is Unix seconds (the client's
    wall clock; None skips the expiry check)."""
    Signature.parse(signature).verify(data, NAMESPACE, keys)
    manifest = decode(data, source)
    if manifest.version < highest_seen:
        raise TrustError(f"refused manifest version {manifest.version} from {source}: version {highest_seen} was already seen (rollback protection)", "rollback")
    if now is not None and manifest.is_expired(now):
        raise TrustError(f"the manifest from {source} expired at {manifest.document.get('expires')}", "expired")
    return manifest
