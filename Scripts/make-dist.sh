#!/usr/bin/env bash
# `make dist`: a release archive of folio that runs on a Debian (bookworm or later) machine
# without the Swift toolchain. The Swift runtime is linked in (--static-swift-stdlib);
# libgit2 and the libraries it needs that a minimal Debian lacks go in lib/folio/, found
# through the binary's rpath ($ORIGIN/../lib/folio), so an install under a shared prefix
# keeps them to itself. Shell completions go in share/.
#
#   folio-<version>-linux-<arch>/bin/folio
#   folio-<version>-linux-<arch>/lib/folio/*.so*
#   folio-<version>-linux-<arch>/share/{bash-completion,zsh,fish}/…
#
# Writes .build/dist/folio-<version>-linux-<arch>.tar.gz and its .sha256 (sha256sum's
# format: `sha256sum -c` checks it). Prints the archive's path.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
swift build -c release --static-swift-stdlib --product folio -Xlinker -rpath -Xlinker '$ORIGIN/../lib/folio' >&2
binary="$root/.build/release/folio"
version="$("$binary" --version)"
arch="$(uname -m)"
name="folio-$version-linux-$arch"
out="$root/.build/dist"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name/bin" "$stage/$name/lib/folio" "$out"
install -m 755 "$binary" "$stage/$name/bin/folio"
strip --strip-unneeded "$stage/$name/bin/folio" 2>/dev/null || true

# Libraries from packages a minimal Debian has are left to the system; the rest travel.
base_packages=" libc6 libstdc++6 libgcc-s1 zlib1g libpcre2-8-0 "
ldd "$binary" | awk '/=> \// { print $3 }' | while read -r library; do
  case "$library" in */swift/*) echo "error: $library is a Swift toolchain library: the build is not static" >&2; exit 1 ;; esac
  package="$(dpkg -S "$(readlink -f "$library")" 2>/dev/null | head -1 | cut -d: -f1 || true)"
  [ -z "$package" ] && package="$(dpkg -S "$library" 2>/dev/null | head -1 | cut -d: -f1 || true)"
  case "$base_packages" in *" ${package:-?} "*) continue ;; esac
  cp -L "$library" "$stage/$name/lib/folio/"
done

completions="$stage/$name/share"
mkdir -p "$completions/bash-completion/completions" "$completions/zsh/site-functions" "$completions/fish/vendor_completions.d"
"$binary" --generate-completion-script bash > "$completions/bash-completion/completions/folio"
"$binary" --generate-completion-script zsh > "$completions/zsh/site-functions/_folio"
"$binary" --generate-completion-script fish > "$completions/fish/vendor_completions.d/folio.fish"
cp README.md "$stage/$name/README.md"

# Reproducible: sorted names, fixed owner and times.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='@0' -C "$stage" -czf "$out/$name.tar.gz" "$name"
(cd "$out" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
echo "$out/$name.tar.gz"
