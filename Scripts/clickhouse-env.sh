#!/usr/bin/env bash
# The real ClickHouse engine for tests and benchmarks: chdb-core (ClickHouse 26.9 in-process)
# from PyPI, without the pandas and pyarrow the full chdb package adds, into .build/chdb/venv.
# Installed once and reused; prints the venv's python.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.build/chdb/venv"
version="26.9.0"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('chdb-core') != '$version')" 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps "chdb-core==$version"
fi
"$venv/bin/python" -c "from chdb import session" >/dev/null
echo "$venv/bin/python"
