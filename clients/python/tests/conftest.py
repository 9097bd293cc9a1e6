"""Real parts for the SDK's tests: the folio binary, a prompt repository in a temporary
git folder with a throwaway ed25519 key, `folio serve` and nginx on free loopback ports."""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Dict, List, Optional

import pytest

ROOT = Path(__file__).resolve().parents[3]
CONFORMANCE = ROOT / "conformance"
FOLIO = os.environ.get("FOLIO_BIN") or str(ROOT / ".build" / "debug" / "folio")

TRIAGE_V1 = textwrap.dedent("""\
    schema: folio/prompt@1
    name: triage
    description: Route support tickets.
    model: { provider: openai, name: gpt-4o-mini, temperature: 0 }
    variables:
      ticket_text: { type: string, required: true }
      ticket_type: { type: string, enum: [email, chat, web], default: email }
    messages:
      - role: system
        content: |
          You classify tickets: billing, technical, account or general.
          Ticket type: {{ticket_type}}
      - role: user
        content: "{{ticket_text}}"
    output: { type: label, labels: [billing, technical, account, general] }
    """)

DIGEST = textwrap.dedent("""\
    schema: folio/prompt@1
    name: digest
    variables:
      team: { type: string, required: true }
      urgent: { type: boolean, default: false }
      tickets: { type: list, default: [] }
      owner: { type: object, default: { name: nobody } }
    messages:
      - role: system
        content: |
          {{> header}}
          {{#urgent}}
          URGENT for {{team}}!
          {{/urgent}}
          {{^tickets}}
          No tickets.
          {{/tickets}}
          {{#tickets}}
          - {{id}}: {{text}}{{#tags}} [{{.}}]{{/tags}}
          {{/tickets}}
          Owner: {{owner.name}}
    """)

HEADER = 'schema: folio/partial@1\nname: header\ncontent: "Digest for the {{team}} team & friends\\n"\n'


def run(arguments: List[str], cwd: Path, check: bool = True, env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
    environment = dict(os.environ, GIT_AUTHOR_NAME="Ada Tester", GIT_AUTHOR_EMAIL="ada@example.com",
                       GIT_COMMITTER_NAME="Ada Tester", GIT_COMMITTER_EMAIL="ada@example.com", **(env or {}))
    result = subprocess.run(arguments, cwd=cwd, capture_output=True, text=True, env=environment)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(arguments)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PromptRepo:
    """A Folio repository with triage (two versions) and digest, a signing key and dist/."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.key = folder / ".key"
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ops@example.com", "-f", str(self.key)], folder)
        self.public_key = (folder / ".key.pub").read_text().strip()
        run(["git", "init", "-q", "-b", "main"], folder)
        (folder / "folio.yaml").write_text("schema: folio/config@1\nenvironments: [staging, production]\n")
        (folder / ".folio").mkdir()
        (folder / ".folio" / "allowed_signers").write_text(f'ops@example.com namespaces="git,folio-manifest" {self.public_key}\n')
        (folder / ".gitignore").write_text(".key\n.key.pub\ndist/\n")
        (folder / "prompts" / "partials").mkdir(parents=True)
        (folder / "prompts" / "triage.yaml").write_text(TRIAGE_V1)
        (folder / "prompts" / "digest.yaml").write_text(DIGEST)
        (folder / "prompts" / "partials" / "header.yaml").write_text(HEADER)
        self.commit("v1")
        (folder / "prompts" / "triage.yaml").write_text(TRIAGE_V1.replace("You classify tickets:", "Route each ticket to one team:"))
        self.commit("v2")
        self.dist = folder / "dist"

    def commit(self, message: str) -> None:
        run(["git", "add", "-A"], self.folder)
        run(["git", "commit", "-q", "-m", message], self.folder)

    def folio(self, *arguments: str, check: bool = True) -> subprocess.CompletedProcess:
        return run([FOLIO, *arguments], self.folder, check=check)

    def promote(self, reference: str, env: str = "production") -> None:
        self.folio("promote", reference, "--env", env, "--note", f"promote {reference}", "--signing-key", str(self.key))

    def build(self, out: Optional[Path] = None, *extra: str) -> Path:
        out = out or self.dist
        self.folio("build", "--env", "production", "--out", str(out), "--signing-key", str(self.key), *extra)
        return out


def _make_repo(tmp_path: Path) -> PromptRepo:
    folder = tmp_path / "repo"
    folder.mkdir()
    return PromptRepo(folder)


@pytest.fixture
def repo(tmp_path: Path) -> PromptRepo:
    return _make_repo(tmp_path)


@pytest.fixture
def published(tmp_path: Path) -> PromptRepo:
    """triage v1 and digest v1 promoted to production and built."""
    repository = _make_repo(tmp_path)
    repository.promote("triage@1")
    repository.promote("digest@1")
    repository.build()
    return repository


class Served:
    """A static server for a dist/ folder, and the manifest URL."""

    def __init__(self, url: str, process: subprocess.Popen, log: Path):
        self.url = url
        self.process = process
        self.log = log

    @property
    def manifest_url(self) -> str:
        return self.url + "/production/manifest.json"

    def requests(self, path: str) -> List[str]:
        """The statuses `folio serve` logged for `path` (its access log)."""
        text = self.log.read_text() if self.log.exists() else ""
        return re.findall(rf"path={re.escape(path)} status=(\d+)", text)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


def start_folio_serve(dist: Path, log: Path) -> Served:
    handle = open(log, "w")
    process = subprocess.Popen([FOLIO, "serve", str(dist), "--port", "0"], stdout=subprocess.PIPE, stderr=handle, text=True)
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
    assert match, f"folio serve printed {line!r}"
    return Served(f"http://127.0.0.1:{match.group(1)}", process, log)


def start_nginx(dist: Path, work: Path) -> Served:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    port = free_port()
    (work / "nginx").mkdir(exist_ok=True)
    config = work / "nginx" / "nginx.conf"
    # pytest's temporary folders are private to their owner: workers run as that owner.
    user = "user root;\n" if os.geteuid() == 0 else ""
    config.write_text(user + textwrap.dedent(f"""\
        worker_processes 1;
        error_log {work}/nginx/error.log;
        pid {work}/nginx/nginx.pid;
        events {{ worker_connections 256; }}
        http {{
            access_log {work}/nginx/access.log;
            client_body_temp_path {work}/nginx/body;
            proxy_temp_path {work}/nginx/proxy;
            fastcgi_temp_path {work}/nginx/fastcgi;
            uwsgi_temp_path {work}/nginx/uwsgi;
            scgi_temp_path {work}/nginx/scgi;
            types {{ application/json json; text/plain sig; }}
            server {{ listen 127.0.0.1:{port}; root {dist}; etag on; gzip_static on; }}
        }}
        """))
    os.chmod(work, 0o755)
    process = subprocess.Popen([nginx, "-c", str(config), "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 10
    while time.time() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    return Served(f"http://127.0.0.1:{port}", process, work / "nginx" / "access.log")


@pytest.fixture
def serve(published: PromptRepo, tmp_path: Path):
    served = start_folio_serve(published.dist, tmp_path / "serve.log")
    yield served
    served.stop()


@pytest.fixture(params=["folio serve", "nginx"])
def any_server(request, published: PromptRepo, tmp_path: Path):
    """The same dist/ served by `folio serve` and by nginx."""
    if request.param == "folio serve":
        served = start_folio_serve(published.dist, tmp_path / "serve.log")
    else:
        served = start_nginx(published.dist, tmp_path)
    yield served
    served.stop()


class ManualClock:
    """A clock the test moves, so no test sleeps through a TTL (it may serve as the wall
    clock too: its start is long before any manifest's expires)."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def load_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))
