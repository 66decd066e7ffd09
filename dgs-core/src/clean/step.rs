//! The named normalisation steps a [`Refinery`](super::Refinery) is made of.

use super::error::CleanError;
use super::fingerprint::fingerprint;
use super::mask::{mask, MaskKinds};
use super::text::{
    collapse_whitespace, fold_accents, lowercase, remove_control, remove_punctuation, trim,
    unify_punctuation, Enye,
};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One normalisation step. Serialises as its snake_case name (`"strip_accents"`), which is
/// also what [`FromStr`] accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Removes leading and trailing Unicode whitespace, NBSP included.
    Trim,
    /// Replaces every run of Unicode whitespace with one ASCII space.
    CollapseWhitespace,
    /// Removes C0/C1 control characters, zero-width characters, bidirectional marks, the byte
    /// order mark and the soft hyphen. Tabs and line breaks become a space.
    RemoveControl,
    /// Replaces typographic quotes (`“ ” ‘ ’ « »`), dashes (`‐ – — −`), the ellipsis and
    /// NBSP or other wide spaces with `"`, `'`, `-`, `...` and a space. Also reads the C1
    /// controls U+0091..U+0097 as the Windows-1252 quotes and dashes they were.
    UnifyPunctuation,
    /// Lowercases (Unicode case mapping, so `Ñ` -> `ñ`).
    Lowercase,
    /// Removes diacritics (NFKD without combining marks) but keeps `ñ`/`Ñ`, so `año` and
    /// `ano` stay different. `º`, `ª` and a degree sign after a letter or digit become `o`,
    /// `a`, `o`, so `Nº`, `N°` and `No` agree.
    StripAccents,
    /// Like [`Step::StripAccents`], and also folds `ñ` to `n` and `ß`, `æ`, `ø`, `œ`, `ł` to
    /// ASCII.
    AsciiFold,
    /// Removes punctuation and symbols: `.` after a single letter or between digits, `,`
    /// between digits and apostrophes are deleted (`S.A.` -> `SA`), any other mark becomes a
    /// space. Mask placeholders are kept.
    RemovePunctuation,
    /// OpenRefine-style key: lowercase, ASCII fold, punctuation removed, sorted unique
    /// whitespace-separated tokens joined by one space.
    Fingerprint,
    /// Replaces dates (`03/2024`, `2024-03-31`, `31/03/24`, `marzo 2024`) with `<fecha>`.
    MaskDates,
    /// Replaces amounts (`1.234,56`, `1,234.56`, `$ 1.234`, `USD 20`) with `<monto>`.
    MaskAmounts,
    /// Replaces document numbers (`N° 123`, `Nº123`, `#123`, a RUT, identifiers mixing
    /// letters and digits) with `<num>`. `FACT00123` -> `FACT <num>`. A digit run without a
    /// marker (`FACT-00123`, `OC 4500123`) is a plain number, which [`Step::MaskNumbers`] and
    /// [`Step::MaskLedger`] mask and this step keeps.
    MaskDocumentNumbers,
    /// Replaces every remaining digit run with `<num>`.
    MaskNumbers,
    /// All four masks in one pass, in precedence order: document numbers (RUT), dates,
    /// amounts, then any other number. Prefer it over the single masks, because a single
    /// [`Step::MaskNumbers`] run first would split a date into numbers.
    MaskLedger,
}

impl Step {
    /// Every step, in declaration order.
    pub const ALL: [Step; 14] = [
        Step::Trim,
        Step::CollapseWhitespace,
        Step::RemoveControl,
        Step::UnifyPunctuation,
        Step::Lowercase,
        Step::StripAccents,
        Step::AsciiFold,
        Step::RemovePunctuation,
        Step::Fingerprint,
        Step::MaskDates,
        Step::MaskAmounts,
        Step::MaskDocumentNumbers,
        Step::MaskNumbers,
        Step::MaskLedger,
    ];

    /// Returns the snake_case name used by serde, [`FromStr`] and [`fmt::Display`].
    pub fn name(self) -> &'static str {
        match self {
            Step::Trim => "trim",
            Step::CollapseWhitespace => "collapse_whitespace",
            Step::RemoveControl => "remove_control",
            Step::UnifyPunctuation => "unify_punctuation",
            Step::Lowercase => "lowercase",
            Step::StripAccents => "strip_accents",
            Step::AsciiFold => "ascii_fold",
            Step::RemovePunctuation => "remove_punctuation",
            Step::Fingerprint => "fingerprint",
            Step::MaskDates => "mask_dates",
            Step::MaskAmounts => "mask_amounts",
            Step::MaskDocumentNumbers => "mask_document_numbers",
            Step::MaskNumbers => "mask_numbers",
            Step::MaskLedger => "mask_ledger",
        }
    }

    /// Applies the step to `input`, appending the result to `out` (cleared first).
    pub fn apply(self, input: &str, out: &mut String) {
        out.clear();
        if !self.transform(input, out) {
            out.push_str(input);
        }
    }

    /// Appends the result to `out` and returns `true`, or returns `false` without writing
    /// when the result equals `input`.
    pub(crate) fn transform(self, input: &str, out: &mut String) -> bool {
        let masks = |kinds: MaskKinds, out: &mut String| mask(input, kinds, out);
        match self {
            Step::Trim => trim(input, out),
            Step::CollapseWhitespace => collapse_whitespace(input, out),
            Step::RemoveControl => remove_control(input, out),
            Step::UnifyPunctuation => unify_punctuation(input, out),
            Step::Lowercase => lowercase(input, out),
            Step::StripAccents => fold_accents(input, Enye::Keep, out),
            Step::AsciiFold => fold_accents(input, Enye::Fold, out),
            Step::RemovePunctuation => remove_punctuation(input, out),
            Step::Fingerprint => fingerprint(input, out),
            Step::MaskDates => masks(
                MaskKinds {
                    dates: true,
                    ..MaskKinds::NONE
                },
                out,
            ),
            Step::MaskAmounts => masks(
                MaskKinds {
                    amounts: true,
                    ..MaskKinds::NONE
                },
                out,
            ),
            Step::MaskDocumentNumbers => masks(
                MaskKinds {
                    documents: true,
                    ..MaskKinds::NONE
                },
                out,
            ),
            Step::MaskNumbers => masks(
                MaskKinds {
                    numbers: true,
                    ..MaskKinds::NONE
                },
                out,
            ),
            Step::MaskLedger => masks(MaskKinds::ALL, out),
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Parses a step name; `-` is accepted for `_` and case is ignored (`Strip-Accents`).
impl FromStr for Step {
    type Err = CleanError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        let normalised = name.trim().to_ascii_lowercase().replace('-', "_");
        Step::ALL
            .into_iter()
            .find(|step| step.name() == normalised)
            .ok_or_else(|| CleanError::UnknownStep {
                name: name.to_string(),
                expected: Step::ALL
                    .iter()
                    .map(|step| step.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied(step: Step, input: &str) -> String {
        let mut out = String::from("stale");
        step.apply(input, &mut out);
        out
    }

    #[test]
    fn step_names_round_trip() {
        for step in Step::ALL {
            assert_eq!(step.name().parse::<Step>().unwrap(), step);
            let json = serde_json::to_string(&step).unwrap();
            assert_eq!(json, format!("\"{}\"", step.name()));
            assert_eq!(serde_json::from_str::<Step>(&json).unwrap(), step);
        }
        assert_eq!("Strip-Accents".parse::<Step>().unwrap(), Step::StripAccents);
    }

    #[test]
    fn unknown_step_lists_names() {
        let message = "strip".parse::<Step>().unwrap_err().to_string();
        assert!(message.contains("\"strip\""), "{message}");
        assert!(message.contains("strip_accents"), "{message}");
    }

    #[test]
    fn apply_clears_output() {
        assert_eq!(applied(Step::Trim, "x"), "x");
        assert_eq!(applied(Step::Lowercase, "ÁRBOL"), "árbol");
    }

    #[test]
    fn each_step_on_spanish_text() {
        let input = " \u{93}PAGO\u{94}  Fact.\u{a0}Nº 00123 – Peña S.A. 03/2024\t$ 1.234,56 ";
        let cases = [
            (Step::Trim, "\u{93}PAGO\u{94}  Fact.\u{a0}Nº 00123 – Peña S.A. 03/2024\t$ 1.234,56"),
            (Step::CollapseWhitespace, " \u{93}PAGO\u{94} Fact. Nº 00123 – Peña S.A. 03/2024 $ 1.234,56 "),
            (Step::RemoveControl, " PAGO  Fact.\u{a0}Nº 00123 – Peña S.A. 03/2024 $ 1.234,56 "),
            (Step::UnifyPunctuation, " \"PAGO\"  Fact. Nº 00123 - Peña S.A. 03/2024\t$ 1.234,56 "),
            (Step::Lowercase, " \u{93}pago\u{94}  fact.\u{a0}nº 00123 – peña s.a. 03/2024\t$ 1.234,56 "),
            (Step::StripAccents, " \u{93}PAGO\u{94}  Fact. No 00123 – Peña S.A. 03/2024\t$ 1.234,56 "),
            (Step::AsciiFold, " \u{93}PAGO\u{94}  Fact. No 00123 – Pena S.A. 03/2024\t$ 1.234,56 "),
            (Step::MaskDates, " \u{93}PAGO\u{94}  Fact.\u{a0}Nº 00123 – Peña S.A. <fecha>\t$ 1.234,56 "),
            (Step::MaskAmounts, " \u{93}PAGO\u{94}  Fact.\u{a0}Nº 00123 – Peña S.A. 03/2024\t<monto> "),
            (Step::MaskDocumentNumbers, " \u{93}PAGO\u{94}  Fact.\u{a0}<num> – Peña S.A. 03/2024\t$ 1.234,56 "),
            (Step::MaskNumbers, " \u{93}PAGO\u{94}  Fact.\u{a0}Nº <num> – Peña S.A. <num>/<num>\t$ <num>.<num>,<num> "),
            (Step::MaskLedger, " \u{93}PAGO\u{94}  Fact.\u{a0}<num> – Peña S.A. <fecha>\t<monto> "),
        ];
        for (step, expected) in cases {
            assert_eq!(applied(step, input), expected, "step {step}");
        }
    }

    #[test]
    fn punctuation_and_fingerprint_steps() {
        assert_eq!(
            applied(Step::RemovePunctuation, "Peña S.A. (“central”)"),
            "Peña SA central "
        );
        assert_eq!(applied(Step::RemovePunctuation, "N° 5"), "N 5");
        assert_eq!(
            applied(Step::Fingerprint, "Peña S.A. pago, PAGO"),
            "pago pena sa"
        );
    }
}
