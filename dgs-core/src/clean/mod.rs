//! Text normalisation that derives the `clean<Name>` fields the LLM reads and the key text
//! dedup groups rows by.
//!
//! Every unique description costs LLM tokens, and ledger lines repeat with small variations
//! (`PAGO FACT. 00123 PROV. ACME 03/2024`, `Pago Fact 00456 Prov Acme 04/2024`). A
//! [`Refinery`] is an ordered list of named [`Step`]s. The [`Preset`]s `basic`, `fingerprint`
//! and `ledger` cover the usual needs, and a [`CleanConfig`] adds extra steps to them. A
//! [`Cleaner`] applies one refinery for the text the LLM reads (default `basic`) and one for
//! the dedup key (default `ledger`) to the selected columns of each row.
//!
//! Field names follow [`clean_field_name`]: `descripción de línea` ->
//! `cleanDescripcionDeLinea`.

mod aliases;
mod cleaner;
mod config;
mod error;
mod fingerprint;
mod mask;
mod name;
mod refinery;
mod step;
mod text;

pub use aliases::{parse_column_spec, ColumnResolver};
pub use cleaner::{CleanRow, Cleaner};
pub use config::{CleanConfig, KeyPreset};
pub use error::CleanError;
pub use mask::{AMOUNT_PLACEHOLDER, DATE_PLACEHOLDER, NUMBER_PLACEHOLDER};
pub use name::{clean_field_name, clean_field_names};
pub use refinery::{Preset, Refinery};
pub use step::Step;
