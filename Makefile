# The two commands a newcomer needs are `make run` and `make test`; each installs what is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help

SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
# Debian packages the build, the tests and `make run` need.
DEB_PACKAGES := libnghttp2-dev libprotobuf-c-dev protobuf-c-compiler protobuf-compiler \
  libprotoc-dev libsqlite3-dev nghttp2-client wrk docker-compose
SWIFT_FLAGS := -Xswiftc -warnings-as-errors
VENV := .venv
PYTHON := $(VENV)/bin/python

.PHONY: help deps venv build generate check-generated test run compose-check tsan bench lint clean

help:
	@echo "make run    start the whole system on its embedded defaults"
	@echo "make test   run every test (installs what is missing first)"
	@echo "make generate | check-generated | build | bench | tsan | lint | deps | venv | clean"

deps:
	@missing=$$(for package in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q 'install ok installed' || echo $$package; \
	done); \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing $$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

venv: $(VENV)/.installed
$(VENV)/.installed: requirements-test.txt | deps
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@

build: deps
	swift build $(SWIFT_FLAGS)

PLUGIN_BIN = $$(swift build --show-bin-path)/protoc-gen-swift-rpc

generate: deps
	swift build --product protoc-gen-swift-rpc $(SWIFT_FLAGS)
	scripts/generate.sh $(PLUGIN_BIN)

check-generated: deps
	swift build --product protoc-gen-swift-rpc $(SWIFT_FLAGS)
	scripts/generate.sh $(PLUGIN_BIN) --check

# Two runs: the suites with timing assertions first, then the two that build a package or fuzz
# for half a minute, so that those do not starve the others of the machine's cores.
HEAVY_TESTS := ReadmeWorkflowTests|FuzzTests
test: deps venv check-generated compose-check lint
	swift build --build-tests $(SWIFT_FLAGS)
	RPC_TEST_PYTHON=$(abspath $(PYTHON)) swift test --skip-build --skip '$(HEAVY_TESTS)'
	RPC_TEST_PYTHON=$(abspath $(PYTHON)) swift test --skip-build --filter '$(HEAVY_TESTS)'

# The compose file must be valid; no Docker engine is needed for this.
compose-check: deps
	docker-compose -f compose.yaml config --quiet

run: deps
	swift build -c release $(SWIFT_FLAGS)
	BIN=$$(swift build -c release --show-bin-path) scripts/run.sh

# The transport tests under ThreadSanitizer, in their own build folder.
tsan: deps venv
	swift build --build-tests --sanitize=thread --scratch-path .build-tsan
	RPC_TEST_PYTHON=$(abspath $(PYTHON)) swift test --skip-build --sanitize=thread --scratch-path .build-tsan --filter RPCTransportTests

# Every benchmark, in release builds; prints Markdown for BENCHMARKS.md. The first run builds
# grpc-swift 2 and swift-protobuf in Benchmarks/ (about 15 minutes on 2 cores).
bench: deps
	python3 scripts/bench.py

lint:
	scripts/lint.sh

clean:
	rm -rf .build $(VENV)
