//! OpenRefine-style fingerprint keys: the same words in any order and case give one key.

use super::text::{fold_accents, lowercase, remove_punctuation, Enye};
use std::cell::RefCell;

thread_local! {
    static BUFFERS: RefCell<[String; 3]> = const { RefCell::new([String::new(), String::new(), String::new()]) };
}

/// Writes the fingerprint of `input`: trimmed, lowercased, folded to ASCII (`ñ` -> `n`),
/// punctuation removed, split on whitespace, tokens sorted and deduplicated, joined by one
/// space. `"Acme S.A., pago"` and `"PAGO acme sa"` both give `"acme pago sa"`.
///
/// Unlike OpenRefine, which deletes every punctuation mark (`compra/venta` ->
/// `compraventa`), this step turns separators into spaces as
/// [`Step::RemovePunctuation`](super::Step::RemovePunctuation) does, so `compra/venta` gives
/// `compra venta`. Mask placeholders (`<num>`) survive as tokens.
pub(crate) fn fingerprint(input: &str, out: &mut String) -> bool {
    BUFFERS.with(|buffers| {
        let mut buffers = buffers.borrow_mut();
        let [first, second, third] = &mut *buffers;
        first.clear();
        second.clear();
        third.clear();

        let mut current: &str = input.trim();
        if lowercase(current, first) {
            current = first;
        }
        if fold_accents(current, Enye::Fold, second) {
            current = second;
        }
        if remove_punctuation(current, third) {
            current = third;
        }

        let mut tokens: Vec<&str> = current.split_whitespace().collect();
        tokens.sort_unstable();
        tokens.dedup();

        let start = out.len();
        for (position, token) in tokens.iter().enumerate() {
            if position > 0 {
                out.push(' ');
            }
            out.push_str(token);
        }
        let changed = out[start..] != *input;
        if !changed {
            out.truncate(start);
        }
        changed
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(input: &str) -> String {
        let mut out = String::new();
        if fingerprint(input, &mut out) {
            out
        } else {
            input.to_string()
        }
    }

    #[test]
    fn fingerprint_orders_and_folds() {
        assert_eq!(key("Acme S.A., pago"), "acme pago sa");
        assert_eq!(key("PAGO acme sa"), "acme pago sa");
        assert_eq!(key("  Año  año AÑO "), "ano");
        assert_eq!(key("Crédito IVA"), "credito iva");
        assert_eq!(key("compra/venta"), "compra venta");
        assert_eq!(key(""), "");
        assert_eq!(key("a b"), "a b");
    }

    #[test]
    fn fingerprint_keeps_placeholders() {
        assert_eq!(key("fact <num> prov <fecha>"), "<fecha> <num> fact prov");
    }
}
