#!/usr/bin/env bash
# Generates Sources/FolioOTLP from the vendored opentelemetry-proto .proto files
# (Protos/opentelemetry-proto, v1.11.0). Run by hand when the protos change; the generated
# code is committed, so no build runs protoc or its plugin.
#
# Needs Debian's protobuf-compiler (protoc 3.21) and protoc-gen-swift built from the
# swift-protobuf version Package.swift names (1.39.0):
#   apt-get install protobuf-compiler
#   git clone https://github.com/apple/swift-protobuf /tmp/swift-protobuf
#   git -C /tmp/swift-protobuf checkout 1.39.0
#   (cd /tmp/swift-protobuf && swift build -c release --product protoc-gen-swift)
#   PROTOC_GEN_SWIFT=/tmp/swift-protobuf/.build/release/protoc-gen-swift Scripts/generate-otlp.sh
set -euo pipefail
cd "$(dirname "$0")/.."
plugin="${PROTOC_GEN_SWIFT:-$(command -v protoc-gen-swift || true)}"
[ -x "$plugin" ] || { echo "set PROTOC_GEN_SWIFT to a protoc-gen-swift binary (see this script's header)" >&2; exit 2; }
out=Sources/FolioOTLP
root=Protos/opentelemetry-proto
rm -f "$out"/*.pb.swift
mkdir -p "$out"
protoc --plugin=protoc-gen-swift="$plugin" \
  --swift_opt=Visibility=Package --swift_opt=FileNaming=PathToUnderscores \
  --swift_out="$out" -I "$root" \
  opentelemetry/proto/common/v1/common.proto \
  opentelemetry/proto/resource/v1/resource.proto \
  opentelemetry/proto/trace/v1/trace.proto \
  opentelemetry/proto/logs/v1/logs.proto \
  opentelemetry/proto/collector/trace/v1/trace_service.proto \
  opentelemetry/proto/collector/logs/v1/logs_service.proto
echo "generated $(ls "$out"/*.pb.swift | wc -l) files in $out from opentelemetry-proto $(cat "$root/VERSION") with $(protoc --version) and protoc-gen-swift $("$plugin" --version)"
