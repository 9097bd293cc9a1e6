"""A small HTTP front on the real ClickHouse engine (chdb-core, ClickHouse 26.9 in-process),
speaking the part of ClickHouse's HTTP interface Folio uses, so that tests talk to it
exactly as they would to a server. See README.md for what it leaves out.

Usage: front.py DATA_FOLDER [--port N] [--user U] [--password-env NAME] [--ready-file PATH] [--log-queries PATH]
Port 0 (the default) picks a free port; once listening, the address (http://127.0.0.1:PORT)
is written to --ready-file and printed. The password is read from the environment variable
--password-env names (none: any password is accepted for the user).
"""
import argparse
import base64
import os
import re
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from chdb import session

ENGINE_LOCK = threading.Lock()
SETTINGS = {"max_threads", "max_execution_time", "max_result_rows", "output_format_json_quote_64bit_integers", "date_time_output_format",
            "output_format_json_named_tuples_as_objects", "max_memory_usage", "async_insert", "wait_for_async_insert"}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--user", default="default")
    parser.add_argument("--password-env")
    parser.add_argument("--ready-file")
    parser.add_argument("--log-queries", help="append each query, its time and the size of its answer to this file")
    args = parser.parse_args()
    parent = os.getppid()

    def watch_parent():  # a test process that dies without stopping the front takes it along
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    password = os.environ.get(args.password_env) if args.password_env else None
    engine = session.Session(args.data)
    # The engine takes SIGTERM for itself; a front stops at once (data is flushed per insert).
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def answer(self, status, body, headers=()):
            data = body if isinstance(body, bytes) else body.encode()
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def fail(self, status, code, message):
            self.answer(status, f"Code: {code}. DB::Exception: {message}\n", [("X-ClickHouse-Exception-Code", str(code)), ("Content-Type", "text/plain; charset=UTF-8")])

        def authenticated(self) -> bool:
            user = self.headers.get("X-ClickHouse-User")
            key = self.headers.get("X-ClickHouse-Key")
            basic = self.headers.get("Authorization", "")
            if basic.startswith("Basic "):
                user, _, key = base64.b64decode(basic[6:]).decode().partition(":")
            user = user or "default"
            return user == args.user and (password is None or key == password)

        def do_GET(self):
            self.handle_request(b"")

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            self.handle_request(self.rfile.read(length) if length else b"")

        def handle_request(self, body: bytes):
            url = urlsplit(self.path)
            if url.path in ("/ping", "/ping/"):
                return self.answer(200, "Ok.\n")
            if url.path != "/":
                return self.fail(404, 0, f"there is no handler for {url.path}")
            if not self.authenticated():
                return self.fail(401, 516, f"{self.headers.get('X-ClickHouse-User') or 'default'}: Authentication failed: password is incorrect, or there is no user with such name.")
            parameters = dict(parse_qsl(url.query, keep_blank_values=True))
            query = parameters.get("query")
            text = body.decode("utf-8", "replace")
            if query is None:
                query, data = text, ""
            else:
                data = text
            if not query.strip():
                return self.fail(400, 62, "Empty query.")
            params = {key[6:]: value for key, value in parameters.items() if key.startswith("param_")}
            database = parameters.get("database")
            fmt = parameters.get("default_format", "TabSeparated")
            sql = query if not data else query.rstrip() + "\n" + data
            settings = [f"{key} = {value}" for key, value in parameters.items() if key in SETTINGS and re.fullmatch(r"[0-9A-Za-z_']+", value)]
            try:
                with ENGINE_LOCK:
                    if database:
                        engine.query(f"USE `{database}`")
                    if settings and re.match(r"\s*(SELECT|WITH)\b", query, re.I):
                        sql = sql.rstrip().rstrip(";") + " SETTINGS " + ", ".join(settings)
                    began = time.monotonic()
                    result = engine.query(sql, fmt, params=params)
                    payload = result.bytes() if hasattr(result, "bytes") else bytes(result)
                    if args.log_queries:
                        with open(args.log_queries, "a") as log:
                            log.write(f"-- {time.monotonic() - began:.3f} s {len(payload)} bytes {params}\n{sql[:200000]}\n;\n")
            except Exception as error:  # ClickHouse's own message, with its code
                message = str(error)
                match = re.search(r"Code: (\d+)\.", message)
                code = int(match.group(1)) if match else 1000
                status = 404 if code in (60, 81) else 400 if code in (62, 27, 26, 117, 6, 36, 43, 47, 53, 70, 72, 386, 456, 457) else 500
                return self.fail(status, code, re.sub(r"^.*?DB::Exception: ", "", message).strip())
            self.answer(200, payload, [("Content-Type", "text/plain; charset=UTF-8"), ("X-ClickHouse-Format", fmt)])

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    address = f"http://127.0.0.1:{server.server_address[1]}"
    if args.ready_file:
        with open(args.ready_file + ".tmp", "w") as file:
            file.write(address)
        os.replace(args.ready_file + ".tmp", args.ready_file)
    print(address, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
