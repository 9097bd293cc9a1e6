"""Faults an adversarial pass found, each reproduced on loopback: a host that never
answers, a server that sends one byte at a time, a manifest of any size, and a disk cache
another local user prepared."""
import json
import logging
import os
import pwd
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from conftest import PromptRepo, start_folio_serve
from folio_client import FolioClient, UnavailableError
from folio_client._cache import DiskCache


class Blackhole:
    """A loopback port whose accept queue is full: the kernel drops further SYNs, so a
    connect hangs as it does to a firewalled host."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(0)
        self.port = self.listener.getsockname()[1]
        self.fillers = []
        for _ in range(8):  # fill the queue until a connect no longer completes at once
            filler = socket.socket()
            filler.setblocking(False)
            if filler.connect_ex(("127.0.0.1", self.port)) not in (0, 115):
                break
            self.fillers.append(filler)
            time.sleep(0.05)

    def close(self):
        for filler in self.fillers:
            filler.close()
        self.listener.close()


def test_a_silent_host_holds_a_cold_start_for_the_load_budget_only(published):
    hole = Blackhole()
    try:
        fallback = (published.dist / "production" / "manifest.json").read_bytes()
        folio = FolioClient(f"http://127.0.0.1:{hole.port}/production/manifest.json", [published.public_key], fallback_manifest=fallback)
        started = time.monotonic()
        assert folio.render("triage", ticket_text="x").version == 1  # the bundled fallback
        elapsed = time.monotonic() - started
        # The defaults: load_timeout 5 s (the old client waited request_timeout 5 s × 3 attempts and more).
        assert 1.0 < elapsed < 6.0, elapsed
        quick = FolioClient(f"http://127.0.0.1:{hole.port}/production/manifest.json", [published.public_key], fallback_manifest=fallback,
                            connect_timeout=0.3, load_timeout=1.0)
        started = time.monotonic()
        quick.render("triage", ticket_text="x")
        assert time.monotonic() - started < 2.0
    finally:
        hole.close()


class Dripping:
    """An HTTP server that sends a response head, then one byte every `interval` seconds."""

    def __init__(self, interval: float = 0.3, content_length: int = 10_000):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.interval = interval
        self.content_length = content_length
        self.stopped = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while not self.stopped.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.drip, args=(connection,), daemon=True).start()

    def drip(self, connection):
        try:
            connection.recv(65536)
            connection.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {self.content_length}\r\n\r\n".encode())
            while not self.stopped.is_set():
                connection.sendall(b"{")
                time.sleep(self.interval)
        except OSError:
            pass
        finally:
            connection.close()

    def close(self):
        self.stopped.set()
        self.listener.close()


def test_a_server_sending_a_byte_at_a_time_is_cut_off_at_the_deadline(published):
    server = Dripping()
    try:
        folio = FolioClient(f"http://127.0.0.1:{server.port}/production/manifest.json", [published.public_key],
                            request_timeout=1.0, attempts=1)
        outcomes = []

        def render():
            started = time.monotonic()
            try:
                folio.render("triage", ticket_text="x")
                outcomes.append(("rendered", time.monotonic() - started))
            except UnavailableError as error:
                outcomes.append((str(error), time.monotonic() - started))

        threads = [threading.Thread(target=render) for _ in range(3)]  # two wait on the first's load
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert len(outcomes) == 3
        assert all("request_timeout" in text for text, _ in outcomes), outcomes
        assert max(seconds for _, seconds in outcomes) < 2.5, outcomes
    finally:
        server.close()


def test_a_huge_manifest_is_refused_while_it_arrives(published):
    declared = Dripping(interval=0.01, content_length=400_000_000)
    try:
        folio = FolioClient(f"http://127.0.0.1:{declared.port}/production/manifest.json", [published.public_key], attempts=1)
        started = time.monotonic()
        with pytest.raises(UnavailableError, match="400000000 bytes, more than the 33554432 allowed"):
            folio.render("triage", ticket_text="x")
        assert time.monotonic() - started < 1.0, "refused from the Content-Length, before reading"
    finally:
        declared.close()


def test_a_body_past_the_cap_is_refused_without_reading_the_rest(published, tmp_path):
    big = tmp_path / "dist"
    shutil.copytree(published.dist, big)
    (big / "production" / "manifest.json").write_bytes(b" " * 3_000_000 + (published.dist / "production" / "manifest.json").read_bytes())
    for compressed in big.rglob("*.gz"):
        compressed.unlink()
    served = start_folio_serve(big, tmp_path / "serve.log")
    try:
        folio = FolioClient(served.manifest_url, [published.public_key], attempts=1, max_manifest_bytes=1_000_000)
        with pytest.raises(UnavailableError, match="max_manifest_bytes"):
            folio.render("triage", ticket_text="x")
    finally:
        served.stop()


def cache_folder(root: Path, url: str) -> Path:
    return Path(DiskCache(str(root), url, 1 << 20).folder)


def plant(published: PromptRepo, folder: Path, old_dist: Path) -> None:
    """Another local user's work: an older, validly signed manifest in the cache folder."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(old_dist / "production" / "manifest.json", folder / "manifest.json")
    shutil.copy(old_dist / "production" / "manifest.json.sig", folder / "manifest.json.sig")
    (folder / "state.json").write_text(json.dumps({"etag": None}))


@pytest.fixture
def planted(published, tmp_path):
    """A cache root, an older signed dist (v1) to plant, and production moved on to v2
    with the server stopped (an outage)."""
    old = tmp_path / "old"
    shutil.copytree(published.dist, old)
    published.promote("triage@2")
    published.build()
    return tmp_path / "cache", old


def test_a_cache_folder_others_can_write_is_refused(published, planted, caplog):
    root, old = planted
    url = "http://127.0.0.1:9/production/manifest.json"  # the server is down
    folder = cache_folder(root, url)
    plant(published, folder, old)
    os.chmod(folder, 0o777)
    with caplog.at_level(logging.INFO, logger="folio_client"):
        with pytest.raises(UnavailableError):
            FolioClient(url, [published.public_key], cache_dir=root, attempts=1).render("triage", ticket_text="x")
    assert "others can write to it" in caplog.text


def test_a_cache_folder_another_user_owns_is_refused(published, planted, caplog):
    if os.geteuid() != 0:
        pytest.fail("this test plants a folder as another user, which needs root (make test runs as root)")
    root, old = planted
    url = "http://127.0.0.1:9/production/manifest.json"
    folder = cache_folder(root, url)
    plant(published, folder, old)
    nobody = pwd.getpwnam("nobody")
    for path in [folder, *folder.iterdir()]:
        os.chown(path, nobody.pw_uid, nobody.pw_gid)
    os.chmod(folder, 0o755)
    with caplog.at_level(logging.INFO, logger="folio_client"):
        with pytest.raises(UnavailableError):
            FolioClient(url, [published.public_key], cache_dir=root, attempts=1).render("triage", ticket_text="x")
    assert f"owned by user {nobody.pw_uid}" in caplog.text


def test_cache_files_are_not_followed_through_links(published, planted):
    root, old = planted
    url = "http://127.0.0.1:9/production/manifest.json"
    folder = cache_folder(root, url)
    folder.mkdir(parents=True, mode=0o700)
    os.symlink(old / "production" / "manifest.json", folder / "manifest.json")
    os.symlink(old / "production" / "manifest.json.sig", folder / "manifest.json.sig")
    with pytest.raises(UnavailableError):
        FolioClient(url, [published.public_key], cache_dir=root, attempts=1).render("triage", ticket_text="x")


def test_the_clients_own_cache_folder_passes_its_checks(serve, published, tmp_path):
    root = tmp_path / "cache"
    FolioClient(serve.manifest_url, [published.public_key], cache_dir=root).render("triage", ticket_text="x")
    folder = cache_folder(root, serve.manifest_url)
    assert oct(folder.stat().st_mode & 0o777) == oct(0o700)
    serve.stop()
    assert FolioClient(serve.manifest_url, [published.public_key], cache_dir=root, attempts=1).render("triage", ticket_text="x").version == 1
