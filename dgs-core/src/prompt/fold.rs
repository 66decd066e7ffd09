//! Accent- and case-insensitive text comparison for category names and keywords.
//!
//! Spanish ledger text mixes `Mantención`, `MANTENCION` and `mantencion`; these helpers make
//! them compare equal by decomposing to NFD, dropping combining marks and lowercasing.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Returns `text` lowercased, without accents and with runs of whitespace collapsed to one
/// space.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for ch in text.nfd().filter(|ch| !is_combining_mark(*ch)) {
        if ch.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.extend(ch.to_lowercase());
    }
    out
}

/// Splits `text` into folded words: maximal runs of letters and digits.
pub fn fold_words(text: &str) -> Vec<String> {
    fold(text)
        .split(|ch: char| !ch.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_drops_accents_and_case() {
        assert_eq!(
            fold("  Mantención   y REPARACIÓN "),
            "mantencion y reparacion"
        );
        assert_eq!(fold("Ñandú"), "nandu");
    }

    #[test]
    fn fold_words_splits_on_punctuation() {
        assert_eq!(
            fold_words("Pago factura N°123, ACME-Ltda."),
            vec!["pago", "factura", "n", "123", "acme", "ltda"]
        );
    }
}
