# `make demo` runs the main job on the real sample; `make test` runs every test.
CARGO ?= cargo
DGS := target/release/dgs
SAMPLE := examples/data/auxiliares.zip
PROMPT := examples/prompts/chilecompra.es.json
# The sample's description column is `Descripción` in the CSV, `Glosa` in the workbook and
# `detalle` in the JSON lines file; all three feed one `cleanDescripcion` field.
COLUMN := Descripción|Glosa|detalle
OUT := out
STORE := $(OUT)/dgs.db

.PHONY: all build demo test test-deps test-rust venv bench-data bench-compare

all: build

build:
	$(CARGO) build --release --locked -p dgs-cli

# Uses OpenAI when OPENAI_API_KEY is set, else the offline keyword provider.
demo: build
	mkdir -p $(OUT)
	rm -f $(STORE) $(STORE)-wal $(STORE)-shm $(OUT)/clasificacion.xlsx
	$(DGS) inspect $(SAMPLE)
	$(DGS) run $(SAMPLE) --column '$(COLUMN)' --prompt $(PROMPT) \
		--store $(STORE) --out $(OUT)/clasificacion.xlsx
	$(DGS) status --store $(STORE)

test: test-deps test-rust

# The HTML report test renders the report in headless Chromium (Debian package `chromium`).
# Without root or apt-get the install is skipped and that one test says it was skipped.
test-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing chromium for the report test"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null \
				|| echo "warning: chromium install failed; the report test will be skipped"; \
		else \
			echo "warning: chromium missing and cannot be installed here; the report test will be skipped"; \
		fi; \
	fi

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
