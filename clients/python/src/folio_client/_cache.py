"""The cache both clients share: what to serve now, what a fetched manifest must pass, and
the last-known-good copy on disk. No network I/O here: the sync and async clients fetch,
each in its own way, and hand the bytes in.

The behaviour is the state machine of `conformance/cache.json`, which Folio's Swift SDK
runs too:

- a fresh entry (younger than the TTL, not past `expires`) is served with no I/O;
- a stale one is served at once while one background refresh runs (not again for
  min(TTL, 10 s) after one failed);
- with no usable entry (a cold start, or past `expires`) callers wait for one load, shared;
- a failed load serves the disk copy, then the bundled fallback; with nothing left it
  raises TrustError when a copy was refused, else UnavailableError, the failure chained;
- a manifest whose `version` is lower than one seen (in memory, or in the signed copy on
  disk) is refused;
- the log says what happened, at info, once per outage (`event` on each record):
  `fetch-failed`, `disk-copy`, `disk-refused`, `fallback`, `no-copy`, `recovered`.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import stat
import tempfile
import threading
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple
from urllib.parse import urljoin, urlparse

from ._errors import FolioError, TrustError, UnavailableError, UnknownPromptError
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
    """The last-known-good manifest and its signature (and the ETag they came with), under
    `root/<host_port_path>/`, written to a temporary file and renamed, so never
    half-written. The cache is trusted storage: a folder another user owns, or one that
    others can write, is refused (logged once, then not used), and files are opened
    without following links. The highest version seen across restarts is the version of
    the signed copy here, never an unsigned number."""

    def __init__(self, root: str, manifest_url: str, max_bytes: int):
        parsed = urlparse(manifest_url)
        key = (parsed.hostname or "local") + (f"_{parsed.port}" if parsed.port else "") + parsed.path
        self.folder = os.path.join(root, re.sub(r"[^A-Za-z0-9.\-]", "_", key))
        self.max_bytes = max_bytes
        self.refused: Optional[str] = None

    def problem(self) -> Optional[str]:
        """Why the folder cannot be trusted, or None (a missing folder is fine)."""
        try:
            info = os.lstat(self.folder)
        except FileNotFoundError:
            return None
        except OSError as error:
            return error.strerror or str(error)
        if not stat.S_ISDIR(info.st_mode):
            return "it is not a folder (a link or a file)"
        if info.st_uid != os.geteuid():
            return f"it is owned by user {info.st_uid}, not by this process's user {os.geteuid()}"
        if info.st_mode & 0o022:
            return f"others can write to it (mode {stat.S_IMODE(info.st_mode):o})"
        return None

    def _usable(self) -> bool:
        problem = self.problem()
        if problem is not None and problem != self.refused:
            LOGGER.warning("the cache folder is not used: %s", problem, extra={"event": "cache-folder-refused", "folder": self.folder})
            self.refused = problem
        return problem is None

    def _read(self, name: str) -> Optional[bytes]:
        try:
            descriptor = os.open(os.path.join(self.folder, name), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return None
        with os.fdopen(descriptor, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022 or info.st_size > self.max_bytes:
                return None
            return file.read(self.max_bytes + 1)

    def load(self) -> Optional[Tuple[bytes, str, Optional[str]]]:
        if not self._usable():
            return None
        data, signature = self._read("manifest.json"), self._read("manifest.json.sig")
        if data is None or signature is None:
            return None
        etag = None
        state = self._read("state.json")
        if state is not None:
            try:
                document = json.loads(state)
                etag = document.get("etag") if isinstance(document, dict) and isinstance(document.get("etag"), str) else None
            except ValueError:
                pass
        return data, signature.decode("utf-8", "replace"), etag

    def store(self, data: bytes, signature: str, etag: Optional[str]) -> None:
        try:
            os.makedirs(self.folder, mode=0o700, exist_ok=True)
            if not self._usable():
                return
            self._write("manifest.json.sig", signature.encode())
            self._write("manifest.json", data)
            self._write("state.json", json.dumps({"etag": etag}).encode())
        except OSError:
            pass  # a cache that cannot be written only loses the cold-start copy

    def _write(self, name: str, data: bytes) -> None:
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=f".{name}.")
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, os.path.join(self.folder, name))


class Core:
    """The state both clients share, behind one lock. `clock` is monotonic seconds (the
    TTL, retry pauses); `wall_clock` is Unix seconds (a manifest's `expires`)."""

    def __init__(self, manifest_url: str, keys: List[PublicKey], ttl: float, disk: Optional[DiskCache],
                 fallback: Optional[bytes], clock: Callable[[], float], wall_clock: Callable[[], float]):
        self.manifest_url = manifest_url
        self.keys = keys
        self.ttl = ttl
        self.disk = disk
        self.fallback = fallback
        self.clock = clock
        self.wall_clock = wall_clock
        self.lock = threading.Lock()
        self.entry: Optional[Entry] = None
        self.highest_version = 0
        self.disk_highest: Optional[int] = None
        self.refreshing = False
        self.retry_at = 0.0
        self.pinned: Dict[str, PromptFile] = {}
        #: Fetches that failed in a row: the first is logged at info, the rest at debug,
        #: and the first success after them says the outage is over.
        self.failures = 0
        self.told_no_copy = False

    def expired(self, manifest: Manifest) -> bool:
        return manifest.is_expired(self.wall_clock())

    # --- What to serve ------------------------------------------------------------------

    def fresh(self) -> Optional[Entry]:
        entry = self.entry
        if entry is None or self.clock() - entry.fetched_at >= self.ttl or self.expired(entry.manifest):
            return None
        return entry

    def usable(self) -> Tuple[Optional[Entry], bool]:
        """The entry to serve (None: a load is needed) and whether this caller should start
        the background refresh (at most one at a time; not again for a while after one failed)."""
        with self.lock:
            entry = self.entry
            if entry is None or self.expired(entry.manifest):
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
            self._failed(failed)

    # --- URLs ---------------------------------------------------------------------------

    def signature_urls(self, data: bytes) -> List[str]:
        """The signature by the manifest's sha256 (never replaced, so never torn from its
        manifest), then the older `manifest.json.sig`."""
        return [urljoin(self.manifest_url, f"signatures/{hashlib.sha256(data).hexdigest()}.sig"), self.manifest_url + ".sig"]

    def version_file_url(self, name: str, version: int) -> str:
        return urljoin(self.manifest_url, f"../prompts/{name}/{version}.json")

    # --- Installing ---------------------------------------------------------------------

    def _disk_highest(self) -> int:
        """The version of the signed copy on disk (checked once, then kept up to date)."""
        if self.disk_highest is None:
            self.disk_highest = 0
            stored = self.disk.load() if self.disk else None
            if stored is not None:
                try:
                    self.disk_highest = verify(stored[0], stored[1], self.keys, source="the disk cache").version
                except FolioError:
                    pass
        return self.disk_highest

    def install(self, data: bytes, signature: str, etag: Optional[str], source: str = "the server") -> Entry:
        with self.lock:
            highest = max(self.highest_version, self._disk_highest() if source == "the server" else 0)
        manifest = verify(data, signature, self.keys, highest_seen=highest, now=self.wall_clock(), source=source)
        entry = Entry(manifest, etag, data, signature, self.clock())
        with self.lock:
            self.entry = entry
            self.highest_version = max(self.highest_version, manifest.version)
            self.retry_at = 0.0
            recovered = source == "the server" and self.failures > 0
            if source == "the server":
                self.failures = 0
                self.told_no_copy = False
        if recovered:
            LOGGER.info("manifest fetch works again", extra={"event": "recovered", "url": self.manifest_url, "version": manifest.version})
        if source == "the server" and self.disk:
            self.disk.store(data, signature, etag)
            self.disk_highest = max(self.disk_highest or 0, manifest.version)
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
        if self.expired(entry.manifest):
            raise TrustError(f"the manifest from the server expired at {entry.manifest.document.get('expires')}", "expired")
        with self.lock:
            entry.fetched_at = self.clock()
            self.retry_at = 0.0
            recovered = self.failures > 0
            self.failures = 0
            self.told_no_copy = False
        if recovered:
            LOGGER.info("manifest fetch works again", extra={"event": "recovered", "url": self.manifest_url, "version": entry.manifest.version})
        return entry

    def fall_back(self, failure: BaseException) -> Entry:
        """After a failed load: the current entry if still valid, the disk copy, the bundled
        fallback. With nothing left: TrustError if a copy was refused (the first refusal's
        kind), else UnavailableError; the failure is chained."""
        self._failed(failure)
        refusal = failure if isinstance(failure, TrustError) else None
        with self.lock:
            entry = self.entry
        if entry is not None and not self.expired(entry.manifest):
            return entry
        if self.disk:
            stored = self.disk.load()
            if stored is not None:
                try:
                    entry = self.install(stored[0], stored[1], stored[2], source="the disk cache")
                    LOGGER.info("serving the last-known-good manifest from disk", extra={"event": "disk-copy", "version": entry.manifest.version})
                    return entry
                except TrustError as error:
                    LOGGER.info("the disk copy was refused: %s", error, extra={"event": "disk-refused", "kind": error.kind})
                    refusal = refusal or error
        if self.fallback is not None:
            manifest = decode(self.fallback, "the bundled fallback")
            if not self.expired(manifest):
                entry = Entry(manifest, None, self.fallback, "", self.clock())
                with self.lock:
                    self.entry = entry
                LOGGER.info("serving the bundled fallback manifest", extra={"event": "fallback", "version": manifest.version})
                return entry
            expired = TrustError(f"the bundled fallback manifest expired at {manifest.document.get('expires')}", "expired")
            refusal = refusal or expired
        self._no_copy()
        raise _no_copy_error(self.manifest_url, failure, refusal) from failure

    def _no_copy(self) -> None:
        with self.lock:
            first = not self.told_no_copy
            self.told_no_copy = True
        LOGGER.log(logging.INFO if first else logging.DEBUG, "no manifest copy to serve", extra={"event": "no-copy", "url": self.manifest_url})

    def _failed(self, failure: BaseException) -> None:
        """One info message per outage, not one per retry."""
        with self.lock:
            self.failures += 1
            first = self.failures == 1
        LOGGER.log(logging.INFO if first else logging.DEBUG, "manifest fetch failed: %s", failure,
                   extra={"event": "fetch-failed", "url": self.manifest_url, "failures": self.failures})

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
            raise TrustError(f"{url} does not match the sha256 the signed manifest gives for {name} v{version}", "sha256")
        prompt = PromptFile.compile(json.loads(data))
        with self.lock:
            self.pinned[f"{name}@{version}"] = prompt
        return prompt


def _no_copy_error(url: str, failure: BaseException, refusal: Optional[TrustError]) -> FolioError:
    if refusal is not None:
        return TrustError(f"no manifest can be trusted: {refusal}; and there is no other good copy (disk or bundled fallback)", refusal.kind)
    return UnavailableError(f"no manifest is available: {url} failed ({failure}), and there is no usable disk copy or fallback manifest")
