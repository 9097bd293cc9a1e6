"""The cache's state machine (conformance/cache.json), walked by both clients against a
scripted server with clocks the test moves: the same cases Folio's Swift SDK runs."""
import asyncio
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any, Dict, List

import httpx
import pytest

from conftest import CONFORMANCE, load_json
from folio_client import AsyncFolioClient, FolioClient, TrustError, UnavailableError
from folio_client._cache import DiskCache

SUITE = load_json(CONFORMANCE / "cache.json")
URL = "http://prompts.test/production/manifest.json"


class ScriptedServer:
    """Answers as the case's `server` steps say, and notes what it was asked."""

    def __init__(self) -> None:
        self.state = "down"
        self.seen: List[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        conditional = "if-none-match" in request.headers
        if path.endswith("/manifest.json"):
            self.seen.append("manifest if-none-match" if conditional else "manifest")
        elif "/signatures/" in path:
            self.seen.append("signature")
        else:
            self.seen.append(path)
        if self.state == "down":
            return httpx.Response(503)
        name, _, mode = self.state.partition(" ")
        manifest = SUITE["manifests"][name]
        data = manifest["manifest"].encode()
        etag = None if mode == "no-etag" else f'"{name}"'
        if path.endswith("/manifest.json"):
            if conditional and etag and request.headers["if-none-match"] == etag:
                return httpx.Response(304, headers={"ETag": etag})
            return httpx.Response(200, content=data, headers={"ETag": etag} if etag else {})
        if path.endswith(f"/signatures/{hashlib.sha256(data).hexdigest()}.sig"):
            return httpx.Response(200, content=manifest["signature"].encode())
        return httpx.Response(404)


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


class Events(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.events: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.events.append(getattr(record, "event", record.getMessage()))


def seed_disk(root: Path, case: Dict[str, Any]) -> None:
    folder = Path(DiskCache(str(root), URL, 1 << 20).folder)
    folder.mkdir(parents=True, mode=0o700)
    if "disk_contents" in case:
        stored = SUITE["manifests"][case["disk_contents"]]
        (folder / "manifest.json").write_text(stored["manifest"])
        (folder / "manifest.json.sig").write_text(stored["signature"])
    (folder / "state.json").write_text(json.dumps(case.get("disk_state", {"etag": None})))


def outcome(render: Any) -> Any:
    try:
        return {"version": render()}
    except UnavailableError:
        return {"error": "unavailable"}
    except TrustError as error:
        return {"error": "trust", "refusal": error.kind}


def expected(step: Any) -> Any:
    return {"version": step} if isinstance(step, int) else step


def check(case: Dict[str, Any], tmp_path: Path, asynchronous: bool) -> None:
    server = ScriptedServer()
    clock = Clock(float(SUITE["start"]))
    events = Events()
    logger = logging.getLogger("folio_client")
    logger.addHandler(events)
    logger.setLevel(logging.DEBUG)
    options: Dict[str, Any] = {"cache_ttl": case["ttl"], "attempts": 1, "clock": clock, "wall_clock": clock}
    if case["disk"]:
        options["cache_dir"] = str(tmp_path / "cache")
        seed_disk(tmp_path / "cache", case)
    if "fallback" in case:
        options["fallback_manifest"] = SUITE["manifests"][case["fallback"]]["manifest"].encode()
    keys = SUITE["public_keys"]
    loop = asyncio.new_event_loop() if asynchronous else None
    if asynchronous:
        client: Any = AsyncFolioClient(URL, keys, http_client=httpx.AsyncClient(transport=httpx.MockTransport(server)), **options)
    else:
        client = FolioClient(URL, keys, http_client=httpx.Client(transport=httpx.MockTransport(server)), **options)

    def run(value: Any) -> Any:
        return loop.run_until_complete(value) if loop else value

    try:
        for number, step in enumerate(case["steps"], 1):
            where = f"{case['name']}, step {number} {step}"
            if "server" in step:
                server.state = step["server"]
            elif "advance" in step:
                clock.now += step["advance"]
            elif "wait" in step:
                run(client.wait_for_refresh())
            elif "render" in step:
                result = outcome(lambda: run(client.render("triage", ticket_text="x")).version)
                assert result == expected(step["render"]), where
            elif "requests" in step:
                assert server.seen == step["requests"], where
                server.seen = []
            elif "logs" in step:
                assert events.events == step["logs"], where
                events.events = []
            else:
                raise AssertionError(f"unknown step {step}")
    finally:
        logger.removeHandler(events)
        if loop:
            loop.run_until_complete(client.aclose())
            loop.close()
        else:
            client.close()


def test_the_machine_and_its_cases_are_present():
    assert {"states", "events", "transitions"} <= set(SUITE["machine"]) and len(SUITE["cases"]) >= 15


@pytest.mark.parametrize("case", SUITE["cases"], ids=[case["name"] for case in SUITE["cases"]])
def test_threads(case, tmp_path):
    check(case, tmp_path, asynchronous=False)


@pytest.mark.parametrize("case", SUITE["cases"], ids=[case["name"] for case in SUITE["cases"]])
def test_asyncio(case, tmp_path):
    check(case, tmp_path, asynchronous=True)


def test_the_disk_cache_folder_is_private(tmp_path):
    os.umask(0o022)
    assert DiskCache(str(tmp_path), URL, 1 << 20).problem() is None
