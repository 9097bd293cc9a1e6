#!/usr/bin/env bash
# `make install PREFIX=/usr/local [DESTDIR=…]`: the `make dist` build of folio (no Swift
# toolchain needed at run time) into PREFIX/bin, the libraries it bundles into
# PREFIX/lib/folio (its rpath), and completions where bash, zsh and fish look under PREFIX.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
prefix="${PREFIX:-/usr/local}"
destination="${DESTDIR:-}$prefix"
archive="$("$root/Scripts/make-dist.sh")"
unpacked="$(mktemp -d)"
trap 'rm -rf "$unpacked"' EXIT
tar -xzf "$archive" -C "$unpacked"
tree="$(echo "$unpacked"/folio-*)"
install -D -m 755 "$tree/bin/folio" "$destination/bin/folio"
install -d "$destination/lib/folio"
for library in "$tree"/lib/folio/*; do
  [ -e "$library" ] && install -m 644 "$library" "$destination/lib/folio/"
done
install -D -m 644 "$tree/share/bash-completion/completions/folio" "$destination/share/bash-completion/completions/folio"
install -D -m 644 "$tree/share/zsh/site-functions/_folio" "$destination/share/zsh/site-functions/_folio"
install -D -m 644 "$tree/share/fish/vendor_completions.d/folio.fish" "$destination/share/fish/vendor_completions.d/folio.fish"
echo "installed $destination/bin/folio, its libraries in $destination/lib/folio and completions in $destination/share"
