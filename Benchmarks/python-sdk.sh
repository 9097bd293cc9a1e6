#!/usr/bin/env bash
# folio-client's cached render of the triage prompt against the Langfuse Python SDK
# answering get_prompt(...).compile(...) from its own cache (its prompt API stubbed on
# loopback), in the same run; chevron on a second line. Goal: folio-client >= 1x Langfuse,
# while it also checks the manifest's signature and every variable. Never a CI gate.
source "$(dirname "$0")/deploy-fixture.sh"
venv="$root/.build/bench-python"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check langfuse==5.2.0 chevron==0.14.0 pystache==0.6.8 "$root/clients/python"
"$bin/folio" serve "$work/dist" --port 0 --no-access-log > "$work/serve.log" 2>/dev/null &
server=$!
cleanup="kill $server 2>/dev/null"
until grep -q "http://127.0.0.1:" "$work/serve.log"; do sleep 0.05; done
port=$(sed -n 's/.*http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/serve.log" | head -1)
"$venv/bin/python" "${PYSCRIPT:-$root/Benchmarks/python-sdk.py}" "http://127.0.0.1:$port/production/manifest.json" "$work/key.pub" "${SECONDS_PER_SIDE:-3}"
"$venv/bin/python" "$root/Benchmarks/python-engines.py" "$root/conformance"
