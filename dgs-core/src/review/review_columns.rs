//! Column names of review files, shared by the writer and the importer.
//!
//! The writer heads columns in the reviewer's language. The importer finds each column it
//! needs by a folded key (lowercase, accents removed, only letters and digits), so
//! `Categoría correcta`, `CATEGORIA_CORRECTA ` and `corrected category` all name the corrected
//! category column, whatever language the file was written in.

use serde::{Deserialize, Serialize};
use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

/// Language of the headers, sheet names, drop-down values and instructions of a review file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewLanguage {
    /// Spanish headers (`grupo`, `veredicto`...), the default.
    #[default]
    Spanish,
    /// English headers (`group`, `verdict`...).
    English,
}

/// A column that the importer looks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Group,
    Verdict,
    CorrectedCategory,
    Comment,
    PredictedCategory,
}

impl Role {
    pub(crate) const ALL: [Role; 5] = [
        Role::Group,
        Role::Verdict,
        Role::CorrectedCategory,
        Role::Comment,
        Role::PredictedCategory,
    ];

    /// Header names the importer accepts for this column, before folding.
    pub(crate) fn aliases(self) -> &'static [&'static str] {
        match self {
            Role::Group => &["grupo", "group", "group_id", "id_grupo", "grupo_id"],
            Role::Verdict => &["veredicto", "verdict"],
            Role::CorrectedCategory => &[
                "categoria_correcta",
                "corrected_category",
                "categoria_corregida",
                "correct_category",
            ],
            Role::Comment => &["comentario", "comentarios", "comment", "comments"],
            Role::PredictedCategory => &["categoria_predicha", "predicted_category"],
        }
    }

    /// Returns true when `header` names this column once folded.
    pub(crate) fn matches(self, header: &str) -> bool {
        let key = header_key(header);
        self.aliases().iter().any(|alias| header_key(alias) == key)
    }

    /// Header the writer uses for this column in `language`.
    pub(crate) fn header(self, language: ReviewLanguage) -> &'static str {
        let (spanish, english) = match self {
            Role::Group => ("grupo", "group"),
            Role::Verdict => ("veredicto", "verdict"),
            Role::CorrectedCategory => ("categoria_correcta", "corrected_category"),
            Role::Comment => ("comentario", "comment"),
            Role::PredictedCategory => ("categoria_predicha", "predicted_category"),
        };
        match language {
            ReviewLanguage::Spanish => spanish,
            ReviewLanguage::English => english,
        }
    }
}

/// Headers of the written columns that the importer does not read.
pub(crate) struct InfoHeaders {
    pub(crate) group_size: &'static str,
    pub(crate) score: &'static str,
    pub(crate) reason: &'static str,
    /// Prefix of the columns copied from the representative's original row.
    pub(crate) original_prefix: &'static str,
    /// Suffix added to a field name that would be read as one of the importer's columns.
    pub(crate) field_suffix: &'static str,
}

impl InfoHeaders {
    pub(crate) fn new(language: ReviewLanguage) -> Self {
        match language {
            ReviewLanguage::Spanish => InfoHeaders {
                group_size: "filas",
                score: "puntaje",
                reason: "razon",
                original_prefix: "original: ",
                field_suffix: " (campo)",
            },
            ReviewLanguage::English => InfoHeaders {
                group_size: "rows",
                score: "score",
                reason: "reason",
                original_prefix: "original: ",
                field_suffix: " (field)",
            },
        }
    }
}

/// Folds a header to the key the importer compares: lowercase ASCII letters and digits only,
/// with accents removed and spaces, underscores and punctuation dropped.
pub(crate) fn header_key(header: &str) -> String {
    header
        .nfd()
        .filter(|ch| !is_combining_mark(*ch))
        .flat_map(char::to_lowercase)
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// Lowercases, removes accents and collapses whitespace, so `"  Gastos  de viaje "` and
/// `"gastos de viaje"` compare equal, and so do `"Sí"` and `"si"`.
pub(crate) fn fold_text(text: &str) -> String {
    let folded: String = text
        .nfd()
        .filter(|ch| !is_combining_mark(*ch))
        .flat_map(char::to_lowercase)
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_variants_match_roles() {
        assert!(Role::CorrectedCategory.matches("Categoría correcta"));
        assert!(Role::CorrectedCategory.matches(" CATEGORIA_CORRECTA "));
        assert!(Role::CorrectedCategory.matches("corrected category"));
        assert!(Role::Verdict.matches("VEREDICTO "));
        assert!(Role::Group.matches("Group ID"));
        assert!(!Role::Group.matches("filas"));
    }

    #[test]
    fn writer_headers_follow_language() {
        assert_eq!(Role::Verdict.header(ReviewLanguage::Spanish), "veredicto");
        assert_eq!(Role::Verdict.header(ReviewLanguage::English), "verdict");
        for role in Role::ALL {
            for language in [ReviewLanguage::Spanish, ReviewLanguage::English] {
                assert!(role.matches(role.header(language)), "{role:?} {language:?}");
            }
        }
        assert_eq!(Role::Comment.header(ReviewLanguage::English), "comment");
    }

    #[test]
    fn fold_text_removes_case_accents_spaces() {
        assert_eq!(fold_text("  Gastos  de VIAJE "), "gastos de viaje");
        assert_eq!(fold_text("Sí"), "si");
    }
}
