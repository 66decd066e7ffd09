#!/usr/bin/env python3
"""Build chilecompra.es.json, the demo prompt for the ChileCompra product catalogue sample.

The categories are the `nombre_nivel1` values of the sample. Names with fewer than three
letters once accents and punctuation are dropped are placeholders, not categories, and are
left out: in the sample that is the single row whose every column is `x`.

Keywords and descriptions are mined only from the training half of the sample: the data
rows whose 0-based index is even. The odd rows are the measuring half, kept unseen so that
classification quality can be measured on them.

- Keywords: for each category, the words of `nombreproducto_onu`, `nombre_nivel3` and
  `nombre_nivel2` scored by (rows of the category containing the word / rows of the
  category) * ln(categories / categories containing the word), a tf-idf over categories.
  Words of the category's own name, stop words, words shorter than three letters and words
  with digits are skipped. The 20 best words are kept, shown in their most frequent
  accented spelling.
- Description: the category's four most frequent `nombre_nivel2` names.

Usage (Python 3.11, standard library only; the output is the same on every run):

    python3 build_chilecompra_prompt.py [CSV] [OUTPUT]

CSV defaults to DEFAULT_CSV, the ChileCompra sample `rubros_onu_muestra.csv` (`;`-separated
UTF-8 with a BOM), and OUTPUT to chilecompra.es.json beside this script.
"""

import csv
import json
import math
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

DEFAULT_CSV = Path("/work/shared/data/chilecompra/rubros_onu_muestra.csv")
DEFAULT_OUTPUT = Path(__file__).with_name("chilecompra.es.json")
# More keywords help the offline keyword provider but lengthen the system message sent with
# every chunk. Measured on the odd rows with the keyword provider: 12 keywords give 23.5%
# correct and a 4.8k-token system message (o200k_base), 20 give 26.8% and 6.0k, 40 give
# 32.2% and 8.8k.
KEYWORDS_PER_CATEGORY = 20
DESCRIPTION_GROUPS = 4
MIN_NAME_LETTERS = 3

STOP_WORDS = {
    "con", "del", "las", "los", "para", "por", "sin", "una", "unos", "unas", "sus", "que",
    "otro", "otra", "otros", "otras", "como", "entre", "sobre", "segun", "mas", "tipo", "uso",
    "etc", "cada", "esta", "este", "estos", "estas", "ese", "esa", "general", "generales",
}

TEMPLATE = (
    "Eres un analista de compras públicas de Chile. Clasifica cada producto o servicio del "
    "catálogo de Mercado Público (códigos ONU/UNSPSC) en su rubro de nivel 1.\n\n"
    "Cada ítem trae el nombre del producto o servicio. Elige el rubro que corresponde a la "
    "naturaleza del producto, no a quién lo compra. Las palabras clave vienen de ejemplos del "
    "catálogo y son una guía, no una lista cerrada.\n\n"
    "RUBROS (responde con el número)\n"
    "{categories}\n\n"
    "Si el nombre no basta para decidir (por ejemplo, solo un código o una sigla), usa "
    "{fallback}.\n\n"
    "{output_format}"
)


def fold(text):
    """Lowercase `text` and drop its accents."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def surface_words(text):
    """Split `text` into (folded, lowercase original) word pairs."""
    words = []
    current = []
    for ch in text + " ":
        if ch.isalnum():
            current.append(ch)
        elif current:
            original = "".join(current).lower()
            words.append((fold(original), original))
            current = []
    return words


def is_keyword_candidate(folded):
    return len(folded) >= 3 and folded.isalpha() and folded not in STOP_WORDS


def is_placeholder_name(name):
    return sum(ch.isalpha() for ch in fold(name)) < MIN_NAME_LETTERS


def read_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def build_prompt(rows):
    names = sorted({row["nombre_nivel1"].strip() for row in rows}, key=fold)
    excluded = [name for name in names if is_placeholder_name(name)]
    categories = [name for name in names if not is_placeholder_name(name)]
    training = [row for index, row in enumerate(rows) if index % 2 == 0]

    rows_per_category = Counter()
    word_rows = defaultdict(Counter)
    spellings = defaultdict(Counter)
    groups = defaultdict(Counter)
    for row in training:
        category = row["nombre_nivel1"].strip()
        if category not in categories:
            continue
        rows_per_category[category] += 1
        groups[category][row["nombre_nivel2"].strip()] += 1
        own_name = {folded for folded, _ in surface_words(category)}
        seen = set()
        for column in ("nombreproducto_onu", "nombre_nivel3", "nombre_nivel2"):
            for folded, original in surface_words(row[column]):
                if not is_keyword_candidate(folded) or folded in own_name:
                    continue
                spellings[folded][original] += 1
                seen.add(folded)
        for folded in seen:
            word_rows[category][folded] += 1

    categories_with_word = Counter()
    for counts in word_rows.values():
        categories_with_word.update(counts.keys())
    category_count = len(categories)

    prompt_categories = []
    for number, category in enumerate(categories, start=1):
        total = rows_per_category[category]
        scored = []
        for folded, count in word_rows[category].items():
            idf = math.log(category_count / categories_with_word[folded])
            scored.append((-(count / total) * idf, folded))
        scored.sort()
        keywords = []
        for score, folded in scored[:KEYWORDS_PER_CATEGORY]:
            if score == 0:
                break
            spelling = min(spellings[folded].items(), key=lambda item: (-item[1], item[0]))[0]
            keywords.append(spelling)

        top_groups = sorted(groups[category].items(), key=lambda item: (-item[1], item[0]))
        group_names = [name for name, _ in top_groups[:DESCRIPTION_GROUPS]]
        description = "Rubros frecuentes: " + "; ".join(group_names) + "." if group_names else ""

        prompt_categories.append(
            {
                "id": number,
                "name": category,
                "description": description,
                "priority": 0,
                "keywords": keywords,
            }
        )

    prompt = {
        "id": "chilecompra-es",
        "name": "Rubros de nivel 1 de ChileCompra",
        "label": "demo",
        "template": TEMPLATE,
        "categories": prompt_categories,
        "is_default": False,
        "created_by": "build_chilecompra_prompt.py",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "version": 1,
    }
    return prompt, excluded, len(training)


def main(argv):
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_CSV
    output = Path(argv[2]) if len(argv) > 2 else DEFAULT_OUTPUT
    rows = read_rows(source)
    prompt, excluded, training_rows = build_prompt(rows)
    with open(output, "w", encoding="utf-8", newline="\n") as handle:
        json.dump(prompt, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    print(
        f"wrote {output}: {len(prompt['categories'])} categories from {training_rows} training "
        f"rows of {len(rows)}; excluded names: {excluded}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main(sys.argv)
