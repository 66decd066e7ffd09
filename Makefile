# `make demo` runs the main job on the real sample; `make test` runs every test.
CARGO ?= cargo
DGS := target/release/dgs
SAMPLE := examples/data/auxiliares.zip

.PHONY: all build demo test test-rust

all: build

build:
	$(CARGO) build --release --locked -p dgs-cli

demo: build
	$(DGS) inspect $(SAMPLE)

test: test-rust

test-rust:
	$(CARGO) test --workspace --locked
