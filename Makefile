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

.PHONY: all build demo test test-rust

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

test: test-rust

test-rust:
	$(CARGO) test --workspace --locked
