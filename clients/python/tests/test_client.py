"""FolioClient and AsyncFolioClient against `folio serve` and nginx serving the same dist/,
with the faults the Swift SDK's tests use."""
import asyncio
import hashlib
import json
import logging
import shutil
import threading
import time
from pathlib import Path

import pytest

from conftest import PromptRepo, start_folio_serve
from folio_client import AsyncFolioClient, FolioClient, FolioError, RenderError, TrustError, UnavailableError, UnknownPromptError


def client(served, repo: PromptRepo, **options) -> FolioClient:
    options.setdefault("request_timeout", 2)
    options.setdefault("attempts", 2)
    return FolioClient(served.manifest_url, [repo.public_key], **options)


def test_renders_the_published_version_from_either_server(any_server, published):
    folio = client(any_server, published)
    prompt = folio.render("triage", {"ticket_text": "I need a refund"})
    assert prompt.name == "triage" and prompt.version == 1
    assert prompt.messages == [
        {"role": "system", "content": "You classify tickets: billing, technical, account or general.\nTicket type: email\n"},
        {"role": "user", "content": "I need a refund"},
    ]
    assert prompt.model == {"provider": "openai", "name": "gpt-4o-mini", "temperature": 0}
    assert prompt.model_name == "gpt-4o-mini"
    info = folio.version("triage")
    assert f"Serving version: v{info.version} ({info.status})" == "Serving version: v1 (published)"


def test_render_errors_name_the_prompt_version_and_variable(serve, published):
    folio = client(serve, published)
    cases = [({}, "missing_variable", "missing required variable 'ticket_text'"),
             ({"ticket_text": "x", "tier": "gold"}, "unknown_variable", "unknown variable 'tier'"),
             ({"ticket_text": "x", "ticket_type": "fax"}, "invalid_value", "'fax' is not one of email, chat, web"),
             ({"ticket_text": ["a", "list"]}, "invalid_value", "expected type string, found a list")]
    for variables, kind, text in cases:
        with pytest.raises(RenderError) as caught:
            folio.render("triage", variables)
        assert caught.value.kind == kind and isinstance(caught.value, FolioError)
        assert "prompt 'triage' v1" in str(caught.value) and text in str(caught.value)
    with pytest.raises(UnknownPromptError, match="prompt 'nope' is not in the production manifest"):
        folio.render("nope", {})


def test_a_pinned_version_is_checked_against_the_manifest_and_cached(serve, published):
    published.promote("triage@2")
    published.build()
    folio = client(serve, published)
    assert folio.render("triage", {"ticket_text": "x"}).version == 2
    pinned = folio.render("triage@1", {"ticket_text": "x"})
    assert pinned.version == 1 and pinned.messages[0]["content"].startswith("You classify")
    assert folio.version("triage@1").status == "pinned"
    assert serve.requests("/prompts/triage/1.json") == ["200"]
    folio.render("triage@1", {"ticket_text": "y"})  # cached for good: no second fetch
    assert serve.requests("/prompts/triage/1.json") == ["200"]
    with pytest.raises(UnknownPromptError, match="v9 was never published"):
        folio.render("triage@9", {"ticket_text": "x"})
    # A version file changed on the server does not match the signed sha256.
    other = FolioClient(serve.manifest_url, [published.public_key], request_timeout=2, attempts=1)
    path = published.dist / "prompts" / "triage" / "1.json"
    path.write_text(path.read_text().replace("You classify", "You obey"))
    (published.dist / "prompts" / "triage" / "1.json.gz").unlink()
    with pytest.raises(TrustError, match="does not match the sha256 the signed manifest gives for triage v1") as caught:
        other.render("triage@1", {"ticket_text": "x"})
    assert caught.value.kind == "sha256"


def test_a_stopped_server_falls_back_to_the_disk_copy_then_the_bundled_manifest(serve, published, tmp_path, caplog):
    cache = tmp_path / "cache"
    warm = client(serve, published, cache_dir=str(cache))
    assert warm.render("triage", {"ticket_text": "x"}).version == 1
    serve.stop()
    with caplog.at_level(logging.INFO, logger="folio_client"):
        cold = client(serve, published, cache_dir=str(cache))
        assert cold.render("triage", {"ticket_text": "x"}).version == 1
    assert "serving the last-known-good manifest from disk" in caplog.text
    bundled = client(serve, published, fallback_manifest=(published.dist / "production" / "manifest.json").read_bytes())
    assert bundled.render("triage", {"ticket_text": "x"}).version == 1
    with pytest.raises(UnavailableError, match="no manifest is available"):
        client(serve, published).render("triage", {"ticket_text": "x"})


def test_a_manifest_changed_by_one_byte_is_refused(serve, published, clock):
    folio = client(serve, published, clock=clock, cache_ttl=60)
    assert folio.render("triage", {"ticket_text": "x"}).version == 1
    manifest = published.dist / "production" / "manifest.json"
    data = bytearray(manifest.read_bytes())
    data[data.index(b"You classify")] ^= 0x20  # "you classify"
    manifest.write_bytes(bytes(data))
    (published.dist / "production" / "manifest.json.gz").unlink()
    clock.advance(61)
    assert folio.render("triage", {"ticket_text": "x"}).messages[0]["content"].startswith("You classify")  # stale copy at once
    folio.wait_for_refresh()
    assert folio.render("triage", {"ticket_text": "x"}).messages[0]["content"].startswith("You classify")  # still the good one
    fresh = client(serve, published)
    with pytest.raises(TrustError, match="the signature does not match") as caught:
        fresh.render("triage", {"ticket_text": "x"})
    assert caught.value.kind == "signature" and isinstance(caught.value.__cause__, TrustError)


def test_an_older_signed_manifest_is_refused_in_memory_and_on_disk(serve, published, tmp_path, clock, caplog):
    old = tmp_path / "old-dist"
    shutil.copytree(published.dist, old)
    published.promote("triage@2")
    published.build()
    cache = tmp_path / "cache"
    folio = client(serve, published, clock=clock, cache_ttl=60, cache_dir=str(cache))
    assert folio.render("triage", {"ticket_text": "x"}).version == 2
    # The server is made to serve the older, validly signed manifest.
    shutil.rmtree(published.dist)
    shutil.copytree(old, published.dist)
    clock.advance(61)
    folio.render("triage", {"ticket_text": "x"})
    folio.wait_for_refresh()
    assert folio.render("triage", {"ticket_text": "x"}).version == 2
    # Rollback protection survives a restart: the older manifest is refused and the
    # last-known-good copy on disk is served instead.
    with caplog.at_level(logging.INFO, logger="folio_client"):
        restarted = client(serve, published, cache_dir=str(cache))
        assert restarted.render("triage", {"ticket_text": "x"}).version == 2
    assert "rollback protection" in caplog.text


def test_an_expired_manifest_is_refused(serve, published):
    # expires is wall-clock time, written into the signed manifest in whole seconds: long
    # enough for the first render on a busy machine (1 s expired before it in one CI run),
    # then waited out from when the build had returned.
    published.build(None, "--expires", "4s")
    built = time.time()
    folio = client(serve, published)
    assert folio.render("triage", {"ticket_text": "x"}).version == 1
    time.sleep(max(0.0, built + 5.2 - time.time()))
    with pytest.raises(TrustError, match="expired") as caught:
        client(serve, published).render("triage", {"ticket_text": "x"})
    assert caught.value.kind == "expired"
    with pytest.raises(TrustError):
        folio.render("triage", {"ticket_text": "x"})  # the cached copy expired too


def test_a_thousand_threads_at_ttl_expiry_make_one_fetch(serve, published, clock):
    folio = client(serve, published, clock=clock, cache_ttl=60)
    folio.render("triage", {"ticket_text": "x"})
    assert serve.requests("/production/manifest.json") == ["200"]
    clock.advance(61)
    start = threading.Barrier(50)
    errors = []

    def burst():
        start.wait()
        for _ in range(20):
            try:
                folio.render("triage", {"ticket_text": "x"})
            except Exception as error:  # noqa: BLE001
                errors.append(error)

    threads = [threading.Thread(target=burst) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    folio.wait_for_refresh()
    assert errors == []
    assert serve.requests("/production/manifest.json") == ["200", "304"]


def test_a_thousand_tasks_at_ttl_expiry_make_one_fetch(serve, published, clock):
    async def main():
        folio = AsyncFolioClient(serve.manifest_url, [published.public_key], clock=clock, cache_ttl=60)
        await folio.render("triage", {"ticket_text": "x"})
        clock.advance(61)
        results = await asyncio.gather(*(folio.render("triage", {"ticket_text": "x"}) for _ in range(1000)))
        await folio.wait_for_refresh()
        await folio.aclose()
        return results

    results = asyncio.run(main())
    assert {prompt.version for prompt in results} == {1}
    assert serve.requests("/production/manifest.json") == ["200", "304"]


def test_a_cold_start_of_many_tasks_shares_one_load(serve, published):
    async def main():
        folio = AsyncFolioClient(serve.manifest_url, [published.public_key])
        results = await asyncio.gather(*(folio.render("triage", {"ticket_text": "x"}) for _ in range(200)))
        await folio.aclose()
        return results

    assert len(asyncio.run(main())) == 200
    assert serve.requests("/production/manifest.json") == ["200"]


def test_a_304_resets_the_entrys_age(serve, published, clock):
    folio = client(serve, published, clock=clock, cache_ttl=60)
    folio.render("triage", {"ticket_text": "x"})
    clock.advance(61)
    folio.render("triage", {"ticket_text": "x"})
    folio.wait_for_refresh()
    assert serve.requests("/production/manifest.json") == ["200", "304"]
    clock.advance(30)  # fresh again for a whole TTL from the 304: no I/O
    for _ in range(10):
        folio.render("triage", {"ticket_text": "x"})
    assert serve.requests("/production/manifest.json") == ["200", "304"]


def test_sections_lists_objects_and_partials_render(serve, published):
    folio = client(serve, published)
    prompt = folio.render("digest", {"team": "billing", "urgent": "yes", "owner": {"name": "Ada"},
                                     "tickets": [{"id": 7, "text": "refund", "tags": ["vip", "eu"]}, {"id": 8, "text": "invoice"}]})
    assert prompt.messages[0]["content"] == (
        "Digest for the billing team & friends\nURGENT for billing!\n- 7: refund [vip] [eu]\n- 8: invoice\nOwner: Ada\n")
