"""Ledger-style dedup key shared by the dataset generator and the peer pipelines.

The key folds the variations that ledger descriptions carry for the same
concept: case, accents, punctuation, spacing, and the dates, amounts and
document numbers embedded in the text. The regular expressions avoid
look-around so that Python `re` (pandas) and the Rust `regex` crate (polars)
accept the same patterns.
"""

import re
import unicodedata

# Combining marks left by NFKD decomposition (acute, tilde, diaeresis, ...).
COMBINING_MARKS = "[\u0300-\u036f]"

# 15/03/2024, 15-03-24, 15.03.2024, 03/2024 and 2024-03-15.
DATE = r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{1,2}[/-]\d{4}\b|\b\d{4}-\d{2}-\d{2}\b"

# 1.234.567,89, $ 1.234 and 4567,50 (Spanish decimal comma).
AMOUNT = r"\$?\s*\d{1,3}(?:\.\d{3})+(?:,\d+)?|\$?\s*\d+,\d+"

NUMBER = r"\d+"

# Everything that is neither a word character nor part of a mask token.
SEPARATOR = r"[^\w<>]+|_"

DATE_TOKEN = " <d> "
AMOUNT_TOKEN = " <a> "
NUMBER_TOKEN = " <n> "

_COMBINING_MARKS = re.compile(COMBINING_MARKS)
_DATE = re.compile(DATE)
_AMOUNT = re.compile(AMOUNT)
_NUMBER = re.compile(NUMBER)
_SEPARATOR = re.compile(SEPARATOR)
_SPACES = re.compile(r"\s+")


def basic_clean(text: str) -> str:
    """Strip the ends and collapse inner whitespace runs to one space."""
    return _SPACES.sub(" ", text).strip()


def ledger_key(text: str) -> str:
    """Return the dedup key: lowercase, no accents, masked numbers, single spaces."""
    key = unicodedata.normalize("NFKD", text.lower())
    key = _COMBINING_MARKS.sub("", key)
    key = _DATE.sub(DATE_TOKEN, key)
    key = _AMOUNT.sub(AMOUNT_TOKEN, key)
    key = _NUMBER.sub(NUMBER_TOKEN, key)
    key = _SEPARATOR.sub(" ", key)
    return key.strip()
