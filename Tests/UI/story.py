"""The seed's story in `folio ui`, in a real browser (Debian's chromium through Playwright).

Usage: story.py URL REPO TRACES [SCREENSHOTS]
URL is the one `folio ui` printed (with its token); REPO the repository it serves; TRACES the
folder it reads (a v2 traffic file is copied in before the dashboard step, from
$FOLIO_UI_V2_TRAFFIC). Prints one JSON object of what each step saw; UITests (Swift) checks
it and the files the steps wrote against what the commands write. With SCREENSHOTS, saves a
PNG of each page there (Scripts/ui-screenshots.sh, for docs/ui.md).
"""
import json
import os
import shutil
import subprocess
import sys
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

URL, REPO, TRACES = sys.argv[1], sys.argv[2], sys.argv[3]
SHOTS = sys.argv[4] if len(sys.argv) > 4 else None
BASE = "{0.scheme}://{0.netloc}".format(urlsplit(URL))
SET = "goldensets/support_ticket_triage/production_failures.yaml"
result = {"dialogs": [], "page_errors": []}


# WCAG 2.1 AA contrast of every visible text on a page: the text's colour (an SVG text's
# fill) against the background it sits on (the ancestors' backgrounds blended, white below),
# at least 4.5:1, or 3:1 for large text (24px, or 18.66px bold). Controls' text included.
CONTRAST = """() => {
  const parse = (text) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(text || "");
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (top, below) => ({ r: top.r * top.a + below.r * (1 - top.a), g: top.g * top.a + below.g * (1 - top.a), b: top.b * top.a + below.b * (1 - top.a), a: 1 });
  const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const luminance = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const background = (element) => {
    const layers = [];
    for (let e = element; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    return layers.reverse().reduce((below, top) => over(top, below), { r: 255, g: 255, b: 255, a: 1 });
  };
  const failures = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let checked = 0;
  while (walker.nextNode()) {
    const node = walker.currentNode, element = node.parentElement;
    if (!node.textContent.trim() || seen.has(element)) continue;
    seen.add(element);
    const style = getComputedStyle(element);
    if (style.visibility === "hidden" || element.getClientRects().length === 0) continue;
    const back = background(element);
    const color = element instanceof SVGElement ? parse(style.fill) : parse(style.color);
    if (!color) continue;
    const front = color.a < 1 ? over(color, back) : color;
    const [light, dark] = [luminance(front), luminance(back)].sort((x, y) => y - x);
    const ratio = (light + 0.05) / (dark + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    checked += 1;
    if (ratio + 0.005 < needed) failures.push(`${element.tagName.toLowerCase()} "${node.textContent.trim().slice(0, 40)}": ${ratio.toFixed(2)}:1, needs ${needed}:1`);
  }
  // Every control has a name a screen reader reads: a <label>, aria-label, or its text.
  const unlabelled = [...document.querySelectorAll("input:not([type=hidden]), select, textarea, button")]
    .filter((c) => !(c.labels && c.labels.length) && !c.getAttribute("aria-label") && !(c.tagName === "BUTTON" && c.textContent.trim()))
    .map((c) => `${c.tagName.toLowerCase()} ${c.name || c.id}`);
  return { checked, failures, unlabelled };
}"""


def shot(page, name):
    """A screenshot of the page for docs/ui.md, and its contrast checked."""
    outcome = page.evaluate(CONTRAST)
    result.setdefault("contrast", {})[name] = outcome
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"ui-{name}.png"), full_page=True)


def select_text(page, text):
    """Selects `text` inside a message, as a user dragging over it would."""
    return page.evaluate(
        """(text) => {
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
                const at = node.data.indexOf(text);
                if (at >= 0 && node.parentElement.closest('.message')) {
                    const range = document.createRange();
                    range.setStart(node, at);
                    range.setEnd(node, at + text.length);
                    const selection = window.getSelection();
                    selection.removeAllRanges();
                    selection.addRange(range);
                    return true;
                }
            }
            return false;
        }""",
        text,
    )


def git(*args):
    subprocess.run(["git", "-C", REPO, *args], check=True, capture_output=True)


with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path="/usr/lib/chromium/chromium", args=["--no-sandbox", "--disable-dev-shm-usage"])
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.on("dialog", lambda dialog: (result["dialogs"].append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: result["page_errors"].append(str(error)))

    def notice():
        """The page's status line; on a page without one, what the page said instead."""
        if page.locator(".notice").count() == 0:
            raise SystemExit(f"no notice on {page.url}: {page.inner_text('body')}")
        return page.inner_text(".notice")

    # 1. The traces, filtered to the tickets about the billing API, expected "technical".
    page.goto(URL)
    result["landed"] = urlsplit(page.url).path + ("?" + urlsplit(page.url).query if urlsplit(page.url).query else "")
    shot(page, "traces")
    # By keyboard alone: Tab reaches the first call's link, Enter opens it.
    page.locator("body").focus()
    for presses in range(1, 80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('tbody td a')"):
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/calls/**")
    result["keyboard"] = {"tabs": presses, "opened": urlsplit(page.url).path}
    page.go_back()
    page.fill("input[name=where]", "triage.expected=technical")
    page.click("form.filters button[type=submit]")
    rows = page.locator("tbody tr")
    result["filtered_rows"] = rows.count()
    misrouted = page.locator("tbody tr", has_text="billing").first
    span = misrouted.locator("input[name=span]").get_attribute("value")
    result["span"] = span
    misrouted.locator("td a").first.click()
    shot(page, "call")

    # 2. Create Prompt from Trace: two selections become {{ticket_text}} and {{ticket_type}}.
    page.click("text=Create prompt from this call")
    result["new_prompt_page"] = page.inner_text("main")
    page.fill("input[name=name]", "support_ticket_triage")
    page.fill("#variables", "")
    ticket = page.locator(".message").nth(1).inner_text().split("\n", 1)[1].strip()
    result["ticket_text"] = ticket
    for name, text in [("ticket_text", ticket), ("ticket_type", "chat")]:
        result.setdefault("selected", []).append(select_text(page, text))
        page.fill("#variable-name", name)
        page.click("[data-make-variable]")
    page.wait_for_function("document.getElementById('lint').textContent.startsWith('lint: clean')")
    result["variables_field"] = page.input_value("#variables")
    shot(page, "new-prompt")
    page.click("form[data-preview] button[type=submit]")
    result["created"] = notice()

    # 3. Add to Golden Set: the five newest calls, expected from their label.
    page.goto(BASE + "/traces")
    boxes = page.locator("input[name=span]")
    result["golden_spans"] = [boxes.nth(index).get_attribute("value") for index in range(5)]
    for index in range(5):
        boxes.nth(index).check()
    page.fill("input[name=set]", SET)
    page.fill("input[name=expected_attr]", "triage.expected")
    page.click("text=Add to golden set")
    result["golden"] = notice()

    # 4. v1 on main, then the fix as v2 (a commit), and the test panel on the golden set.
    git("add", "-A")
    git("commit", "-q", "-m", "Triage prompt from production")
    path = os.path.join(REPO, "prompts", "support_ticket_triage.yaml")
    text = open(path).read().replace("Answer with one word", "A ticket about the billing API is technical. Answer with one word", 1)
    open(path, "w").write(text)
    git("commit", "-q", "-am", "Route billing-API faults to technical")
    page.goto(BASE + "/prompts/support_ticket_triage")
    result["prompt_page"] = page.inner_text("main")
    page.select_option("select[name=set]", SET)
    page.fill("input[name=provider]", "rules")
    page.fill("input[name=base]", "1")
    page.fill("input[name=head]", "2")

    def run_panel():
        """Runs the test panel and waits for its streamed log to end."""
        page.click("form[data-stream] button[type=submit]")
        page.wait_for_selector("#run-log[data-done=true]", state="attached", timeout=180000)
        return page.inner_text("#run-log")

    result["run"] = run_panel()
    shot(page, "prompt")
    # The same panel on one set of variables, with the answer expected.
    page.fill("input[name='run.var.ticket_text']", "The invoice API returns 500 errors")
    page.fill("input[name='run.var.ticket_type']", "chat")
    page.fill("input[name=expect]", "technical")
    result["run_one"] = run_panel()

    # 5. Promote v2 to production with a note, signed with the configured key.
    page.goto(BASE + "/promotions")
    page.select_option("select[name=prompt]", "support_ticket_triage@2")
    page.select_option("select[name=environment]", "production")
    page.fill("input[name=note]", "Route billing-API faults to technical")
    page.click("button[value=promote]")
    result["promoted"] = notice()
    result["promotions_page"] = page.inner_text("main")
    shot(page, "promotions")

    # 6. The new version's traffic arrives; the dashboard shows it beside v1.
    shutil.copy(os.environ["FOLIO_UI_V2_TRAFFIC"], os.path.join(TRACES, "v2.jsonl"))
    page.goto(BASE + "/dashboard?prompt=support_ticket_triage&label=triage.expected&a=1&b=2")
    result["dashboard"] = page.inner_text("main")
    result["before_after"] = page.evaluate(
        """() => [...document.querySelectorAll("table")].filter((t) => (t.caption?.textContent || "").includes("--compare"))
              .flatMap((t) => [...t.rows].map((r) => [...r.cells].map((c) => c.textContent.trim())))"""
    )
    result["dashboard_svgs"] = page.locator("figure svg").count()
    shot(page, "dashboard")

    # Span text is data: the hostile spans show as text, and nothing runs.
    page.goto(BASE + "/traces?prompt=xss")
    result["xss_rows"] = page.locator("tbody tr").count()
    result["xss_traces"] = page.evaluate(
        "({scripts: document.querySelectorAll('script').length, images: document.querySelectorAll('img').length,"
        " javascript: document.querySelectorAll('a[href^=\"javascript\" i]').length, text: document.body.innerText})"
    )
    page.locator("tbody tr td a").first.click()
    result["xss_call"] = page.evaluate(
        "({scripts: document.querySelectorAll('script').length, images: document.querySelectorAll('img').length,"
        " javascript: document.querySelectorAll('a[href^=\"javascript\" i]').length, text: document.body.innerText})"
    )
    browser.close()

print(json.dumps(result))
