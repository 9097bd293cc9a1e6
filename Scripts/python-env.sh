#!/usr/bin/env bash
# Creates (or brings up to date) the virtual environment the Python-side tests use, in
# .build/python, from Scripts/requirements-python.txt (versions pinned, from PyPI) and
# Scripts/requirements-tools.txt (programs the tests run, pinned by hash), and
# installs clients/python into it with pip, as a user would. Prints the interpreter's path.
# Fails loudly when PyPI cannot be reached.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.build/python"
requirements="$root/Scripts/requirements-python.txt"
tools="$root/Scripts/requirements-tools.txt"
stamp="$venv/.requirements.sha256"
want="$(cat "$requirements" "$tools" | sha256sum | cut -d' ' -f1)"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check --require-hashes --no-deps -r "$tools" >&2
  echo "$want" > "$stamp"
fi
# The SDK as a user installs it (a wheel from the working tree), every time: its files change.
"$venv/bin/pip" install -q --disable-pip-version-check --no-deps --force-reinstall "$root/clients/python" >&2
echo "$venv/bin/python"
