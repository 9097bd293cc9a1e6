#!/usr/bin/env bash
# Regenerates the fixtures in this folder: the same triage app, driven against the same
# local OpenAI-compatible stub, recorded four ways (the seed's manual spans, and three
# instrumentations from PyPI), each exported by the stock OTLP/HTTP protobuf exporter.
# Needs python3 with venv and the network to PyPI. Writes <variant>/traces.pb (and
# logs.pb for openai-v2, which records content as log records).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="${FOLIO_FIXTURE_VENVS:-$(mktemp -d)}"
for variant in seed openai-v2 openllmetry openinference; do
  requirements="$here/requirements-$variant.txt"
  [ "$variant" = seed ] && requirements="$here/requirements-common.txt"
  venv="$work/$variant"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r "$requirements"
  rm -rf "${here:?}/$variant"
  mkdir -p "$here/$variant"
  "$venv/bin/python" "$here/generate.py" "$variant" "$here/$variant"
  echo "$variant: $(ls "$here/$variant")"
done
