#!/usr/bin/env bash
# The fuzz tests at ten times the inputs `make test` feeds them: about a million random and
# mutated inputs to the YAML loader, the template parser and renderer, the OTLP reader and
# the signature, key and allowed_signers parsers. Fails on a crash, a slow input or a
# mutated signature that verifies. FOLIO_FUZZ_SCALE sets the multiple.
set -euo pipefail
cd "$(dirname "$0")/.."
scale="${FOLIO_FUZZ_SCALE:-10}"
swift build --build-tests >/dev/null
start=$(date +%s)
FOLIO_FUZZ_SCALE="$scale" swift test --skip-build --filter 'TemplateFuzzTests|LoaderFuzzTests|OTLPFuzzTests|SignatureFuzzTests' 2>&1 | grep -E '✔|✘|passed|failed' | grep -v '^◇'
echo "fuzz: $((100000 * scale)) inputs in $(( $(date +%s) - start )) s"
