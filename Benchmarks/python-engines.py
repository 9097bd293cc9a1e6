"""For Benchmarks/python-sdk.sh: why folio-client has its own Mustache engine. Runs the kept
Python engines, pystache and chevron, on the vendored Mustache specification (in its
HTML-escaping mode, as the spec is written) and on the conformance suite's render cases
(values checked and converted by folio-client first, so only the engine is compared), and
prints what each gets wrong.

argv: <conformance folder>
"""
import glob
import json
import os
import sys

import chevron
from pystache import Renderer

from folio_client._prompt import PromptFile

ROOT = sys.argv[1]


def spec_cases():
    for path in sorted(glob.glob(os.path.join(ROOT, "mustache-spec", "*.json"))):
        for test in json.load(open(path, encoding="utf-8"))["tests"]:
            yield f"{os.path.basename(path)}: {test['name']}", test


def attempt(render):
    try:
        return render()
    except Exception as error:  # an engine's own failure is a wrong answer, shown as such
        return f"<{type(error).__name__}: {error}>"


ENGINES = {
    # pystache: escaping off for prompts, missing names render empty as the spec says.
    "pystache 0.6.8": (lambda template, data, partials: Renderer(partials=partials, missing_tags="ignore").render(template, data),
                       lambda template, data, partials: Renderer(partials=partials, missing_tags="ignore", escape=lambda text: text).render(template, data)),
    # chevron has no switch for escaping: {{x}} is always HTML-escaped.
    "chevron 0.14.0": (lambda template, data, partials: chevron.render(template, data, partials_dict=partials),
                       lambda template, data, partials: chevron.render(template, data, partials_dict=partials)),
}

render_cases = [case for case in json.load(open(os.path.join(ROOT, "render.json"), encoding="utf-8"))["cases"] if "expected" in case]
for name, (spec_render, prompt_render) in ENGINES.items():
    spec = list(spec_cases())
    spec_failures = [label for label, test in spec if attempt(lambda: spec_render(test["template"], test["data"], test.get("partials", {}))) != test["expected"]]
    prompt_failures = []
    for case in render_cases:
        prompt = PromptFile.compile(case["prompt"])
        values = prompt.resolve(case.get("variables", {}), case.get("allow_unknown", False))
        got = [{"role": message["role"], "content": attempt(lambda: prompt_render(message["content"], values, prompt.partials))} for message in case["prompt"]["messages"]]
        if got != case["expected"]:
            prompt_failures.append(f"{case['name']}: got {json.dumps([m['content'] for m in got])[:120]}")
    print(f"{name}: Mustache spec {len(spec) - len(spec_failures)}/{len(spec)}, Folio render cases {len(render_cases) - len(prompt_failures)}/{len(render_cases)}")
    for failure in spec_failures + prompt_failures:
        print(f"    wrong: {failure}")
