"""The conformance suite (conformance/ in the repository): the same data the Swift SDK
runs, so both clients give the same answers."""
import json
import time

import pytest

from conftest import CONFORMANCE, load_json
from folio_client import RenderError, TrustError
from folio_client._manifest import verify
from folio_client._mustache import Template
from folio_client._prompt import PromptFile
from folio_client._sshsig import parse_keys

RENDER = load_json(CONFORMANCE / "render.json")["cases"]
TRUST = load_json(CONFORMANCE / "trust.json")["cases"]
SPEC = [(module, case) for module in ["comments", "delimiters", "interpolation", "inverted", "partials", "sections"]
        for case in load_json(CONFORMANCE / "mustache-spec" / f"{module}.json")["tests"]]


def test_the_whole_suite_is_present():
    assert len(RENDER) >= 20 and len(TRUST) >= 10 and len(SPEC) == 136


@pytest.mark.parametrize("case", RENDER, ids=[case["name"] for case in RENDER])
def test_render(case):
    def render():
        return PromptFile.compile(case["prompt"]).render(case["variables"], allow_unknown=case.get("allow_unknown", False))

    if "expected" in case:
        assert render() == case["expected"]
    else:
        with pytest.raises(RenderError) as caught:
            render()
        assert caught.value.kind == case["error"]["kind"]
        for text in case["error"]["mentions"]:
            assert text in str(caught.value)


@pytest.mark.parametrize("case", TRUST, ids=[case["name"] for case in TRUST])
def test_trust(case):
    def check():
        return verify(case["manifest"].encode(), case["signature"], parse_keys(case["public_keys"]), highest_seen=case["highest_seen"], now=time.time())

    if case["expect"] == "accept":
        assert check().version == json.loads(case["manifest"])["version"]
    else:
        with pytest.raises(TrustError) as caught:
            check()
        assert caught.value.kind == case["expect"], str(caught.value)


@pytest.mark.parametrize("module,case", SPEC, ids=[f"{module}: {case['name']}" for module, case in SPEC])
def test_mustache_spec(module, case):
    assert Template(case["template"]).render(case["data"], escape=True, partials=case.get("partials", {})) == case["expected"]
