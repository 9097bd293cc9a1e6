"""FolioClient (threads) and AsyncFolioClient (asyncio): the same cache (`Core`), fetched
with httpx's sync or async client."""
from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

import httpx

from ._cache import Core, Entry
from ._errors import FolioError, TrustError, UnavailableError
from ._prompt import PromptFile
from ._sshsig import parse_keys


@dataclass(frozen=True)
class RenderedPrompt:
    """A rendered prompt: `messages` go to `openai`'s `messages=` as they are."""
    name: str
    version: int
    messages: List[Dict[str, str]]
    #: The model settings of the prompt file (provider, name, temperature, max_tokens, …).
    model: Dict[str, Any]
    #: The variables as given.
    variables: Dict[str, Any] = field(default_factory=dict)

    @property
    def model_name(self) -> Optional[str]:
        return self.model.get("name")


@dataclass(frozen=True)
class PromptVersionInfo:
    name: str
    version: int
    #: "published" for the environment's current version, "pinned" for name@N.
    status: str


class _FetchError(FolioError):
    def __init__(self, url: str, status: int = 0, reason: str = ""):
        super().__init__(f"{url} answered HTTP {status}" if status else f"cannot reach {url}: {reason}")
        self.status = status


class _Base:
    def __init__(self, manifest_url: str, public_keys: Sequence[str], cache_ttl: float = 300, cache_dir: Optional[str] = None,
                 fallback_manifest: Optional[Union[bytes, str]] = None, request_timeout: float = 5.0, attempts: int = 3,
                 clock: Any = time.monotonic):
        """
        :param manifest_url: `…/<env>/manifest.json` on `folio serve` or any static host.
        :param public_keys: OpenSSH public key lines (`ssh-ed25519 AAAA… comment`) whose
            manifest signatures are trusted.
        :param cache_ttl: seconds a manifest is used before a background refresh.
        :param cache_dir: where the last-known-good manifest is kept for cold starts.
        :param fallback_manifest: a bundled `manifest.json` (bytes, or a path), used when
            neither the server nor the disk copy is available; trusted without a signature.
        :param request_timeout: seconds per HTTP request.
        :param attempts: tries per fetch (with backoff) before falling back.
        :param clock: a monotonic clock in seconds (tests inject one).
        """
        if isinstance(fallback_manifest, str):
            with open(fallback_manifest, "rb") as file:
                fallback_manifest = file.read()
        self._core = Core(manifest_url, parse_keys(list(public_keys)), float(cache_ttl), cache_dir, fallback_manifest, clock)
        self._timeout = request_timeout
        self._attempts = max(1, attempts)

    @property
    def manifest_version(self) -> Optional[int]:
        """The version of the manifest in use, if one is loaded."""
        entry = self._core.entry
        return entry.manifest.version if entry else None

    def _rendered(self, prompt: PromptFile, variables: Mapping[str, Any], allow_unknown: bool) -> RenderedPrompt:
        messages = prompt.render(variables, allow_unknown)
        return RenderedPrompt(prompt.name, prompt.version, messages, dict(prompt.entry.get("model") or {}), dict(variables))

    def span(self, rendered: RenderedPrompt, capture_content: bool = False, tracer: Any = None):
        """A `chat <model>` span for the LLM call about to be made with `rendered`, with the
        GenAI attributes and `gen_ai.prompt.name`/`version`; calls an instrumentation records
        inside it count for that version in `folio report`. Needs `folio-client[otel]`."""
        from ._tracing import prompt_span
        return prompt_span(rendered, capture_content=capture_content, tracer=tracer)


class FolioClient(_Base):
    """Renders prompts from a signed Folio manifest, with a cache that survives outages.

    >>> client = FolioClient("https://prompts.example.com/production/manifest.json", ["ssh-ed25519 AAAA… ops"])
    >>> prompt = client.render("support_ticket_triage", {"ticket_text": text})
    >>> openai.chat.completions.create(model=prompt.model_name, messages=prompt.messages)
    """

    def __init__(self, manifest_url: str, public_keys: Sequence[str], cache_ttl: float = 300, cache_dir: Optional[str] = None,
                 fallback_manifest: Optional[Union[bytes, str]] = None, request_timeout: float = 5.0, attempts: int = 3,
                 clock: Any = time.monotonic, http_client: Optional[httpx.Client] = None):
        super().__init__(manifest_url, public_keys, cache_ttl, cache_dir, fallback_manifest, request_timeout, attempts, clock)
        self._http = http_client or httpx.Client(timeout=request_timeout)
        self._load_lock = threading.Lock()
        self._refresh_thread: Optional[threading.Thread] = None

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "FolioClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def render(self, name: str, variables: Optional[Mapping[str, Any]] = None, allow_unknown: bool = False) -> RenderedPrompt:
        """Renders `name` (the published version) or `name@2` (version 2, pinned)."""
        return self._rendered(self._prompt(name), variables or {}, allow_unknown)

    def version(self, name: str) -> PromptVersionInfo:
        prompt = self._prompt(name)
        return PromptVersionInfo(prompt.name, prompt.version, "pinned" if "@" in name else "published")

    def wait_for_refresh(self, timeout: Optional[float] = None) -> None:
        """Waits for a background refresh, if one runs (for tests and graceful shutdown)."""
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
        return self._core.pin(name, pin, self._get(url)[0], expected, url)

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
        with self._load_lock:  # one load; the others wait for it and use its result
            entry, _ = self._core.usable()
            if entry is not None:
                return entry
            try:
                return self._fetch()
            except (FolioError, httpx.HTTPError) as failure:
                return self._core.fall_back(failure)

    def _refresh(self) -> None:
        failure: Optional[BaseException] = None
        try:
            self._fetch()
        except (FolioError, httpx.HTTPError) as error:
            failure = error
        self._core.refresh_done(failure)

    def _fetch(self) -> Entry:
        core = self._core
        etag = core.entry.etag if core.entry else None
        data, new_etag, status = self._get(core.manifest_url, etag)
        if status == 304:
            return core.not_modified()
        unchanged = core.unchanged(data)
        if unchanged is not None:
            return unchanged
        signature = self._signature(data)
        return core.install(data, signature, new_etag)

    def _signature(self, data: bytes) -> str:
        addressed, legacy = self._core.signature_urls(data)
        try:
            return self._get(addressed)[0].decode("utf-8", "replace")
        except _FetchError as error:
            if error.status != 404:
                raise
            return self._get(legacy)[0].decode("utf-8", "replace")

    def _get(self, url: str, etag: Optional[str] = None):
        last: Optional[BaseException] = None
        for attempt in range(self._attempts):
            if attempt:
                time.sleep(0.1 * (2 ** min(attempt, 5)))
            try:
                response = self._http.get(url, headers={"If-None-Match": etag} if etag else None)
            except httpx.HTTPError as error:
                last = _FetchError(url, reason=str(error) or type(error).__name__)
                continue
            if response.status_code == 304:
                return b"", etag, 304
            if response.status_code == 200:
                return response.content, response.headers.get("ETag"), 200
            if response.status_code == 404:
                raise _FetchError(url, 404)
            last = _FetchError(url, response.status_code)
        raise last or _FetchError(url)


class AsyncFolioClient(_Base):
    """FolioClient for asyncio apps: `await client.render(...)`. The same cache; loads and
    refreshes are single tasks shared by every caller."""

    def __init__(self, manifest_url: str, public_keys: Sequence[str], cache_ttl: float = 300, cache_dir: Optional[str] = None,
                 fallback_manifest: Optional[Union[bytes, str]] = None, request_timeout: float = 5.0, attempts: int = 3,
                 clock: Any = time.monotonic, http_client: Optional[httpx.AsyncClient] = None):
        super().__init__(manifest_url, public_keys, cache_ttl, cache_dir, fallback_manifest, request_timeout, attempts, clock)
        self._http = http_client or httpx.AsyncClient(timeout=request_timeout)
        self._load_task: Optional[asyncio.Task] = None
        self._refresh_task: Optional[asyncio.Task] = None

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> "AsyncFolioClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    async def render(self, name: str, variables: Optional[Mapping[str, Any]] = None, allow_unknown: bool = False) -> RenderedPrompt:
        return self._rendered(await self._prompt(name), variables or {}, allow_unknown)

    async def version(self, name: str) -> PromptVersionInfo:
        prompt = await self._prompt(name)
        return PromptVersionInfo(prompt.name, prompt.version, "pinned" if "@" in name else "published")

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
        return self._core.pin(name, pin, (await self._get(url))[0], expected, url)

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
        except (FolioError, httpx.HTTPError) as failure:
            return self._core.fall_back(failure)

    async def _refresh(self) -> None:
        failure: Optional[BaseException] = None
        try:
            await self._fetch()
        except (FolioError, httpx.HTTPError) as error:
            failure = error
        self._core.refresh_done(failure)

    async def _fetch(self) -> Entry:
        core = self._core
        etag = core.entry.etag if core.entry else None
        data, new_etag, status = await self._get(core.manifest_url, etag)
        if status == 304:
            return core.not_modified()
        unchanged = core.unchanged(data)
        if unchanged is not None:
            return unchanged
        addressed, legacy = core.signature_urls(data)
        try:
            signature = (await self._get(addressed))[0]
        except _FetchError as error:
            if error.status != 404:
                raise
            signature = (await self._get(legacy))[0]
        return core.install(data, signature.decode("utf-8", "replace"), new_etag)

    async def _get(self, url: str, etag: Optional[str] = None):
        last: Optional[BaseException] = None
        for attempt in range(self._attempts):
            if attempt:
                await asyncio.sleep(0.1 * (2 ** min(attempt, 5)))
            try:
                response = await self._http.get(url, headers={"If-None-Match": etag} if etag else None)
            except httpx.HTTPError as error:
                last = _FetchError(url, reason=str(error) or type(error).__name__)
                continue
            if response.status_code == 304:
                return b"", etag, 304
            if response.status_code == 200:
                return response.content, response.headers.get("ETag"), 200
            if response.status_code == 404:
                raise _FetchError(url, 404)
            last = _FetchError(url, response.status_code)
        raise last or _FetchError(url)


__all__ = ["FolioClient", "AsyncFolioClient", "RenderedPrompt", "PromptVersionInfo", "TrustError", "UnavailableError"]
