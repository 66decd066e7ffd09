# `make demo` runs the main job on the real sample; `make test` runs every test.
CARGO ?= cargo
DGS := target/release/dgs
SAMPLE := examples/data/auxiliares.zip

.PHONY: all build demo test test-rust venv bench-data bench-compare

all: build

build:
	$(CARGO) build --release --locked -p dgs-cli

demo: build
	$(DGS) inspect $(SAMPLE)

test: test-rust

test-rust:
	$(CARGO) test --workspace --locked

# Benchmarks against pandas and polars: see docs/benchmarks.md.
PYTHON ?= python3
VENV := .venv
VENV_PY := $(VENV)/bin/python
BENCH_REQUIREMENTS := benches/compare/requirements.txt
BENCH_ARGS ?=
BENCH_DATA_ARGS ?=

# Re-installs only when requirements.txt is newer than the last install.
venv: $(VENV)/.installed

$(VENV)/.installed: $(BENCH_REQUIREMENTS)
	test -x $(VENV_PY) || $(PYTHON) -m venv $(VENV)
	$(VENV_PY) -m pip install --quiet --disable-pip-version-check -r $(BENCH_REQUIREMENTS)
	touch $@

BENCH_DATA := benches/data

# Regenerates only when the generator changes; other sizes: run the script with --rows and --out.
bench-data: $(BENCH_DATA)/manifest.json

$(BENCH_DATA)/manifest.json: benches/gen_dataset.py benches/ledger_key.py | venv
	$(VENV_PY) benches/gen_dataset.py --out $(BENCH_DATA) $(BENCH_DATA_ARGS)

bench-compare: venv build bench-data
	$(CARGO) build --release --locked -p dgs-benches --bin calamine_cells
	$(VENV_PY) benches/compare/run.py --dgs $(DGS) --data $(BENCH_DATA) $(BENCH_ARGS)
