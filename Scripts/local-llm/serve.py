"""Runs llama.cpp's OpenAI-compatible server (PyPI xllamacpp) on a loopback port.

Usage: serve.py MODEL.gguf [--port N] [--ready-file PATH]
Port 0 (the default) lets the system pick a free port. Once the server answers, the
address (http://127.0.0.1:PORT) is written to --ready-file and printed; the server then
runs until SIGTERM or SIGINT.
"""
import argparse
import json
import os
import signal
import sys
import threading
import urllib.request

import xllamacpp


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready-file")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    params = xllamacpp.CommonParams()
    params.model.path = args.model
    params.n_ctx = 2048
    params.n_parallel = 1
    params.n_gpu_layers = 0
    params.use_jinja = True
    params.offline = True
    params.hostnames = ["127.0.0.1"]
    params.port = args.port
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    params.model_alias = ["qwen2.5-coder-0.5b-instruct"]

    server = xllamacpp.Server(params)
    address = server.listening_address
    if isinstance(address, (bytes, bytearray)):
        address = address.decode()
    base = address if str(address).startswith("http") else f"http://{address}"
    with urllib.request.urlopen(f"{base}/v1/models", timeout=60) as response:
        json.load(response)
    if args.ready_file:
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w") as handle:
            handle.write(base + "\n")
        os.replace(tmp, args.ready_file)
    print(base, flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    del server
    sys.exit(0)


if __name__ == "__main__":
    main()
