# Helpdesk — `make run` to try it with demo data, `make test` to run every test.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/.tools/node_modules/.bin:$(PATH)

E2E_ADDR ?= 127.0.0.1:3900
E2E_DB := target/e2e/helpdesk.db
# Rebuild only when a source changed: the WASM post-processing alone takes half a minute.
SOURCES := $(shell find app frontend server style public -type f) Cargo.toml Cargo.lock rust-toolchain.toml
RELEASE_STAMP := target/release/.helpdesk-built

.PHONY: run test setup build unit e2e bench

setup:
	@scripts/setup.sh

build: $(RELEASE_STAMP)

$(RELEASE_STAMP): $(SOURCES) | setup
	cargo leptos build --release --precompress
	@touch $@

## Builds (release), creates data/helpdesk.db with demo data on first start, serves on 127.0.0.1:3000.
## `HELPDESK_DEMO=0 make run` starts a real installation instead: no demo data, the first visit
## creates the first admin.
HELPDESK_DEMO ?= 1
run: build
	HELPDESK_DEMO=$(HELPDESK_DEMO) ./target/release/server

## Unit, store and server tests, then the Playwright suite in headless Chromium.
test:
	@scripts/setup.sh --test
	$(MAKE) unit
	$(MAKE) build
	$(MAKE) e2e

unit:
	cargo test --workspace --exclude frontend --features app/ssr

e2e:
	@scripts/e2e.sh $(E2E_ADDR) $(E2E_DB)

# One environment for all three: a different LEPTOS_OUTPUT_NAME would rebuild leptos and the app.
bench: build
	LEPTOS_OUTPUT_NAME=helpdesk cargo run --release -p bench --bin board
	LEPTOS_OUTPUT_NAME=helpdesk cargo run --release -p bench --bin assignment
	LEPTOS_OUTPUT_NAME=helpdesk cargo run --release -p bench --bin sla
	LEPTOS_OUTPUT_NAME=helpdesk cargo run --release -p bench --bin conversation
