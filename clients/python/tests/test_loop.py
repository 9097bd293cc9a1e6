"""promote → build → serve → SDK, with a rollback, picked up without a restart; and the
built files validate against the published JSON Schemas."""
import json

import jsonschema

from conftest import ROOT, load_json
from folio_client import FolioClient


def test_promotions_and_a_rollback_reach_a_running_client(serve, published, clock):
    folio = FolioClient(serve.manifest_url, [published.public_key], cache_ttl=60, clock=clock)
    assert folio.version("triage").version == 1
    published.promote("triage@2")
    published.build()
    clock.advance(61)
    folio.render("triage", {"ticket_text": "x"})  # the stale copy, at once; the refresh runs
    folio.wait_for_refresh()
    assert folio.version("triage").version == 2
    assert folio.render("triage", {"ticket_text": "x"}).messages[0]["content"].startswith("Route each ticket")
    published.folio("rollback", "triage", "--env", "production", "--note", "back", "--signing-key", str(published.key))
    published.build()
    clock.advance(61)
    folio.render("triage", {"ticket_text": "x"})
    folio.wait_for_refresh()
    assert folio.version("triage").version == 1
    assert folio.manifest_version == 4  # the promotion sequence only grows, even for a rollback


def test_built_files_validate_against_the_published_schemas(published):
    manifest_schema = load_json(ROOT / "docs" / "schemas" / "manifest.schema.json")
    version_schema = load_json(ROOT / "docs" / "schemas" / "prompt-version.schema.json")
    manifest = json.loads((published.dist / "production" / "manifest.json").read_text())
    jsonschema.validate(manifest, manifest_schema)
    for path in manifest["version_files"]:
        jsonschema.validate(json.loads((published.dist / path).read_text()), version_schema)
    # The schemas refuse what a client must not accept.
    broken = dict(manifest, version="5")
    try:
        jsonschema.validate(broken, manifest_schema)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("a version that is text passed the schema")
