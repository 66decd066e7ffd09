//! The verdict values a reviewer may type, in Spanish or English.
//!
//! Text is compared after lowercasing, removing accents, collapsing whitespace and dropping a
//! trailing `.` or `!`, so `Sí`, ` SI ` and `si.` are the same value. A lone `x` (or another
//! check-box style mark) is rejected: some teams mark the right rows with it, others the
//! wrong ones, so reading it either way would guess.

use super::review_columns::fold_text;
use crate::store::VerdictKind;
use crate::Value;

/// Folded cell texts read as [`VerdictKind::Correct`].
pub const CORRECT_VALUES: &[&str] = &[
    "correcto",
    "correcta",
    "correct",
    "si",
    "s",
    "ok",
    "bien",
    "yes",
    "1",
    "true",
    "verdadero",
    "✓",
    "✔",
];

/// Folded cell texts read as [`VerdictKind::Incorrect`].
pub const INCORRECT_VALUES: &[&str] = &[
    "incorrecto",
    "incorrecta",
    "incorrect",
    "no",
    "n",
    "mal",
    "0",
    "false",
    "falso",
    "✗",
    "✘",
];

/// Marks that look like a verdict but do not indicate which one.
const AMBIGUOUS_MARKS: &[&str] = &["x", "*", "-", "?", "•"];

/// Meaning of one verdict cell.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum VerdictCell {
    /// Empty cell or whitespace only.
    Blank,
    Kind(VerdictKind),
    /// A value that is not a verdict, with the reason to show the reviewer.
    Invalid(String),
}

/// Reads one verdict cell. Boolean cells (`VERDADERO`/`FALSO` in a Spanish Excel) and the
/// numbers 1 and 0 are accepted as well as the texts of [`CORRECT_VALUES`] and
/// [`INCORRECT_VALUES`].
pub(crate) fn parse_verdict(value: &Value) -> VerdictCell {
    match value {
        Value::Null => VerdictCell::Blank,
        Value::Bool(true) => VerdictCell::Kind(VerdictKind::Correct),
        Value::Bool(false) => VerdictCell::Kind(VerdictKind::Incorrect),
        Value::Int(1) => VerdictCell::Kind(VerdictKind::Correct),
        Value::Int(0) => VerdictCell::Kind(VerdictKind::Incorrect),
        Value::Float(number) if *number == 1.0 => VerdictCell::Kind(VerdictKind::Correct),
        Value::Float(number) if *number == 0.0 => VerdictCell::Kind(VerdictKind::Incorrect),
        Value::Text(text) => parse_verdict_text(text),
        _ => VerdictCell::Invalid(not_a_verdict()),
    }
}

fn parse_verdict_text(text: &str) -> VerdictCell {
    let folded = fold_text(text);
    let key = folded.trim_end_matches(['.', '!']).trim_end();

    if key.is_empty() && folded.is_empty() {
        return VerdictCell::Blank;
    }
    if CORRECT_VALUES.contains(&key) {
        return VerdictCell::Kind(VerdictKind::Correct);
    }
    if INCORRECT_VALUES.contains(&key) {
        return VerdictCell::Kind(VerdictKind::Incorrect);
    }
    if AMBIGUOUS_MARKS.contains(&key) {
        return VerdictCell::Invalid(
            "a mark alone does not say whether the category is right; write correcto or \
             incorrecto"
                .to_owned(),
        );
    }
    VerdictCell::Invalid(not_a_verdict())
}

fn not_a_verdict() -> String {
    "not a verdict; write correcto or incorrecto (sí/no, ok, 1/0 and \
     verdadero/falso are also accepted)"
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: &str) -> VerdictCell {
        parse_verdict(&Value::Text(value.to_owned()))
    }

    #[test]
    fn spanish_and_english_texts_read() {
        let correct = VerdictCell::Kind(VerdictKind::Correct);
        let incorrect = VerdictCell::Kind(VerdictKind::Incorrect);
        for value in [
            "Correcto",
            " CORRECTA ",
            "sí",
            "Si.",
            "s",
            "OK",
            "1",
            "Verdadero",
            "✓",
        ] {
            assert_eq!(text(value), correct, "{value:?}");
        }
        for value in ["Incorrecto", "no", "N", "0", "Falso", "mal", "false!"] {
            assert_eq!(text(value), incorrect, "{value:?}");
        }
    }

    #[test]
    fn typed_cells_read() {
        assert_eq!(
            parse_verdict(&Value::Bool(true)),
            VerdictCell::Kind(VerdictKind::Correct)
        );
        assert_eq!(
            parse_verdict(&Value::Float(0.0)),
            VerdictCell::Kind(VerdictKind::Incorrect)
        );
        assert!(matches!(
            parse_verdict(&Value::Int(2)),
            VerdictCell::Invalid(_)
        ));
    }

    #[test]
    fn blank_and_marks() {
        assert_eq!(parse_verdict(&Value::Null), VerdictCell::Blank);
        assert_eq!(text("   "), VerdictCell::Blank);
        assert!(matches!(text("x"), VerdictCell::Invalid(reason) if reason.contains("mark")));
        assert!(matches!(text("X"), VerdictCell::Invalid(_)));
        assert!(matches!(text("quizás"), VerdictCell::Invalid(_)));
        assert!(matches!(text("."), VerdictCell::Invalid(_)));
    }
}
