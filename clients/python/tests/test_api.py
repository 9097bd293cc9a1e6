"""The API a Python developer expects (Langfuse's get_prompt(...).compile(**vars), MLflow's
load_prompt(...).format(**vars)), the errors the README documents, and arguments checked
when the client is built."""
import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from conftest import ROOT, PromptRepo, free_port
from folio_client import (AsyncFolioClient, ConfigurationError, FolioClient, LocalFolioClient, PromptTemplate, RenderError, TrustError,
                          UnavailableError)


def client(served, repo: PromptRepo, **options) -> FolioClient:
    options.setdefault("request_timeout", 2)
    options.setdefault("attempts", 2)
    return FolioClient(served.manifest_url, [repo.public_key], **options)


def test_variables_as_keywords_or_a_mapping_render_alike(serve, published):
    folio = client(serve, published)
    by_mapping = folio.render("triage", {"ticket_text": "I need a refund", "ticket_type": "chat"})
    assert folio.render("triage", ticket_text="I need a refund", ticket_type="chat") == by_mapping
    assert folio.render("triage", {"ticket_text": "I need a refund"}, ticket_type="chat") == by_mapping
    # `name` and `variables` are positional-only, so they are free as variable names.
    with pytest.raises(RenderError, match="unknown variable 'name'"):
        folio.render("triage", ticket_text="x", name="y")


def test_a_prompt_can_be_read_without_rendering_it(serve, published):
    folio = client(serve, published)
    template = folio.get_prompt("triage")
    assert isinstance(template, PromptTemplate) and not template.is_fallback
    assert (template.name, template.version) == ("triage", 1)
    assert template.messages[1] == {"role": "user", "content": "{{ticket_text}}"}
    assert [variable["name"] for variable in template.variables] == ["ticket_text", "ticket_type"]
    assert template.model == {"provider": "openai", "name": "gpt-4o-mini", "temperature": 0}
    assert template.output == {"type": "label", "labels": ["billing", "technical", "account", "general"]}
    assert template.labels == ["billing", "technical", "account", "general"]
    rendered = template.render(ticket_text="My card was charged twice")
    assert rendered.output["labels"] == template.labels and rendered.version == 1
    # An app checks an answer against the declared labels.
    assert "billing" in template.labels and "refunds" not in template.labels


def test_openai_arguments_drive_the_openai_client(serve, published):
    from openai import OpenAI
    folio = client(serve, published)
    prompt = folio.render("triage", ticket_text="I need a refund")
    arguments = prompt.openai_arguments()
    assert arguments == {"messages": prompt.messages, "model": "gpt-4o-mini", "temperature": 0.0}
    sent = []

    def model(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200, json={"id": "x", "object": "chat.completion", "created": 0, "model": "gpt-4o-mini",
                                         "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "billing"}}]})

    openai = OpenAI(api_key="unused", base_url="http://model.test/v1", http_client=httpx.Client(transport=httpx.MockTransport(model)))
    response = openai.chat.completions.create(**arguments)
    assert response.choices[0].message.content == "billing"
    assert sent[0]["messages"] == prompt.messages and sent[0]["model"] == "gpt-4o-mini" and sent[0]["temperature"] == 0
    assert prompt.openai_arguments(model="gpt-4o")["model"] == "gpt-4o"


def readme_block(marker: str) -> str:
    text = (ROOT / "clients" / "python" / "README.md").read_text()
    match = re.search(rf"<!-- {re.escape(marker)} -->\s*```python\n(.*?)```", text, re.S)
    assert match, f"the README has no block marked {marker}"
    return match.group(1)


def test_the_readme_snippet_passes_mypy_strict(tmp_path):
    """With `openai` installed, as the README says; today's types, no casts in the app."""
    snippet = tmp_path / "app.py"
    snippet.write_text(readme_block("mypy --strict"))
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(snippet)],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_fallback_messages_stand_in_when_no_manifest_can_be_had(caplog):
    url = f"http://127.0.0.1:{free_port()}/production/manifest.json"  # nothing listens
    folio = FolioClient(url, [KEY], attempts=1)
    fallback = [{"role": "system", "content": "Classify the ticket."}, {"role": "user", "content": "{{ticket_text}}"}]
    with caplog.at_level(logging.INFO, logger="folio_client"):
        prompt = folio.render("triage", ticket_text="refund", fallback=fallback)
    assert prompt.version == 0 and prompt.messages[1] == {"role": "user", "content": "refund"}
    assert any(getattr(record, "event", "") == "fallback-messages" for record in caplog.records)
    assert folio.get_prompt("triage", fallback=fallback).is_fallback
    with pytest.raises(RenderError, match="missing required variable 'ticket_text'") as caught:
        folio.render("triage", fallback=fallback)
    assert caught.value.version == 0
    with pytest.raises(UnavailableError) as unavailable:
        folio.render("triage", ticket_text="refund")
    assert unavailable.value.__cause__ is not None, "the failure underneath is chained"


def test_a_local_client_renders_from_dist_with_the_same_checks(published, clock):
    local = LocalFolioClient(published.dist, [published.public_key], clock=clock)
    assert local.render("triage", ticket_text="x").version == 1
    published.promote("triage@2")
    published.build()
    clock.advance(2)
    assert local.render("triage", ticket_text="x").version == 1  # the stale copy at once
    local.wait_for_refresh()
    assert local.render("triage", ticket_text="x").version == 2
    manifest = published.dist / "production" / "manifest.json"
    manifest.write_text(manifest.read_text().replace("Route each ticket", "Obey each ticket"))
    with pytest.raises(TrustError) as caught:
        LocalFolioClient(published.dist, [published.public_key]).render("triage", ticket_text="x")
    assert caught.value.kind == "signature"
    with pytest.raises(ConfigurationError, match="folio build --env staging"):
        LocalFolioClient(published.dist, [published.public_key], environment="staging")


def test_refresh_fetches_now_whatever_the_ttl(serve, published):
    folio = client(serve, published, cache_ttl=3600)
    assert folio.render("triage", ticket_text="x").version == 1
    published.promote("triage@2")
    published.build()
    assert folio.render("triage", ticket_text="x").version == 1
    assert folio.refresh() == 3  # the manifest's version: the third promotion to production
    assert folio.render("triage", ticket_text="x").version == 2


KEY = (ROOT / "conformance" / "keys" / "trusted.pub").read_text().strip()
PRIVATE = (ROOT / "conformance" / "keys" / "trusted").read_text()


@pytest.mark.parametrize("make,message", [
    (lambda: FolioClient("http://h/production/manifest.json", [KEY], 60), "positional"),
    (lambda: FolioClient("http://h/production/manifest.json", KEY), "pass [key], not the key alone"),
    (lambda: FolioClient("http://h/production/manifest.json", [PRIVATE]), "is a private key: pass its public half"),
    (lambda: FolioClient("file:///srv/dist/production/manifest.json", [KEY]), "use LocalFolioClient"),
    (lambda: FolioClient("dist/production/manifest.json", [KEY]), "use LocalFolioClient"),
    (lambda: FolioClient("http://h/production/manifest.json", [KEY], fallback_manifest="/no/such/manifest.json"), "does not exist"),
    (lambda: FolioClient("http://h/production/manifest.json", [KEY], fallback_manifest=b"{}"), "is not a Folio manifest"),
    (lambda: FolioClient("http://h/production/manifest.json", [KEY], request_timeout=0), "request_timeout must be"),
    (lambda: AsyncFolioClient("http://h/production/manifest.json", KEY), "pass [key]"),
    (lambda: LocalFolioClient("/no/such/dist", [KEY], "production"), "positional"),
])
def test_wrong_arguments_fail_when_the_client_is_built(make, message):
    if message == "positional":
        with pytest.raises(TypeError, match="positional"):
            make()
        return
    with pytest.raises(ConfigurationError, match=re.escape(message)) as caught:
        make()
    assert "PRIVATE KEY" not in str(caught.value) and PRIVATE.splitlines()[1] not in str(caught.value)


def test_render_errors_carry_the_version_as_an_int(serve, published):
    with pytest.raises(RenderError) as caught:
        client(serve, published).render("triage")
    assert caught.value.version == 1 and isinstance(caught.value.version, int)


def test_the_version_is_one_scheme_across_cli_wheel_and_sdk():
    import folio_client
    version = (ROOT / "VERSION").read_text().strip()
    assert folio_client.__version__ == version
    assert f'version = "{version}"' in (ROOT / "clients" / "python" / "pyproject.toml").read_text()
    assert subprocess.run([str(Path(__import__("conftest").FOLIO)), "--version"], capture_output=True, text=True).stdout.strip() == version
