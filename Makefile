# Helpdesk — `make run` to try it with demo data, `make test` to run every test.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/.tools/node_modules/.bin:$(PATH)

E2E_ADDR ?= 127.0.0.1:3900
E2E_DB := target/e2e/helpdesk.db

.PHONY: run test setup build unit e2e bench

setup:
	@scripts/setup.sh

build: setup
	cargo leptos build --release

## Builds (release), creates data/helpdesk.db with demo data on first start, serves on 127.0.0.1:3000.
run: build
	HELPDESK_DEMO=1 ./target/release/server

## Unit, store and server tests, then the Playwright suite in headless Chromium.
test:
	@scripts/setup.sh --test
	$(MAKE) unit
	cargo leptos build --release
	$(MAKE) e2e

unit:
	cargo test --workspace --features app/ssr

e2e:
	@scripts/e2e.sh $(E2E_ADDR) $(E2E_DB)

bench: build
	cargo run --release -p bench --bin board
