//! Configuration of the clean stage.

use super::refinery::Preset;
use super::step::Step;
use serde::{Deserialize, Serialize};

/// Configuration of the clean stage: the columns to clean and the refineries.
///
/// Two refineries run on every selected column: `refinery` (+ `extra_steps`) gives the
/// `clean<Name>` text the LLM reads, and `key_refinery` (+ `key_extra_steps`) gives the text
/// the dedup key is built from. The defaults are [`Preset::Basic`] for the LLM text, because
/// the model understands case, accents and amounts, and [`Preset::Ledger`] for the key,
/// because lines that differ only in invoice numbers, dates or amounts should cost one LLM
/// call. Missing fields take the default when deserialised.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CleanConfig {
    /// Columns to clean, in the order their `clean<Name>` fields are written; the first is the
    /// primary field. Default: none, which [`Cleaner::new`](super::Cleaner::new) rejects.
    pub columns: Vec<String>,
    /// Preset for the text the LLM reads. Default: [`Preset::Basic`].
    pub refinery: Preset,
    /// Steps run after `refinery`. Default: none.
    pub extra_steps: Vec<Step>,
    /// Preset for the dedup key text. Default: [`Preset::Ledger`].
    pub key_refinery: KeyPreset,
    /// Steps run after `key_refinery`. Default: none.
    pub key_extra_steps: Vec<Step>,
    /// When true, a row whose table lacks a selected column gets an empty value for it
    /// instead of an error. Default: false.
    pub allow_missing_columns: bool,
}

/// A [`Preset`] whose default is [`Preset::Ledger`], for [`CleanConfig::key_refinery`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct KeyPreset(pub Preset);

impl Default for KeyPreset {
    fn default() -> Self {
        KeyPreset(Preset::Ledger)
    }
}

impl From<Preset> for KeyPreset {
    fn from(preset: Preset) -> Self {
        KeyPreset(preset)
    }
}

impl CleanConfig {
    /// Creates the default configuration for `columns`.
    pub fn for_columns<S: Into<String>>(columns: impl IntoIterator<Item = S>) -> Self {
        CleanConfig {
            columns: columns.into_iter().map(Into::into).collect(),
            ..CleanConfig::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_basic_and_ledger() {
        let config: CleanConfig = serde_json::from_str(r#"{"columns":["glosa"]}"#).unwrap();
        assert_eq!(config.refinery, Preset::Basic);
        assert_eq!(config.key_refinery, KeyPreset(Preset::Ledger));
        assert!(config.extra_steps.is_empty());
        assert!(!config.allow_missing_columns);
        assert_eq!(config, CleanConfig::for_columns(["glosa"]));
    }

    #[test]
    fn config_round_trips_json() {
        let config = CleanConfig {
            columns: vec!["glosa".into(), "proveedor".into()],
            refinery: Preset::Fingerprint,
            extra_steps: vec![Step::MaskDates],
            key_refinery: Preset::Basic.into(),
            key_extra_steps: vec![Step::Lowercase],
            allow_missing_columns: true,
        };
        let json = serde_json::to_string(&config).unwrap();
        assert!(json.contains(r#""key_refinery":"basic""#), "{json}");
        assert!(json.contains(r#""extra_steps":["mask_dates"]"#), "{json}");
        assert_eq!(serde_json::from_str::<CleanConfig>(&json).unwrap(), config);
    }
}
