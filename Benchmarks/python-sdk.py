"""For Benchmarks/python-sdk.sh: a cached render of the triage prompt with folio-client,
against the Langfuse Python SDK's get_prompt(...).compile(...) answered from its own cache
(its prompt API stubbed on loopback with the same messages), in the same run; chevron's
render of the same templates on a second line.

argv: <manifest URL> <public key file> <seconds per side>
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import chevron
from folio_client import FolioClient

MANIFEST_URL, KEY_FILE, SECONDS = sys.argv[1], sys.argv[2], float(sys.argv[3])
VARIABLES = {"ticket_text": "The billing API returns wrong amounts for annual plans", "ticket_type": "email", "customer_tier": "standard"}

folio = FolioClient(MANIFEST_URL, [open(KEY_FILE).read().strip()])
reference = folio.render("support_ticket_triage", VARIABLES)
messages = [{"role": m["role"], "content": m["content"]} for m in json.load(open(sys.argv[4]))["messages"]] if len(sys.argv) > 4 else None


class PromptAPI(BaseHTTPRequestHandler):
    """Langfuse's GET /api/public/v2/prompts/<name>: the triage prompt as a chat prompt."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        body = json.dumps({"name": "support_ticket_triage", "version": 2, "type": "chat", "prompt": TEMPLATES, "config": {},
                           "labels": ["production"], "tags": [], "commitMessage": None}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def rate(work):
    for _ in range(200):
        work()
    count = 0
    start = time.perf_counter()
    while time.perf_counter() - start < SECONDS:
        for _ in range(100):
            work()
        count += 100
    return count / (time.perf_counter() - start)


entry = folio._core.entry.manifest.prompts["support_ticket_triage"].entry
TEMPLATES = [{"role": m["role"], "content": m["content"]} for m in entry["messages"]]
server = ThreadingHTTPServer(("127.0.0.1", 0), PromptAPI)
threading.Thread(target=server.serve_forever, daemon=True).start()

from langfuse import Langfuse  # noqa: E402

langfuse = Langfuse(public_key="pk-lf-bench", secret_key="sk-lf-bench", host=f"http://127.0.0.1:{server.server_address[1]}", tracing_enabled=False)
compiled = langfuse.get_prompt("support_ticket_triage", type="chat", cache_ttl_seconds=300).compile(**VARIABLES)
assert [m["content"] for m in compiled] == [m["content"] for m in reference.messages], (compiled, reference.messages)

folio_rate = rate(lambda: folio.render("support_ticket_triage", VARIABLES))
langfuse_rate = rate(lambda: langfuse.get_prompt("support_ticket_triage", type="chat", cache_ttl_seconds=300).compile(**VARIABLES))
chevron_rate = rate(lambda: [chevron.render(t["content"], VARIABLES) for t in TEMPLATES])
print(f"folio-client render (signature and variables checked): {folio_rate:,.0f}/s; Langfuse get_prompt().compile() from its cache: {langfuse_rate:,.0f}/s; "
      f"ratio {folio_rate / langfuse_rate:.2f}x (goal >= 1x)")
print(f"chevron render of the same templates (no cache, no checks): {chevron_rate:,.0f}/s")
