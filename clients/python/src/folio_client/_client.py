"""FolioClient (threads), AsyncFolioClient (asyncio) and LocalFolioClient (a `dist/`
folder, no server): one cache (`Core`), fetched in three ways."""
from __future__ import annotations

import asyncio
import os
import threading
import time
from typing import Any, Callable, Mapping, Optional, Sequence, Union
from urllib.parse import urlparse

import httpx

from ._cache import LOGGER, Core, DiskCache, Entry
from ._errors import ConfigurationError, FolioError, TrustError, UnavailableError
from ._manifest import decode
from ._prompt import PromptFile
from ._sshsig import parse_keys
from ._transport import AsyncFetcher, Fetcher, FolderFetcher, Limits, Response
from ._types import PromptTemplate, PromptVersionInfo, RenderedPrompt

PathLike = Union[str, "os.PathLike[str]"]
Messages = Sequence[Mapping[str, str]]


def _http_url(manifest_url: Any) -> str:
    if not isinstance(manifest_url, str):
        raise ConfigurationError(f"manifest_url must be the manifest's URL as text, not {type(manifest_url).__name__}")
    parsed = urlparse(manifest_url)
    if parsed.scheme in ("", "file"):
        raise ConfigurationError(
            f"manifest_url '{manifest_url}' is not an http(s) URL: to render from a dist/ folder on this machine, "
            "use LocalFolioClient('<dist folder>', public_keys, environment='production')")
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigurationError(f"manifest_url '{manifest_url}' is not an http(s) URL such as https://prompts.example.com/production/manifest.json")
    return manifest_url


def _fallback_bytes(fallback_manifest: Any) -> Optional[bytes]:
    """The bundled manifest's bytes, checked now: a fallback that cannot be used must fail
    when the client is built, not during an outage."""
    if fallback_manifest is None:
        return None
    if isinstance(fallback_manifest, (str, os.PathLike)):
        path = os.fspath(fallback_manifest)
        if not os.path.isfile(path):
            raise ConfigurationError(f"fallback_manifest '{path}' does not exist: pass the path of a manifest.json shipped with the app, or its bytes")
        with open(path, "rb") as file:
            fallback_manifest = file.read()
    if not isinstance(fallback_manifest, (bytes, bytearray)):
        raise ConfigurationError(f"fallback_manifest must be a path or the manifest's bytes, not {type(fallback_manifest).__name__}")
    try:
        decode(bytes(fallback_manifest), "the bundled fallback")
    except FolioError as error:
        raise ConfigurationError(f"fallback_manifest is not a Folio manifest: {error}") from error
    return bytes(fallback_manifest)


def _positive(name: str, value: Any, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or (value == 0 and not allow_zero):
        raise ConfigurationError(f"{name} must be a number of seconds {'of 0 or more' if allow_zero else 'above 0'}, not {value!r}")
    return float(value)


class _Base:
    def __init__(self, manifest_url: str, public_keys: Sequence[str], *, cache_ttl: float, cache_dir: Optional[PathLike],
                 fallback_manifest: Optional[Union[bytes, PathLike]], request_timeout: float, connect_timeout: float,
                 load_timeout: float, attempts: int, max_manifest_bytes: int, clock: Callable[[], float],
                 wall_clock: Callable[[], float]):
        keys = parse_keys(public_keys)
        if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
            raise ConfigurationError(f"attempts must be 1 or more, not {attempts!r}")
        if isinstance(max_manifest_bytes, bool) or not isinstance(max_manifest_bytes, int) or max_manifest_bytes < 1024:
            raise ConfigurationError(f"max_manifest_bytes must be a number of bytes of at least 1024, not {max_manifest_bytes!r}")
        self._limits = Limits(_positive("request_timeout", request_timeout), _positive("connect_timeout", connect_timeout),
                              _positive("load_timeout", load_timeout), attempts, max_manifest_bytes)
        disk = DiskCache(os.fspath(cache_dir), manifest_url, max_manifest_bytes) if cache_dir is not None else None
        self._core = Core(manifest_url, keys, _positive("cache_ttl", cache_ttl, allow_zero=True), disk,
                          _fallback_bytes(fallback_manifest), clock, wall_clock)

    @property
    def manifest_version(self) -> Optional[int]:
        """The version of the manifest in use, if one is loaded."""
        entry = self._core.entry
        return entry.manifest.version if entry else None

    def span(self, rendered: RenderedPrompt, capture_content: bool = False, tracer: Any = None) -> Any:
        """A `chat <model>` span for the LLM call about to be made with `rendered`, with the
        GenAI attributes and `gen_ai.prompt.name`/`version`; calls an instrumentation records
        inside it count for that version in `folio report`. The span it yields has
        `record_output(answer)`. Needs `folio-client[otel]`."""
        from ._tracing import prompt_span
        return prompt_span(rendered, capture_content=capture_content, tracer=tracer)

    # --- Shared steps -------------------------------------------------------------------

    @staticmethod
    def _fallback_prompt(name: str, fallback: Optional[Messages], failure: FolioError) -> PromptFile:
        """The caller's own fallback messages when no manifest can be served."""
        if fallback is None:
            raise failure
        LOGGER.info("serving the fallback messages the app gave for '%s'", name, extra={"event": "fallback-messages", "prompt": name})
        return PromptFile.from_messages(name, fallback)

    @staticmethod
    def _template(prompt: PromptFile, fallback: bool = False) -> PromptTemplate:
        return PromptTemplate(prompt, is_fallback=fallback)

    def _install_fetched(self, response: Response, signature: bytes) -> Entry:
        return self._core.install(response.body, signature.decode("utf-8", "replace"), response.etag)


class FolioClient(_Base):
    """Renders prompts from a signed Folio manifest, with a cache that survives outages.

    >>> client = FolioClient("https://prompts.example.com/production/manifest.json", ["ssh-ed25519 AAAA… ops"])
    >>> prompt = client.render("support_ticket_triage", ticket_text=text)
    >>> openai.chat.completions.create(**prompt.openai_arguments())
    """

    def __init__(self, manifest_url: str, public_keys: Sequence[str], *, cache_ttl: float = 300, cache_dir: Optional[PathLike] = None,
                 fallback_manifest: Optional[Union[bytes, PathLike]] = None, request_timeout: float = 5.0, connect_timeout: float = 2.0,
                 load_timeout: float = 5.0, attempts: int = 3, max_manifest_bytes: int = Limits.max_bytes,
                 clock: Callable[[], float] = time.monotonic, wall_clock: Callable[[], float] = time.time,
                 http_client: Optional[httpx.Client] = None):
        """
        :param manifest_url: `…/<env>/manifest.json` on `folio serve` or any static host.
        :param public_keys: a list of OpenSSH public key lines (`ssh-ed25519 AAAA… comment`)
            whose manifest signatures are trusted.
        :param cache_ttl: seconds a manifest is used before a background refresh.
        :param cache_dir: where the last-known-good manifest is kept for cold starts; trusted
            storage, private to this user.
        :param fallback_manifest: a `manifest.json` shipped with the app (bytes, or a path),
            used when neither the server nor the disk copy is available; trusted without a
            signature.
        :param request_timeout: seconds one request may take, from connecting to the last byte.
        :param connect_timeout: seconds to establish a connection.
        :param load_timeout: seconds a load (every attempt) may take before falling back: the
            longest a cold start waits for a server that does not answer.
        :param attempts: tries per fetch, with backoff, within `load_timeout`.
        :param max_manifest_bytes: the largest manifest or version file accepted.
        :param clock: monotonic seconds (the TTL); tests pass one they move.
        :param wall_clock: Unix seconds (a manifest's `expires`); tests pass one they move.
        """
        super().__init__(_http_url(manifest_url), public_keys, cache_ttl=cache_ttl, cache_dir=cache_dir,
                         fallback_manifest=fallback_manifest, request_timeout=request_timeout, connect_timeout=connect_timeout,
                         load_timeout=load_timeout, attempts=attempts, max_manifest_bytes=max_manifest_bytes, clock=clock,
                         wall_clock=wall_clock)
        self._fetcher: Any = Fetcher(http_client or httpx.Client(), self._limits)
        self._owns_http = http_client is None
        self._load_lock = threading.Lock()
        #: Loads finished, and the outcome of the last: callers that waited on a load share
        #: its outcome (an entry or the error) instead of starting one each.
        self._loads = 0
        self._last_load: Any = None
        self._refresh_thread: Optional[threading.Thread] = None

    def close(self) -> None:
        if self._owns_http:
            self._fetcher.http.close()

    def __enter__(self) -> "FolioClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def render(self, name: str, variables: Optional[Mapping[str, Any]] = None, /, *, allow_unknown: bool = False,
               fallback: Optional[Messages] = None, **values: Any) -> RenderedPrompt:
        """Renders `name` (the published version) or `name@2` (version 2, pinned), with the
        variables as a mapping or as keywords (`render("triage", ticket_text=text)`), or
        both. `fallback`: messages (`[{"role", "content"}]`) to render when no manifest can
        be served at all, as Langfuse takes a fallback."""
        return self.get_prompt(name, fallback=fallback).render(variables, allow_unknown=allow_unknown, **values)

    def get_prompt(self, name: str, *, fallback: Optional[Messages] = None) -> PromptTemplate:
        """The prompt without rendering it: its templates, declared variables, model settings
        and `output` (type and labels)."""
        try:
            return self._template(self._prompt(name))
        except (TrustError, UnavailableError) as failure:
            return self._template(self._fallback_prompt(name, fallback, failure), fallback=True)

    def version(self, name: str) -> PromptVersionInfo:
        prompt = self._prompt(name)
        return PromptVersionInfo(prompt.name, prompt.version, "pinned" if "@" in name else "published")

    def refresh(self) -> int:
        """Fetches the manifest now, whatever the TTL (an urgent rollback, a test), and
        returns the version in use. A failure is raised, and the copy in use stays."""
        with self._load_lock:
            return self._fetch().manifest.version

    def wait_for_refresh(self, timeout: Optional[float] = None) -> None:
        """Waits for the background refresh, if one runs (tests, graceful shutdown)."""
        thread = self._refresh_thread
        if thread is not None:
            thread.join(timeout)

    def _prompt(self, reference: str) -> PromptFile:
        name, pin = Core.split(reference)
        entry = self._entry()
        if pin is None:
            return Core.published(entry, name)
        cached, url, expected = self._core.pinned_path(entry, name, pin)
        if cached is not None:
            return cached
        return self._core.pin(name, pin, self._fetcher.get(url).body, expected, url)

    def _entry(self) -> Entry:
        fresh = self._core.fresh()
        if fresh is not None:
            return fresh
        entry, refresh = self._core.usable()
        if entry is not None:
            if refresh:
                self._refresh_thread = threading.Thread(target=self._refresh, name="folio-refresh", daemon=True)
                self._refresh_thread.start()
            return entry
        ticket = self._loads
        with self._load_lock:  # one load; the others wait for it and share its outcome
            if self._loads != ticket:
                if isinstance(self._last_load, BaseException):
                    raise self._last_load
                return self._last_load
            entry, _ = self._core.usable()
            if entry is not None:
                return entry
            try:
                try:
                    outcome: Any = self._fetch()
                except FolioError as failure:
                    outcome = self._core.fall_back(failure)
            except FolioError as error:
                outcome = error
            self._last_load = outcome
            self._loads += 1
            if isinstance(outcome, BaseException):
                raise outcome
            return outcome

    def _refresh(self) -> None:
        failure: Optional[BaseException] = None
        try:
            self._fetch()
        except FolioError as error:
            failure = error
        self._core.refresh_done(failure)

    def _fetch(self) -> Entry:
        core = self._core
        deadline = time.monotonic() + self._limits.load_timeout
        etag = core.entry.etag if core.entry else None
        response = self._fetcher.get(core.manifest_url, etag, deadline)
        if response.status == 304:
            return core.not_modified()
        unchanged = core.unchanged(response.body)
        if unchanged is not None:
            return unchanged
        addressed, legacy = core.signature_urls(response.body)
        try:
            signature = self._fetcher.get(addressed, deadline=deadline).body
        except FolioError as error:
            if getattr(error, "status", 0) != 404:
                raise
            signature = self._fetcher.get(legacy, deadline=deadline).body
        return self._install_fetched(response, signature)


class LocalFolioClient(FolioClient):
    """FolioClient over a `dist/` folder on this machine (what `folio build` writes), for
    unit tests and local development: the same signature, rollback, expiry and variable
    checks, no server. A rebuilt folder is read again after `cache_ttl` (1 s by default)."""

    def __init__(self, dist: PathLike, public_keys: Sequence[str], *, environment: str = "production", cache_ttl: float = 1.0,
                 fallback_manifest: Optional[Union[bytes, PathLike]] = None, max_manifest_bytes: int = Limits.max_bytes,
                 clock: Callable[[], float] = time.monotonic, wall_clock: Callable[[], float] = time.time):
        folder = os.path.abspath(os.fspath(dist))
        manifest = os.path.join(folder, environment, "manifest.json")
        if not os.path.isfile(manifest):
            raise ConfigurationError(f"{manifest} does not exist: build it with `folio build --env {environment} --out {os.fspath(dist)}`")
        _Base.__init__(self, "file://" + manifest, public_keys, cache_ttl=cache_ttl, cache_dir=None, fallback_manifest=fallback_manifest,
                       request_timeout=5.0, connect_timeout=2.0, load_timeout=5.0, attempts=1, max_manifest_bytes=max_manifest_bytes,
                       clock=clock, wall_clock=wall_clock)
        self._fetcher = FolderFetcher(self._limits)
        self._owns_http = False
        self._load_lock = threading.Lock()
        self._loads = 0
        self._last_load = None
        self._refresh_thread = None


class AsyncFolioClient(_Base):
    """FolioClient for asyncio apps: `await client.render(...)`. The same cache; loads and
    refreshes are single tasks shared by every caller."""

    def __init__(self, manifest_url: str, public_keys: Sequence[str], *, cache_ttl: float = 300, cache_dir: Optional[PathLike] = None,
                 fallback_manifest: Optional[Union[bytes, PathLike]] = None, request_timeout: float = 5.0, connect_timeout: float = 2.0,
                 load_timeout: float = 5.0, attempts: int = 3, max_manifest_bytes: int = Limits.max_bytes,
                 clock: Callable[[], float] = time.monotonic, wall_clock: Callable[[], float] = time.time,
                 http_client: Optional[httpx.AsyncClient] = None):
        super().__init__(_http_url(manifest_url), public_keys, cache_ttl=cache_ttl, cache_dir=cache_dir,
                         fallback_manifest=fallback_manifest, request_timeout=request_timeout, connect_timeout=connect_timeout,
                         load_timeout=load_timeout, attempts=attempts, max_manifest_bytes=max_manifest_bytes, clock=clock,
                         wall_clock=wall_clock)
        self._fetcher = AsyncFetcher(http_client or httpx.AsyncClient(), self._limits)
        self._owns_http = http_client is None
        self._load_task: Optional[asyncio.Task[Entry]] = None
        self._refresh_task: Optional[asyncio.Task[None]] = None

    async def aclose(self) -> None:
        if self._owns_http:
            await self._fetcher.http.aclose()

    async def __aenter__(self) -> "AsyncFolioClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    async def render(self, name: str, variables: Optional[Mapping[str, Any]] = None, /, *, allow_unknown: bool = False,
                     fallback: Optional[Messages] = None, **values: Any) -> RenderedPrompt:
        return (await self.get_prompt(name, fallback=fallback)).render(variables, allow_unknown=allow_unknown, **values)

    async def get_prompt(self, name: str, *, fallback: Optional[Messages] = None) -> PromptTemplate:
        try:
            return self._template(await self._prompt(name))
        except (TrustError, UnavailableError) as failure:
            return self._template(self._fallback_prompt(name, fallback, failure), fallback=True)

    async def version(self, name: str) -> PromptVersionInfo:
        prompt = await self._prompt(name)
        return PromptVersionInfo(prompt.name, prompt.version, "pinned" if "@" in name else "published")

    async def refresh(self) -> int:
        """Fetches the manifest now, whatever the TTL; returns the version in use."""
        return (await self._fetch()).manifest.version

    async def wait_for_refresh(self) -> None:
        if self._refresh_task is not None:
            await asyncio.shield(self._refresh_task)

    async def _prompt(self, reference: str) -> PromptFile:
        name, pin = Core.split(reference)
        entry = await self._entry()
        if pin is None:
            return Core.published(entry, name)
        cached, url, expected = self._core.pinned_path(entry, name, pin)
        if cached is not None:
            return cached
        return self._core.pin(name, pin, (await self._fetcher.get(url)).body, expected, url)

    async def _entry(self) -> Entry:
        fresh = self._core.fresh()
        if fresh is not None:
            return fresh
        entry, refresh = self._core.usable()
        if entry is not None:
            if refresh:
                self._refresh_task = asyncio.get_running_loop().create_task(self._refresh())
            return entry
        if self._load_task is None or self._load_task.done():
            self._load_task = asyncio.get_running_loop().create_task(self._load())
        return await asyncio.shield(self._load_task)

    async def _load(self) -> Entry:
        entry, _ = self._core.usable()
        if entry is not None:
            return entry
        try:
            return await self._fetch()
        except FolioError as failure:
            return self._core.fall_back(failure)

    async def _refresh(self) -> None:
        failure: Optional[BaseException] = None
        try:
            await self._fetch()
        except FolioError as error:
            failure = error
        self._core.refresh_done(failure)

    async def _fetch(self) -> Entry:
        core = self._core
        deadline = time.monotonic() + self._limits.load_timeout
        etag = core.entry.etag if core.entry else None
        response = await self._fetcher.get(core.manifest_url, etag, deadline)
        if response.status == 304:
            return core.not_modified()
        unchanged = core.unchanged(response.body)
        if unchanged is not None:
            return unchanged
        addressed, legacy = core.signature_urls(response.body)
        try:
            signature = (await self._fetcher.get(addressed, deadline=deadline)).body
        except FolioError as error:
            if getattr(error, "status", 0) != 404:
                raise
            signature = (await self._fetcher.get(legacy, deadline=deadline)).body
        return self._install_fetched(response, signature)


__all__ = ["FolioClient", "AsyncFolioClient", "LocalFolioClient"]
