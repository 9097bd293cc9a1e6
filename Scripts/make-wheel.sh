#!/usr/bin/env bash
# `make wheel`: the folio CLI as a platform wheel, as ruff and uv ship theirs, so a Python
# team's CI and laptops get it with `pip install`. The distribution is `folio-prompts`
# (on PyPI `folio` is a 2013 static-site generator and `folio-deck` installs a `folio`
# command of its own); it installs the `folio` command.
#
# The wheel holds the release archive of `make dist` laid out under the environment's
# prefix: the binary as a script (bin/folio) and its bundled libraries as data
# (lib/folio/, found through the binary's rpath $ORIGIN/../lib/folio), plus zlib and
# PCRE2, so that it needs nothing from the system but glibc, libstdc++ and libgcc_s (the
# manylinux policy's libraries). Tagged manylinux_2_36 (Debian bookworm's glibc, where it
# is built). Writes .build/dist/folio_prompts-<version>-py3-none-manylinux_2_36_<arch>.whl
# and prints its path.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
archive="$("$root/Scripts/make-dist.sh")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar -xzf "$archive" -C "$work"
tree="$(echo "$work"/folio-*)"
# zlib and PCRE2 are in every Debian, not in the manylinux policy: they travel too.
for library in $(ldd "$tree/bin/folio" | awk '/=> \// { print $3 }'); do
  case "$(basename "$library")" in libz.so.*|libpcre2-8.so.*) cp -L "$library" "$tree/lib/folio/" ;; esac
done
python3 - "$tree" "$root/.build/dist" "$(cat "$root/VERSION")" "$(uname -m)" <<'PY'
import base64, hashlib, os, stat, sys, zipfile
tree, out, version, arch = sys.argv[1:5]
name = "folio_prompts"
data = f"{name}-{version}.data"
info = f"{name}-{version}.dist-info"
tag = f"py3-none-manylinux_2_36_{arch}"
files = {}

def add(path, content, mode=0o644):
    files[path] = (content, mode)

add(f"{name}/__init__.py", (
    '"""The folio CLI (prompts as files in git), installed by pip as the `folio` command."""\n'
    "import os\nimport sysconfig\n\n"
    f'__version__ = "{version}"\n\n\n'
    "def binary() -> str:\n"
    '    """The path of the installed folio binary."""\n'
    '    return os.path.join(sysconfig.get_path("scripts"), "folio")\n').encode())
add(f"{name}/__main__.py", (
    "import os\nimport sys\n\nfrom . import binary\n\n"
    "os.execv(binary(), [binary(), *sys.argv[1:]])\n").encode())
add(f"{data}/scripts/folio", open(os.path.join(tree, "bin", "folio"), "rb").read(), 0o755)
for folder, _, names in os.walk(tree):
    for file in names:
        path = os.path.join(folder, file)
        relative = os.path.relpath(path, tree)
        if relative.startswith(("lib/", "share/")):
            add(f"{data}/data/{relative}", open(path, "rb").read(), 0o755 if os.access(path, os.X_OK) else 0o644)
readme = open(os.path.join(tree, "README.md"), encoding="utf-8").read()
add(f"{info}/METADATA", (
    "Metadata-Version: 2.1\n"
    "Name: folio-prompts\n"
    f"Version: {version}\n"
    "Summary: Folio's CLI: prompts as files in git, versioned, signed, evaluated before merge.\n"
    "License: Apache-2.0\n"
    "Requires-Python: >=3.8\n"
    "Description-Content-Type: text/markdown\n\n" + readme).encode())
add(f"{info}/WHEEL", f"Wheel-Version: 1.0\nGenerator: folio make-wheel.sh\nRoot-Is-Purelib: false\nTag: {tag}\n".encode())

def digest(content):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()

record = "".join(f"{path},{digest(content)},{len(content)}\n" for path, (content, _) in sorted(files.items()))
record += f"{info}/RECORD,,\n"
add(f"{info}/RECORD", record.encode())
os.makedirs(out, exist_ok=True)
wheel = os.path.join(out, f"{name}-{version}-{tag}.whl")
with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
    for path in sorted(files, key=lambda p: (p.startswith(info), p)):
        content, mode = files[path]
        entry = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
        entry.external_attr = (stat.S_IFREG | mode) << 16
        entry.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(entry, content)
print(wheel)
PY
