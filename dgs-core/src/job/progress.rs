//! Progress of a running job, as events a host turns into bars, tqdm or callbacks.

use crate::llm::TokenUsage;
use serde::{Deserialize, Serialize};

/// Steps of a job, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Reading rows, deriving clean fields and grouping them, in one pass over the input.
    Prepare,
    /// Sending groups to the provider, chunk by chunk.
    Classify,
    /// Writing one output row per input row.
    Export,
}

impl Stage {
    /// Returns the snake_case name used in events and logs.
    pub fn as_str(&self) -> &'static str {
        match self {
            Stage::Prepare => "prepare",
            Stage::Classify => "classify",
            Stage::Export => "export",
        }
    }
}

/// A snapshot of a job's progress.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProgressEvent {
    pub job_id: String,
    pub stage: Stage,
    /// Units finished in this stage: rows for `prepare` and `export`, chunks for `classify`.
    pub done: u64,
    /// Units in this stage, when known in advance.
    pub total: Option<u64>,
    /// Tokens used by the job's current iteration so far.
    pub usage: TokenUsage,
    /// Cost so far in USD, when the model has a price.
    pub cost: Option<f64>,
    /// Errors so far: failed files, failed chunks and retried requests.
    pub errors: u64,
    pub elapsed_ms: u64,
    /// A line worth showing to a person, such as a retry or a failed file.
    pub message: Option<String>,
}
