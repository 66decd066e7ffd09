//! Progress of a running job, as events a host turns into bars, tqdm or callbacks.

use crate::llm::TokenUsage;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Instant;

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
    /// Stage the event is about.
    pub stage: Stage,
    /// Units finished in this stage: rows for `prepare` and `export`, chunks for `classify`.
    pub done: u64,
    /// Units in this stage, when known in advance.
    pub total: Option<u64>,
    /// Tokens used by the job's current iteration so far.
    pub usage: TokenUsage,
    /// Cost so far in USD, when the model has a price.
    pub cost: Option<f64>,
    /// Errors in this stage so far: failed files (prepare, export), failed chunks and
    /// retried requests (classify).
    pub errors: u64,
    /// Milliseconds since the `run` or `export` call started.
    pub elapsed_ms: u64,
    /// A line worth showing to a person, such as a retry or a failed file.
    pub message: Option<String>,
}

/// Builds and sends a job's progress events.
#[derive(Clone)]
pub(crate) struct Progress {
    job_id: String,
    sink: Arc<dyn Fn(ProgressEvent) + Send + Sync>,
    started: Instant,
}

impl Progress {
    pub(crate) fn new(job_id: &str, sink: Arc<dyn Fn(ProgressEvent) + Send + Sync>) -> Self {
        Progress {
            job_id: job_id.to_owned(),
            sink,
            started: Instant::now(),
        }
    }

    /// Returns an event for `stage` with no tokens, cost, errors or message.
    pub(crate) fn event(&self, stage: Stage, done: u64, total: Option<u64>) -> ProgressEvent {
        ProgressEvent {
            job_id: self.job_id.clone(),
            stage,
            done,
            total,
            usage: TokenUsage::default(),
            cost: None,
            errors: 0,
            elapsed_ms: self.started.elapsed().as_millis() as u64,
            message: None,
        }
    }

    pub(crate) fn send(&self, event: ProgressEvent) {
        (self.sink)(event);
    }
}

/// Rows between two progress events of the prepare and export stages.
pub(crate) const ROWS_PER_EVENT: u64 = 1_000;
