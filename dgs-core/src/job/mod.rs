//! Job orchestration: ingest, clean, dedup, classify and export with checkpoints, so a
//! crash, a deploy or a Ctrl-C never costs finished work or tokens.
//!
//! Real batches run for tens of minutes against rate-limited APIs. [`Jobs`] keeps all state
//! in a [`Store`](crate::store::Store): the job's configuration and input hash at
//! [`Jobs::create`], the row -> group map after the prepare stage, and each chunk's results
//! as soon as the chunk finishes ([`Store::commit_chunk`](crate::store::Store::commit_chunk)).
//! [`Jobs::run`] on an interrupted job skips what is stored and sends only the chunks
//! without results, so a resumed job produces the same export as an uninterrupted one.
//!
//! Stages, as [`Stage`] names them in [`ProgressEvent`]s:
//! - prepare: stream the input rows through the [`Cleaner`](crate::clean::Cleaner) and the
//!   [`Deduplicator`](crate::dedup::Deduplicator); only the groups stay in memory. Skipped
//!   when the store already has the job's group map.
//! - classify: the stored groups, in group-id order, go to the
//!   [`Engine`](crate::classify::Engine) in chunks, with the store as the answer cache.
//! - export: the input is read again, each row's clean fields are recomputed (cleaning is
//!   deterministic), and the row is written with its group's stored classification.

mod cache;
mod error;
mod export;
mod jobs;
mod options;
mod prepare;
mod progress;
mod report;
mod rerun;
mod review;
mod run;
mod status;

pub use error::JobError;
pub use jobs::Jobs;
pub use options::{CompileSettings, JobOptions, JobOutput, ProviderSettings};
pub use progress::{ProgressEvent, Stage};
pub use report::{FailedFile, JobReport};
pub use review::{DrawnSample, VerdictImportReport};
