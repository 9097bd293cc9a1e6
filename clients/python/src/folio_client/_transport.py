"""Getting a manifest, its signature or a version file: over HTTP with httpx (sync or
asyncio), or from a `dist/` folder. Each HTTP attempt has an overall deadline (not only a
timeout per read: a server sending one byte a second is cut off too), a connect timeout,
and a cap on the body's size enforced while it arrives (and at once from a large
`Content-Length`); the attempts of one load share one budget."""
from __future__ import annotations

import asyncio
import os
import stat
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, List, Optional
from urllib.parse import unquote, urlparse

import httpx

from ._errors import FolioError


@dataclass(frozen=True)
class Limits:
    #: Seconds one attempt may take, from connecting to the last byte.
    request_timeout: float = 5.0
    #: Seconds to establish a connection.
    connect_timeout: float = 2.0
    #: Seconds one load (every attempt, with backoff, for the manifest and its signature)
    #: may take before the client falls back to a copy: the longest a cold start waits.
    load_timeout: float = 5.0
    attempts: int = 3
    #: The largest manifest or version file accepted, in bytes.
    max_bytes: int = 32 * 1024 * 1024


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    etag: Optional[str]


class FetchError(FolioError):
    def __init__(self, url: str, status: int = 0, reason: str = ""):
        super().__init__(f"{url} answered HTTP {status}" if status else f"cannot get {url}: {reason}")
        self.status = status


class _Cancelled(Exception):
    pass


def _timeouts(limits: Limits, remaining: float) -> httpx.Timeout:
    remaining = max(0.001, remaining)
    return httpx.Timeout(remaining, connect=min(limits.connect_timeout, remaining))


def _answer(url: str, response: httpx.Response, limits: Limits, chunks: Any, etag: Optional[str], give_up: Callable[[], bool]) -> Response:
    """The response as the caller needs it, reading the body within the cap; FetchError
    with the status for anything but 200 and 304 (a 404 is not retried, the rest are).
    `chunks` iterates the decoded body."""
    if response.status_code == 304:
        return Response(304, b"", etag)
    if response.status_code != 200:
        raise FetchError(url, response.status_code)
    length = response.headers.get("Content-Length")
    if length is not None and length.isdigit() and int(length) > limits.max_bytes:
        raise FetchError(url, reason=f"the body is {int(length)} bytes, more than the {limits.max_bytes} allowed (max_manifest_bytes)")
    body = bytearray()
    for chunk in chunks:
        body += chunk
        if len(body) > limits.max_bytes:
            raise FetchError(url, reason=f"the body is more than the {limits.max_bytes} bytes allowed (max_manifest_bytes)")
        if give_up():
            raise _Cancelled()
    return Response(200, bytes(body), response.headers.get("ETag"))


class Fetcher:
    """HTTP GETs for FolioClient (threads). An attempt runs on a thread of its own, so the
    caller returns at the attempt's deadline whatever the server does; the thread stops at
    its next chunk."""

    def __init__(self, http: httpx.Client, limits: Limits):
        self.http = http
        self.limits = limits

    def get(self, url: str, etag: Optional[str] = None, deadline: Optional[float] = None) -> Response:
        limits = self.limits
        deadline = deadline if deadline is not None else time.monotonic() + limits.load_timeout
        last: Optional[FetchError] = None
        for attempt in range(limits.attempts):
            if attempt:
                pause = 0.1 * (2 ** min(attempt, 5))
                if time.monotonic() + pause >= deadline:
                    break
                time.sleep(pause)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                return self._attempt(url, etag, min(limits.request_timeout, remaining))
            except FetchError as error:
                if error.status == 404:
                    raise
                last = error
        raise last or FetchError(url, reason=f"no answer within the {limits.load_timeout:g} s load budget")

    def _attempt(self, url: str, etag: Optional[str], seconds: float) -> Response:
        result: List[Any] = []
        cancelled = threading.Event()

        def work() -> None:
            try:
                headers = {"If-None-Match": etag} if etag else None
                with self.http.stream("GET", url, headers=headers, timeout=_timeouts(self.limits, seconds)) as response:
                    result.append(_answer(url, response, self.limits, response.iter_bytes(), etag, cancelled.is_set))
            except _Cancelled:
                pass
            except httpx.HTTPError as error:
                result.append(FetchError(url, reason=str(error) or type(error).__name__))
            except FetchError as error:
                result.append(error)

        thread = threading.Thread(target=work, name="folio-fetch", daemon=True)
        thread.start()
        thread.join(seconds)
        if thread.is_alive():
            cancelled.set()
            raise FetchError(url, reason=f"no whole answer within request_timeout ({seconds:g} s)")
        if not result:
            raise FetchError(url, reason="the request ended without an answer")
        if isinstance(result[0], FetchError):
            raise result[0]
        return result[0]


class AsyncFetcher:
    """HTTP GETs for AsyncFolioClient: each attempt under `asyncio.wait_for`."""

    def __init__(self, http: httpx.AsyncClient, limits: Limits):
        self.http = http
        self.limits = limits

    async def get(self, url: str, etag: Optional[str] = None, deadline: Optional[float] = None) -> Response:
        limits = self.limits
        deadline = deadline if deadline is not None else time.monotonic() + limits.load_timeout
        last: Optional[FetchError] = None
        for attempt in range(limits.attempts):
            if attempt:
                pause = 0.1 * (2 ** min(attempt, 5))
                if time.monotonic() + pause >= deadline:
                    break
                await asyncio.sleep(pause)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            seconds = min(limits.request_timeout, remaining)
            try:
                return await asyncio.wait_for(self._attempt(url, etag, seconds), seconds)
            except asyncio.TimeoutError:
                last = FetchError(url, reason=f"no whole answer within request_timeout ({seconds:g} s)")
                continue
            except httpx.HTTPError as error:
                last = FetchError(url, reason=str(error) or type(error).__name__)
                continue
            except FetchError as error:
                if error.status == 404:
                    raise
                last = error
        raise last or FetchError(url, reason=f"no answer within the {limits.load_timeout:g} s load budget")

    async def _attempt(self, url: str, etag: Optional[str], seconds: float) -> Response:
        headers = {"If-None-Match": etag} if etag else None
        async with self.http.stream("GET", url, headers=headers, timeout=_timeouts(self.limits, seconds)) as response:
            if response.status_code != 200:
                return _answer(url, response, self.limits, [], etag, lambda: False)
            chunks = [chunk async for chunk in _capped(response, self.limits.max_bytes, url)]
            return _answer(url, response, self.limits, chunks, etag, lambda: False)


async def _capped(response: httpx.Response, limit: int, url: str) -> Any:
    """The body's chunks, stopping (with FetchError) past `limit` bytes or a larger
    `Content-Length`, before the rest is read."""
    length = response.headers.get("Content-Length")
    if response.status_code == 200 and length is not None and length.isdigit() and int(length) > limit:
        raise FetchError(url, reason=f"the body is {int(length)} bytes, more than the {limit} allowed (max_manifest_bytes)")
    total = 0
    async for chunk in response.aiter_bytes():
        total += len(chunk)
        if total > limit:
            raise FetchError(url, reason=f"the body is more than the {limit} bytes allowed (max_manifest_bytes)")
        yield chunk


class FolderFetcher:
    """Files of a `dist/` folder, for LocalFolioClient: the same bytes a static host would
    serve, the same size cap, no network."""

    def __init__(self, limits: Limits):
        self.limits = limits

    def get(self, url: str, etag: Optional[str] = None, deadline: Optional[float] = None) -> Response:
        path = unquote(urlparse(url).path)
        try:
            descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            raise FetchError(url, 404) from None
        except OSError as error:
            raise FetchError(url, reason=error.strerror or str(error)) from None
        with os.fdopen(descriptor, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise FetchError(url, reason="not a file")
            if info.st_size > self.limits.max_bytes:
                raise FetchError(url, reason=f"the file is {info.st_size} bytes, more than the {self.limits.max_bytes} allowed (max_manifest_bytes)")
            return Response(200, file.read(self.limits.max_bytes + 1), None)
