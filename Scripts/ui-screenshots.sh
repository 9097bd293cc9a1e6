#!/usr/bin/env bash
# Regenerates docs/ui.md's screenshots: the browser test's story (Tests/UI/story.py, driven by
# UITests) saves a PNG of each page it visits into docs/images. Needs what `make test` sets up
# (the Python environment with Playwright, and Debian's chromium).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
swift build --build-tests
FOLIO_UI_SCREENSHOTS="$root/docs/images" FOLIO_PYTHON="$root/.build/python/bin/python" swift test --skip-build --filter theSeedsStoryInABrowser
ls -1 docs/images/ui-*.png
