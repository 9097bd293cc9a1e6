"""The Python render equals `folio render` byte for byte: for the conformance suite's
prompts, and for random values over the worked example and a prompt with sections,
inverted sections, lists, objects and partials."""
import json
import random
import subprocess

import pytest

from conftest import CONFORMANCE, FOLIO, PromptRepo, load_json, run
from folio_client._prompt import PromptFile

ALPHABET = list("abcXYZ 019&<>\"'{}\\/\n\t.,:;!?-_é€😀日")


def random_text(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(length))


def folio_render(repo: PromptRepo, reference: str, values: dict) -> list:
    values_file = repo.folder / ".values.json"
    values_file.write_text(json.dumps(values, ensure_ascii=False))
    result = run([FOLIO, "render", reference, "--vars-file", str(values_file), "--format", "json"], repo.folder)
    return [{"role": m["role"], "content": m["content"]} for m in json.loads(result.stdout)["messages"]]


def version_file(repo: PromptRepo, name: str) -> dict:
    return json.loads((repo.dist / "prompts" / name / "1.json").read_text())


def test_random_values_render_as_folio_renders_them(published):
    rng = random.Random(20261206)
    triage = PromptFile.compile(version_file(published, "triage"))
    digest = PromptFile.compile(version_file(published, "digest"))
    for round_ in range(12):
        values = {"ticket_text": random_text(rng, rng.randint(0, 40)), "ticket_type": rng.choice(["email", "chat", "web"])}
        if round_ % 4 == 1:
            values.pop("ticket_type")  # its default fills in
        if round_ % 4 == 2:
            values["ticket_text"] = rng.randint(0, 99)  # a number for a string: the checked path
        assert triage.render(values) == folio_render(published, "triage@1", values), values
        tickets = [{"id": rng.randint(1, 999), "text": random_text(rng, 8), **({"tags": [random_text(rng, 3) for _ in range(rng.randint(0, 3))]} if rng.random() < 0.5 else {})}
                   for _ in range(rng.randint(0, 4))]
        values = {"team": random_text(rng, 10), "urgent": rng.choice([True, False]), "tickets": tickets,
                  "owner": {"name": random_text(rng, 6)}}
        if round_ % 3 == 0:
            values.pop("owner")
        assert digest.render(values) == folio_render(published, "digest@1", values), values


@pytest.mark.parametrize("case", [c for c in load_json(CONFORMANCE / "render.json")["cases"] if "expected" in c and not c.get("allow_unknown")],
                         ids=lambda c: c["name"])
def test_the_conformance_prompts_render_as_folio_renders_them(case, tmp_path):
    """Each conformance prompt, written as a prompt file, rendered by the folio binary."""
    entry = case["prompt"]
    folder = tmp_path / "repo"
    (folder / "prompts" / "partials").mkdir(parents=True)
    (folder / "folio.yaml").write_text("schema: folio/config@1\n")
    prompt = {"schema": "folio/prompt@1", "name": entry["name"], "variables": {
        v["name"]: {k: v[k] for k in ("type", "required", "enum", "default") if k in v} for v in entry["variables"]},
        "messages": entry["messages"]}
    (folder / "prompts" / f"{entry['name']}.yaml").write_text(json.dumps(prompt, ensure_ascii=False))
    for name, content in entry["partials"].items():
        (folder / "prompts" / "partials" / f"{name}.yaml").write_text(json.dumps({"schema": "folio/partial@1", "name": name, "content": content}, ensure_ascii=False))
    run(["git", "init", "-q", "-b", "main"], folder)
    values_file = folder / ".values.json"
    values_file.write_text(json.dumps(case["variables"], ensure_ascii=False))
    result = subprocess.run([FOLIO, "render", entry["name"], "--vars-file", str(values_file), "--format", "json"], cwd=folder, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    rendered = [{"role": m["role"], "content": m["content"]} for m in json.loads(result.stdout)["messages"]]
    assert rendered == case["expected"] == PromptFile.compile(entry).render(case["variables"])
