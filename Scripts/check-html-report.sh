#!/usr/bin/env bash
# Opens an evaluation's report.html in headless Chromium (from Debian's packages) and checks
# that it renders offline and that the "failures only" filter hides passing rows.
# Usage: Scripts/check-html-report.sh path/to/report.html
set -euo pipefail
report="${1:?usage: $0 report.html}"
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  echo "Installing chromium"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  browser="$(command -v chromium)"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A copy that ticks the filter, then records what is visible in the page title.
python3 - "$report" "$work/probe.html" <<'PY'
import sys
html = open(sys.argv[1], encoding="utf-8").read()
probe = """<script>
window.addEventListener('load', function () {
  var rows = Array.from(document.querySelectorAll('table.cases tr[data-case]'));
  var visible = function () { return rows.filter(function (row) { return getComputedStyle(row).display !== 'none'; }).length; };
  var before = visible();
  var box = document.getElementById('failures-only');
  box.checked = true;
  box.dispatchEvent(new Event('change'));
  var after = visible();
  var failing = document.querySelectorAll('tr.failing').length;
  document.title = 'rows=' + rows.length + ' before=' + before + ' after=' + after + ' failing=' + failing;
});
</script></body>"""
open(sys.argv[2], "w", encoding="utf-8").write(html.replace("</body>", probe))
PY
dom="$("$browser" --headless --no-sandbox --disable-gpu --disable-network-access --dump-dom "file://$work/probe.html" 2>/dev/null)"
title="$(printf '%s' "$dom" | sed -n 's:.*<title>\(rows=[^<]*\)</title>.*:\1:p')"
echo "chromium: $title"
python3 - "$title" <<'PY'
import sys
fields = dict(part.split("=") for part in sys.argv[1].split())
rows, before, after, failing = (int(fields[k]) for k in ("rows", "before", "after", "failing"))
assert rows > 0 and before == rows, f"every case row is visible at first: {fields}"
assert after == failing, f"the filter leaves exactly the failing rows: {fields}"
print(f"ok: {rows} case rows; the failures-only filter shows {after}")
PY
