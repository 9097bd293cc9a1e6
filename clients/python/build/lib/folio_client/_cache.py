"""The cache both clients share: what to serve now, what a fetched manifest must pass, and
the last-known-good copy on disk. No I/O to the network here: the sync and async clients
do that, each in its own way, and hand the bytes in.

Behaviour (the same as Folio's Swift SDK):
- a fresh entry (younger than the TTL, not past `expires`) is served with no I/O;
- a stale one is served at once while one background refresh runs;
- with no usable entry (a cold start, or past `expires`) callers wait for one load, shared;
- a failed load falls back to the last-known-good copy on disk, then to the bundled
  fallback manifest, then raises UnavailableError;
- a manifest whose `version` is lower than one seen (in memory or on disk) is refused.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple
from urllib.parse import urljoin, urlparse

from ._errors import TrustError, UnavailableError, UnknownPromptError
from ._manifest import Manifest, decode, verify
from ._prompt import PromptFile
from ._sshsig import PublicKey

LOGGER = logging.getLogger("folio_client")


@dataclass
class Entry:
    manifest: Manifest
    etag: Optional[str]
    data: bytes
    signature: str
    fetched_at: float


class DiskCache:
    """The last-known-good manifest, its signature and the highest version seen, under
    `root/<host_port_path>/` (written to a temporary file and renamed, so never half-written)."""

    def __init__(self, root: str, manifest_url: str):
        parsed = urlparse(manifest_url)
        key = (parsed.hostname or "local") + (f"_{parsed.port}" if parsed.port else "") + parsed.path
        self.folder = os.path.join(root, re.sub(r"[^A-Za-z0-9.\-]", "_", key))

    def load(self) -> Optional[Tuple[bytes, str, Optional[str]]]:
        try:
            with open(os.path.join(self.folder, "manifest.json"), "rb") as file:
                data = file.read()
            with open(os.path.join(self.folder, "manifest.json.sig"), encoding="utf-8") as file:
                signature = file.read()
        except OSError:
            return None
        return data, signature, self._state().get("etag")

    def highest_version(self) -> int:
        return int(self._state().get("highestVersion", 0))

    def _state(self) -> dict:
        try:
            with open(os.path.join(self.folder, "state.json"), encoding="utf-8") as file:
                state = json.load(file)
            return state if isinstance(state, dict) else {}
        except (OSError, ValueError):
            return {}

    def store(self, data: bytes, signature: str, etag: Optional[str], version: int) -> None:
        state = {"etag": etag, "highestVersion": max(version, self.highest_version())}
        try:
            os.makedirs(self.folder, exist_ok=True)
            self._write("manifest.json.sig", signature.encode())
            self._write("manifest.json", data)
            self._write("state.json", json.dumps(state).encode())
        except OSError:
            pass  # a cache that cannot be written only loses the cold-start copy

    def _write(self, name: str, data: bytes) -> None:
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=f".{name}.")
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, os.path.join(self.folder, name))


class Core:
    """The state both clients share, behind one lock."""

    def __init__(self, manifest_url: str, keys: List[PublicKey], ttl: float, cache_dir: Optional[str],
                 fallback_manifest: Optional[bytes], clock: Callable[[], float] = time.monotonic):
        self.manifest_url = manifest_url
        self.keys = keys
        self.ttl = ttl
        self.disk = DiskCache(cache_dir, manifest_url) if cache_dir else None
        self.fallback = fallback_manifest
        self.clock = clock
        self.lock = threading.Lock()
        self.entry: Optional[Entry] = None
        self.highest_version = 0
        self.refreshing = False
        self.retry_at = 0.0
        self.pinned: Dict[str, PromptFile] = {}
        self.outage = False

    # --- What to serve ------------------------------------------------------------------

    def fresh(self) -> Optional[Entry]:
        entry = self.entry
        if entry is None or self.clock() - entry.fetched_at >= self.ttl or entry.manifest.is_expired():
            return None
        return entry

    def usable(self) -> Tuple[Optional[Entry], bool]:
        """The entry to serve (None: a load is needed) and whether this caller should start
        the background refresh (at most one at a time; not again for a while after one failed)."""
        with self.lock:
            entry = self.entry
            if entry is None or entry.manifest.is_expired():
                return None, False
            now = self.clock()
            if now - entry.fetched_at < self.ttl or self.refreshing or now < self.retry_at:
                return entry, False
            self.refreshing = True
            return entry, True

    def refresh_done(self, failed: Optional[BaseException]) -> None:
        with self.lock:
            self.refreshing = False
            if failed is not None:
                self.retry_at = self.clock() + min(self.ttl, 10.0)
        if failed is not None:
            self._outage(failed, "keeping the cached copy")

    # --- URLs ---------------------------------------------------------------------------

    def signature_urls(self, data: bytes) -> List[str]:
        """The signature by the manifest's sha256 (never replaced, so never torn from its
        manifest), then the older `manifest.json.sig`."""
        return [urljoin(self.manifest_url, f"signatures/{hashlib.sha256(data).hexdigest()}.sig"), self.manifest_url + ".sig"]

    def version_file_url(self, name: str, version: int) -> str:
        return urljoin(self.manifest_url, f"../prompts/{name}/{version}.json")

    # --- Installing ---------------------------------------------------------------------

    def install(self, data: bytes, signature: str, etag: Optional[str], source: str = "the server") -> Entry:
        with self.lock:
            highest = max(self.highest_version, self.disk.highest_version() if self.disk else 0)
        manifest = verify(data, signature, self.keys, highest_seen=highest, source=source)
        entry = Entry(manifest, etag, data, signature, self.clock())
        with self.lock:
            self.entry = entry
            self.highest_version = max(self.highest_version, manifest.version)
            self.retry_at = 0.0
            recovered = self.outage
            self.outage = False
        if recovered:
            LOGGER.info("manifest fetched again", extra={"url": self.manifest_url, "version": manifest.version})
        if source == "the server" and self.disk:
            self.disk.store(data, signature, etag, manifest.version)
        return entry

    def not_modified(self) -> Entry:
        with self.lock:
            entry = self.entry
            if entry is None:
                raise UnavailableError(f"{self.manifest_url} answered 304 without a cached copy")
        return self._renewed(entry)

    def unchanged(self, data: bytes) -> Optional[Entry]:
        """The current entry, marked fresh, when the server sent the same bytes again."""
        with self.lock:
            entry = self.entry
        if entry is None or entry.data != data:
            return None
        return self._renewed(entry)

    def _renewed(self, entry: Entry) -> Entry:
        # The same manifest again is not a newer one: past its expires it stays refused.
        if entry.manifest.is_expired():
            raise TrustError(f"the manifest from the server expired at {entry.manifest.document.get('expires')}", "expired")
        with self.lock:
            entry.fetched_at = self.clock()
            self.retry_at = 0.0
        return entry

    def fall_back(self, failure: BaseException) -> Entry:
        """After a failed load: the current entry if still valid, the disk copy, the bundled
        fallback; else UnavailableError."""
        self._outage(failure, "falling back")
        with self.lock:
            entry = self.entry
        if entry is not None and not entry.manifest.is_expired():
            return entry
        if self.disk:
            stored = self.disk.load()
            if stored is not None:
                try:
                    entry = self.install(stored[0], stored[1], stored[2], source="the disk cache")
                    LOGGER.info("serving the last-known-good manifest from disk", extra={"version": entry.manifest.version})
                    return entry
                except TrustError as error:
                    LOGGER.warning("the disk copy was refused: %s", error)
        if self.fallback is not None:
            manifest = decode(self.fallback, "the bundled fallback")
            if not manifest.is_expired():
                entry = Entry(manifest, None, self.fallback, "", self.clock())
                with self.lock:
                    self.entry = entry
                LOGGER.info("serving the bundled fallback manifest", extra={"version": manifest.version})
                return entry
            LOGGER.warning("the bundled fallback manifest expired at %s", manifest.document.get("expires"))
        raise UnavailableError(f"no manifest is available: {self.manifest_url} failed ({failure}), and there is no usable disk copy or fallback manifest")

    def _outage(self, failure: BaseException, action: str) -> None:
        """One warning per outage, not one per retry."""
        with self.lock:
            first = not self.outage
            self.outage = True
        if first:
            LOGGER.warning("manifest fetch failed (%s); %s", failure, action)
        else:
            LOGGER.debug("manifest fetch failed again (%s)", failure)

    # --- Prompts ------------------------------------------------------------------------

    @staticmethod
    def split(reference: str) -> Tuple[str, Optional[int]]:
        if "@" not in reference:
            return reference, None
        name, _, pin = reference.partition("@")
        pin = pin[1:] if pin.startswith("v") else pin
        if not pin.isdigit() or int(pin) < 1:
            raise UnknownPromptError(f"'{reference}' does not pin a version: write name@<number>")
        return name, int(pin)

    @staticmethod
    def published(entry: Entry, name: str) -> PromptFile:
        prompt = entry.manifest.prompts.get(name)
        if prompt is None:
            known = ", ".join(sorted(entry.manifest.prompts))
            raise UnknownPromptError(f"prompt '{name}' is not in the {entry.manifest.environment} manifest (version {entry.manifest.version}); it has {known}")
        return prompt

    def pinned_path(self, entry: Entry, name: str, version: int) -> Tuple[Optional[PromptFile], str, str]:
        """A pinned version from the cache or the current manifest, or the URL and sha256
        of its version file to fetch."""
        key = f"{name}@{version}"
        with self.lock:
            if key in self.pinned:
                return self.pinned[key], "", ""
        current = entry.manifest.prompts.get(name)
        if current is not None and current.version == version:
            with self.lock:
                self.pinned[key] = current
            return current, "", ""
        path = f"prompts/{name}/{version}.json"
        expected = entry.manifest.version_files.get(path)
        if expected is None:
            raise UnknownPromptError(f"prompt '{name}' v{version} was never published in {entry.manifest.environment}: pin a version that `folio log` shows")
        return None, self.version_file_url(name, version), expected

    def pin(self, name: str, version: int, data: bytes, expected: str, url: str) -> PromptFile:
        if hashlib.sha256(data).hexdigest() != expected:
            raise UnavailableError(f"{url} does not match the sha256 the signed manifest gives for {name} v{version}")
        entry = json.loads(data)
        prompt = PromptFile.compile(entry)
        with self.lock:
            self.pinned[f"{name}@{version}"] = prompt
        return prompt


def utcnow() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)
