//! Resolution of the category an answer names (a number, a numeric string or a name) to a
//! category of the prompt.

use std::collections::HashMap;
use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

use super::input::EnginePrompt;
use super::parse::RawCategory;

/// Lowercases, removes accents and collapses whitespace, so `"  Gastos  Op."` and
/// `"gastos op."` compare equal, and so do `"Pagó"` and `"pago"`.
pub(crate) fn normalize_text(text: &str) -> String {
    let folded: String = text
        .nfd()
        .filter(|ch| !is_combining_mark(*ch))
        .flat_map(char::to_lowercase)
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Category of the prompt that an answer's category resolves to.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ResolvedCategory {
    /// A category of the prompt, by name.
    Known(String),
    /// The fallback category, named explicitly (number 0 or its name).
    Fallback,
    /// Nothing in the prompt; carries what the model wrote.
    Unknown(String),
}

/// Lookup tables from category numbers and normalised names to category names.
#[derive(Clone, Debug)]
pub(crate) struct CategoryIndex {
    by_number: HashMap<i64, String>,
    by_name: HashMap<String, String>,
    fallback_key: String,
}

impl CategoryIndex {
    pub(crate) fn new(prompt: &EnginePrompt) -> Self {
        let by_number = prompt
            .categories
            .iter()
            .map(|(number, name)| (i64::from(*number), name.clone()))
            .collect();
        let by_name = prompt
            .categories
            .iter()
            .map(|(_, name)| (normalize_text(name), name.clone()))
            .collect();
        CategoryIndex {
            by_number,
            by_name,
            fallback_key: normalize_text(&prompt.fallback),
        }
    }

    /// Resolves a number to its category, then tries it as a name (a category may be named
    /// "2024"); number 0 is the fallback.
    fn resolve_number(&self, number: i64) -> ResolvedCategory {
        if number == 0 {
            return ResolvedCategory::Fallback;
        }
        if let Some(name) = self.by_number.get(&number) {
            return ResolvedCategory::Known(name.clone());
        }
        self.resolve_name(&number.to_string())
    }

    fn resolve_name(&self, name: &str) -> ResolvedCategory {
        let key = normalize_text(name);
        if let Some(known) = self.by_name.get(&key) {
            return ResolvedCategory::Known(known.clone());
        }
        if key == self.fallback_key {
            return ResolvedCategory::Fallback;
        }
        ResolvedCategory::Unknown(name.to_owned())
    }

    pub(crate) fn resolve(&self, raw: &RawCategory) -> ResolvedCategory {
        match raw {
            RawCategory::Number(number) => self.resolve_number(*number),
            RawCategory::Name(name) => match name.trim().parse::<i64>() {
                Ok(number) => self.resolve_number(number),
                Err(_) => self.resolve_name(name),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> CategoryIndex {
        CategoryIndex::new(&EnginePrompt::new(
            "sys",
            "h",
            vec![
                (1, "Gastos Operación".to_owned()),
                (2, "Nómina".to_owned()),
                (7, "2024".to_owned()),
            ],
        ))
    }

    #[test]
    fn normalize_folds_case_accents_spaces() {
        assert_eq!(
            normalize_text("  Pagó\tFACTURA  ñandú "),
            "pago factura nandu"
        );
    }

    #[test]
    fn resolves_numbers_names_and_fallback() {
        let index = index();
        let known = |name: &str| ResolvedCategory::Known(name.to_owned());
        assert_eq!(index.resolve(&RawCategory::Number(2)), known("Nómina"));
        assert_eq!(
            index.resolve(&RawCategory::Name(" 1 ".into())),
            known("Gastos Operación")
        );
        assert_eq!(
            index.resolve(&RawCategory::Name("NOMINA".into())),
            known("Nómina")
        );
        assert_eq!(index.resolve(&RawCategory::Number(2024)), known("2024"));
        assert_eq!(
            index.resolve(&RawCategory::Number(0)),
            ResolvedCategory::Fallback
        );
        assert_eq!(
            index.resolve(&RawCategory::Name("indeterminado".into())),
            ResolvedCategory::Fallback
        );
        assert_eq!(
            index.resolve(&RawCategory::Number(9)),
            ResolvedCategory::Unknown("9".into())
        );
        assert_eq!(
            index.resolve(&RawCategory::Name("Viajes".into())),
            ResolvedCategory::Unknown("Viajes".into())
        );
    }
}
