//! Refineries: ordered lists of steps, and the named presets.

use super::error::CleanError;
use super::step::Step;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::fmt;
use std::mem;
use std::str::FromStr;

/// A named refinery. Serialises as its lowercase name (`"ledger"`), which is also what
/// [`FromStr`] accepts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// `unify_punctuation, remove_control, collapse_whitespace, trim`.
    ///
    /// Keeps case, accents, `ñ`, numbers and punctuation: this is the text the LLM reads, and
    /// `IVA crédito 19%` carries more meaning than `iva credito`.
    #[default]
    Basic,
    /// `unify_punctuation, remove_control, fingerprint`: the OpenRefine key (lowercase, ASCII
    /// fold, no punctuation, sorted unique tokens).
    Fingerprint,
    /// `unify_punctuation, remove_control, collapse_whitespace, trim, lowercase,
    /// strip_accents, mask_ledger, remove_punctuation, collapse_whitespace, trim`.
    ///
    /// The dedup key for ledger lines: `PAGO FACT. 00123 PROV. ACME 03/2024` and
    /// `Pago Fact 00456 Prov Acme 04/2024` both give `pago fact <num> prov acme <fecha>`.
    /// Word order is kept and `ñ` is kept, so `Compra de papel` and `Venta de papel`, or
    /// `año` and `ano`, stay apart.
    Ledger,
}

impl Preset {
    /// Every preset, in declaration order.
    pub const ALL: [Preset; 3] = [Preset::Basic, Preset::Fingerprint, Preset::Ledger];

    /// Returns the lowercase name used by serde, [`FromStr`] and [`fmt::Display`].
    pub fn name(self) -> &'static str {
        match self {
            Preset::Basic => "basic",
            Preset::Fingerprint => "fingerprint",
            Preset::Ledger => "ledger",
        }
    }

    /// Returns the steps of the preset, in order.
    pub fn steps(self) -> &'static [Step] {
        match self {
            Preset::Basic => &[
                Step::UnifyPunctuation,
                Step::RemoveControl,
                Step::CollapseWhitespace,
                Step::Trim,
            ],
            Preset::Fingerprint => &[
                Step::UnifyPunctuation,
                Step::RemoveControl,
                Step::Fingerprint,
            ],
            Preset::Ledger => &[
                Step::UnifyPunctuation,
                Step::RemoveControl,
                Step::CollapseWhitespace,
                Step::Trim,
                Step::Lowercase,
                Step::StripAccents,
                Step::MaskLedger,
                Step::RemovePunctuation,
                Step::CollapseWhitespace,
                Step::Trim,
            ],
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Parses a preset name, ignoring case and surrounding whitespace.
impl FromStr for Preset {
    type Err = CleanError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        let normalised = name.trim().to_ascii_lowercase();
        Preset::ALL
            .into_iter()
            .find(|preset| preset.name() == normalised)
            .ok_or_else(|| CleanError::UnknownPreset {
                name: name.to_string(),
                expected: Preset::ALL
                    .iter()
                    .map(|preset| preset.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

thread_local! {
    static SCRATCH: RefCell<String> = const { RefCell::new(String::new()) };
}

/// An ordered list of steps applied one after the other.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refinery {
    steps: Vec<Step>,
}

impl Refinery {
    /// Creates a refinery that runs `steps` in order. No steps means the identity.
    pub fn new(steps: Vec<Step>) -> Self {
        Refinery { steps }
    }

    /// Creates the refinery of a preset followed by `extra_steps`.
    pub fn from_preset(preset: Preset, extra_steps: &[Step]) -> Self {
        let mut steps = preset.steps().to_vec();
        steps.extend_from_slice(extra_steps);
        Refinery { steps }
    }

    /// Returns the steps in order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Writes the refined `input` into `out`, replacing its content.
    ///
    /// Reuses `out`'s capacity and one thread-local scratch buffer, so a loop that passes the
    /// same `out` allocates nothing once the buffers have grown. Steps that leave their input
    /// unchanged cost no copy.
    pub fn apply(&self, input: &str, out: &mut String) {
        apply_steps(&self.steps, input, out);
    }

    /// Like [`Refinery::apply`] with only the steps after the first `skip` ones, for an input
    /// that already went through those.
    pub(crate) fn apply_after(&self, skip: usize, input: &str, out: &mut String) {
        apply_steps(self.steps.get(skip..).unwrap_or(&[]), input, out);
    }

    /// Returns true when this refinery's steps begin with all of `prefix`'s steps.
    pub(crate) fn starts_with(&self, prefix: &Refinery) -> bool {
        self.steps.starts_with(&prefix.steps)
    }

    /// Returns the refined `input` as a new string.
    pub fn apply_to_string(&self, input: &str) -> String {
        let mut out = String::with_capacity(input.len());
        self.apply(input, &mut out);
        out
    }
}

/// Writes `input` refined by `steps` into `out`, replacing its content. See
/// [`Refinery::apply`].
fn apply_steps(steps: &[Step], input: &str, out: &mut String) {
    out.clear();

    SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        let mut current = mem::take(out);
        let mut next = mem::take(&mut *scratch);
        let mut current_is_input = true;

        for step in steps {
            next.clear();
            let source = if current_is_input {
                input
            } else {
                current.as_str()
            };
            if step.transform(source, &mut next) {
                mem::swap(&mut current, &mut next);
                current_is_input = false;
            }
        }

        if current_is_input {
            current.clear();
            current.push_str(input);
        }
        *out = current;
        *scratch = next;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refine(preset: Preset, input: &str) -> String {
        Refinery::from_preset(preset, &[]).apply_to_string(input)
    }

    #[test]
    fn preset_names_round_trip() {
        for preset in Preset::ALL {
            assert_eq!(preset.name().parse::<Preset>().unwrap(), preset);
            assert_eq!(
                serde_json::to_string(&preset).unwrap(),
                format!("\"{preset}\"")
            );
        }
        assert_eq!(" LEDGER ".parse::<Preset>().unwrap(), Preset::Ledger);
        let message = "ledgers".parse::<Preset>().unwrap_err().to_string();
        assert!(message.contains("basic, fingerprint, ledger"), "{message}");
    }

    #[test]
    fn basic_preset_table() {
        let cases = [
            ("  PAGO   FACT. 00123  ", "PAGO FACT. 00123"),
            ("Descripción\u{a0}de línea", "Descripción de línea"),
            (
                "\u{93}Arriendo\u{94} oficina \u{96} marzo",
                "\"Arriendo\" oficina - marzo",
            ),
            ("“IVA” débito\r\nfiscal", "\"IVA\" débito fiscal"),
            ("Año\u{200B} 2024 Nº 5", "Año 2024 Nº 5"),
            ("", ""),
            ("\t \u{a0}", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(refine(Preset::Basic, input), expected, "input {input:?}");
        }
    }

    #[test]
    fn fingerprint_preset_table() {
        let cases = [
            ("Acme S.A. pago", "acme pago sa"),
            ("PAGO ACME SA", "acme pago sa"),
            ("pago\u{a0}ACME, S.A.", "acme pago sa"),
            ("Año contable — año", "ano contable"),
            ("“Crédito” IVA", "credito iva"),
            ("   ", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(
                refine(Preset::Fingerprint, input),
                expected,
                "input {input:?}"
            );
        }
    }

    #[test]
    fn ledger_preset_table() {
        let cases = [
            (
                "PAGO FACT. 00123 PROV. ACME 03/2024",
                "pago fact <num> prov acme <fecha>",
            ),
            (
                "Pago Fact 00456 Prov Acme 04/2024",
                "pago fact <num> prov acme <fecha>",
            ),
            (
                "Pago FACT-00789 prov. ACME S.A. 2024-05-31",
                "pago fact <num> prov acme sa <fecha>",
            ),
            ("Factura N° 123 Peña Ltda.", "factura <num> peña ltda"),
            ("Factura Nº123 PEÑA LTDA", "factura <num> peña ltda"),
            (
                "Cuota 2ª Año 2024 $ 1.234.567",
                "cuota <num> año <num> <monto>",
            ),
            ("IVA Débito Fiscal 1,234.56", "iva debito fiscal <monto>"),
            (
                "Honorarios “Juan Pérez” – 31/03/24",
                "honorarios juan perez <fecha>",
            ),
            (
                "Arriendo oficina\u{a0}marzo 2024",
                "arriendo oficina <fecha>",
            ),
            ("Compra de papel", "compra de papel"),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(refine(Preset::Ledger, input), expected, "input {input:?}");
        }
    }

    #[test]
    fn extra_steps_run_after_preset() {
        let refinery = Refinery::from_preset(Preset::Basic, &[Step::Lowercase]);
        assert_eq!(refinery.apply_to_string(" ACME S.A. "), "acme s.a.");
        assert_eq!(refinery.steps().len(), Preset::Basic.steps().len() + 1);
    }

    #[test]
    fn apply_reuses_output_buffer() {
        let refinery = Refinery::from_preset(Preset::Ledger, &[]);
        let mut out = String::from("previous content");
        refinery.apply("Pago 03/2024", &mut out);
        assert_eq!(out, "pago <fecha>");
        refinery.apply("sin cambios", &mut out);
        assert_eq!(out, "sin cambios");
        Refinery::new(Vec::new()).apply("Tal Cual ", &mut out);
        assert_eq!(out, "Tal Cual ");
    }
}
