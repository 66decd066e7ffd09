//! Prompts: the instructions and the categories a job classifies into, their validation,
//! and their compilation into the system message sent with every request.
//!
//! # Prompt JSON files
//!
//! A prompt file is the JSON form of [`Prompt`]; a file may also hold an array of prompts.
//! `label`, `is_default`, `created_by`, the timestamps and `version` are optional, and a
//! category needs only `id` and `name`:
//!
//! ```json
//! {
//!   "id": "gastos-es",
//!   "name": "Gastos generales",
//!   "template": "Clasifica cada línea de detalle contable.\n\n{categories}\n\nSi dudas, usa {fallback}.",
//!   "categories": [
//!     {"id": 1, "name": "Arriendos", "description": "Arriendo de oficinas y bodegas",
//!      "keywords": ["arriendo", "alquiler"]},
//!     {"id": 2, "name": "Combustibles", "keywords": ["bencina", "diésel"], "priority": 1}
//!   ],
//!   "is_default": true,
//!   "version": 3
//! }
//! ```
//!
//! # Template placeholders
//!
//! | Placeholder       | Replaced by                                                        |
//! |-------------------|--------------------------------------------------------------------|
//! | `{categories}`    | the numbered category list, `0. Indeterminado` first               |
//! | `{fallback}`      | the fallback category name ([`CompileOptions::fallback`])          |
//! | `{fields}`        | the item field names, comma-separated ([`CompileOptions::fields`]) |
//! | `{output_format}` | the input description, the JSON answer format and the rules        |
//!
//! Without `{categories}` the list is appended after the template; without
//! `{output_format}` the format is appended at the end. `{{` and `}}` write literal braces,
//! and braces around anything but a word (such as a JSON example) are kept as written. Any
//! other `{word}` is rejected with [`PromptError::UnknownPlaceholder`].
//!
//! # Categories on the wire
//!
//! Answers name categories by number: the prompt's category ids, which must be 1 or more,
//! and [`FALLBACK_CATEGORY_ID`] (0) for the fallback category, which every compiled prompt
//! offers for items the model is unsure about. A prompt may not define its own category with
//! the fallback's name.

mod compile;
mod error;
pub(crate) mod fold;
mod model;
mod source;
mod template;
mod validate;

pub use compile::{compile, CompileOptions, CompiledPrompt, FALLBACK_CATEGORY_ID, FORMAT_VERSION};
pub use error::PromptError;
pub use model::{Category, Prompt};
pub use source::{JsonPromptSource, MemoryPromptSource, PromptSource};
pub use template::Placeholder;

/// Default name of the fallback category. Equal to `classify::FALLBACK_CATEGORY`.
pub const DEFAULT_FALLBACK: &str = "Indeterminado";

/// JSON of the built-in Spanish prompt for business ledger lines; the same file ships as
/// `examples/prompts/default.es.json`.
const BUILTIN_DEFAULT_JSON: &str = include_str!("default.es.json");

/// Returns the built-in Spanish prompt for business ledger lines (id `default-es`), used when
/// no prompt source is configured.
pub fn builtin_default_prompt() -> Prompt {
    serde_json::from_str(BUILTIN_DEFAULT_JSON).expect("the built-in default prompt is valid JSON")
}

#[cfg(test)]
mod tests;
