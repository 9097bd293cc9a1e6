# Folio: `make demo` and `make test` work on a fresh Debian machine as root with only
# the Swift toolchain: `deps` installs whatever else is missing with apt-get.
SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := libgit2-dev zlib1g-dev pkg-config git openssh-client nginx
BENCH_PACKAGES := wrk python3 python3-venv

.PHONY: deps build demo test bench clean

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

build: deps
	$(SWIFT) build

demo: build
	.build/debug/folio demo

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test
	.build/debug/folio lint

bench: deps
	@for pkg in $(BENCH_PACKAGES); do dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "install ok installed" || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$pkg; done
	swift build -c release --product folio
	Benchmarks/versions.sh
	Benchmarks/verify.sh
	swift build -c release --product folio-bench
	Benchmarks/build.sh
	Benchmarks/render.sh
	Benchmarks/serve.sh

clean:
	rm -rf .build
