"""Examples/python-triage/triage_service.py, as a user runs it: against `folio serve`, an
OpenAI-compatible server, and `folio collect` as its OTLP endpoint (the stock protobuf
exporters, traces and logs). `folio report` on what was collected shows the version's row
with the misrouting graded from the content the instrumentation logged."""
import json
import os
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import FOLIO, ROOT, run

pytest.importorskip("opentelemetry.instrumentation.openai_v2")
EXAMPLE = ROOT / "Examples" / "python-triage" / "triage_service.py"


class AlwaysBilling(BaseHTTPRequestHandler):
    """A model that routes every ticket to billing (the drifted model of the story)."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        assert request["messages"][0]["role"] == "system" and request["temperature"] == 0, request
        body = json.dumps({"id": "x", "object": "chat.completion", "created": 0, "model": "gpt-4o-mini",
                           "choices": [{"index": 0, "message": {"role": "assistant", "content": " Billing\n"}, "finish_reason": "stop"}],
                           "usage": {"prompt_tokens": 30, "completion_tokens": 2, "total_tokens": 32}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_the_example_app_closes_the_loop(serve, published, tmp_path):
    model = ThreadingHTTPServer(("127.0.0.1", 0), AlwaysBilling)
    threading.Thread(target=model.serve_forever, daemon=True).start()
    collect = subprocess.Popen([FOLIO, "collect", "--port", "0", "--grpc-port", "0", "--out", str(tmp_path / "traces")], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = re.search(r"http://127\.0\.0\.1:(\d+)", collect.stdout.readline()).group(1)
        key = tmp_path / "folio.pub"
        key.write_text(published.public_key + "\n")
        environment = dict(os.environ, OPENAI_BASE_URL=f"http://127.0.0.1:{model.server_address[1]}/v1", OPENAI_API_KEY="unused",
                           OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{port}")
        result = subprocess.run([sys.executable, str(EXAMPLE), "--manifest-url", serve.manifest_url, "--public-key", str(key), "--prompt", "triage"],
                                capture_output=True, text=True, env=environment, timeout=120)
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines[0] == "Serving version: v1 (published)"
        assert [line.split()[:3] for line in lines[1:]] == [["v1", "ok", "Billing"], ["v1", "WRONG", "Billing"], ["v1", "WRONG", "Billing"]]
    finally:
        collect.terminate()
        collect.wait(30)
        model.shutdown()
    report = json.loads(run([FOLIO, "report", str(tmp_path / "traces"), "--label-attr", "app.expected_team", "--format", "json"], tmp_path).stdout)
    [row] = report["groups"]
    assert (row["group"], row["spans"], row["input_tokens_mean"]) == ("triage 1", 3, 30), row
    assert row["misclassification_rate_spans"] == 3 and abs(row["misclassification_rate"] - 2 / 3) < 1e-9, row
    # --where reads the resource's service.name (OTEL_SERVICE_NAME) when spans lack it.
    def listed(service):
        output = run([FOLIO, "traces", "list", str(tmp_path / "traces"), "--where", f"service.name={service}"], tmp_path).stdout
        return [line for line in output.splitlines() if "triage@1" in line]
    assert len(listed("triage-service")) == 3 and listed("support-app") == []
