//! dgs-core: the engine behind the `dgs` program and the Python and Node packages.
//!
//! Each stage is a module that can be used alone:
//!
//! - [`ingest`] reads rows out of ZIP, CSV, XLSX, JSON and JSONL exports.
//! - [`clean`] derives the `clean<Name>` fields the LLM reads.
//! - [`dedup`] groups rows whose cleaned text is equal so each group is classified once.
//! - [`prompt`] holds prompts and their categories and compiles them into messages.
//! - [`llm`] is the provider trait and the OpenAI, Gemini and offline keyword providers.
//! - [`classify`] runs chunked, concurrent, retried classification with one result per item.
//!
//! Stages depend on each other in that order only; nothing here knows about the command-line
//! program or the bindings.

pub mod classify;
pub mod clean;
pub mod dedup;
pub mod export;
pub mod ingest;
pub mod llm;
pub mod prompt;
pub mod review;
pub mod store;
pub mod value;
pub mod wire;

pub use value::Value;
