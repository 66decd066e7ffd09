//! Job reports, returned by run and status.

use crate::llm::TokenUsage;
use crate::store::JobStatus;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// State and figures of one job iteration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobReport {
    pub job_id: String,
    pub status: JobStatus,
    /// Iteration the figures are about, from 1.
    pub iteration: u32,
    /// Input rows (0 before the prepare stage ran).
    pub rows: u64,
    /// Dedup groups, the items sent to the provider.
    pub groups: u64,
    /// Chunks of the iteration.
    pub chunks: u64,
    /// Chunks with stored results.
    pub committed_chunks: u64,
    /// Chunks without stored results after the run: failed, or not started because the run
    /// was cancelled. `run` again sends them.
    pub failed_chunks: u64,
    /// Groups classified from the answer cache, over the committed chunks.
    pub cache_hits: u64,
    /// Completion requests sent, retries and follow-ups included, over the committed chunks.
    pub requests: u64,
    /// Tokens of the committed chunks.
    pub usage: TokenUsage,
    /// Cost in US dollars of `usage`; `None` when the model has no price.
    pub cost: Option<f64>,
    /// Rows whose group got the fallback category.
    pub fallback_rows: u64,
    /// Groups that got the fallback category.
    pub fallback_groups: u64,
    /// Wall-clock time of the iteration's runs, summed over resumes.
    pub duration_ms: u64,
    pub input_path: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Message of the error that failed the job.
    pub error: Option<String>,
    pub prompt_id: String,
    pub prompt_version: u32,
    /// Provider kind from the job options (`openai`, `gemini`, `keywords`).
    pub provider: String,
    /// Model the requests named; empty means the provider's default.
    pub model: String,
    /// Input files that failed to read, with their error, from the prepare stage of this
    /// call. Their rows read before the failure are kept; the rest are not in the job.
    /// Empty when the stage did not run in this call (status reports, resumed runs).
    pub failed_files: Vec<FailedFile>,
    /// Input entries not read at all (unsupported formats, encrypted entries), with the
    /// reason in `error`, from the prepare stage of this call. Empty as `failed_files` is.
    pub skipped_files: Vec<FailedFile>,
}

/// A table of the input that failed to read, or an entry that was skipped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedFile {
    /// File path inside the input.
    pub file: String,
    pub sheet: Option<String>,
    /// Rows read from it before the failure.
    pub rows: u64,
    pub error: String,
}
