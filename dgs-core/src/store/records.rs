//! Records a job produces as it runs: groups, chunk checkpoints, iterations, review samples
//! and verdicts.

use crate::llm::TokenUsage;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One dedup group, with what a reviewer needs to see it without re-reading the input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupRecord {
    /// Row index of the group's first row, its representative.
    pub group_id: u64,
    /// Number of rows in the group, at least 1.
    pub size: u64,
    /// The representative's clean fields (`cleanLineDescription`, …) as (name, value), in
    /// column order.
    pub fields: Vec<(String, String)>,
}

/// Proof that one chunk of one iteration finished: stored together with the chunk's
/// classifications by [`super::Store::commit_chunk`], so a committed chunk always has its
/// results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChunkCheckpoint {
    pub job_id: String,
    pub iteration: u32,
    /// Position of the chunk in the iteration's chunk list, from 0.
    pub chunk_index: u32,
    /// Group ids the chunk classified; the committed results have exactly these ids.
    pub item_ids: Vec<u64>,
    /// Tokens the chunk's requests consumed, follow-ups included.
    pub usage: TokenUsage,
    /// Completion requests sent for the chunk, retries included.
    pub requests: u32,
    pub committed_at: DateTime<Utc>,
}

/// One classification run of a job with one prompt version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IterationRecord {
    pub job_id: String,
    /// Iteration number, from 1.
    pub iteration: u32,
    pub prompt_id: String,
    pub prompt_version: u32,
    /// Hash of the compiled prompt, the one answer-cache keys carry.
    pub prompt_hash: String,
    pub started_at: DateTime<Utc>,
    /// `None` while the iteration runs.
    pub finished_at: Option<DateTime<Utc>>,
    /// Tokens of all chunks, summed when the iteration finishes.
    pub usage: TokenUsage,
    /// Cost in US dollars from the price table; `None` when the model has no price.
    pub cost: Option<f64>,
    /// Wall-clock duration in milliseconds; `None` while the iteration runs.
    pub duration_ms: Option<u64>,
}

/// A stratified review sample drawn from one iteration's results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SampleRecord {
    pub job_id: String,
    /// Id unique within the job, chosen by the review module.
    pub sample_id: String,
    /// Iteration whose classifications were sampled.
    pub iteration: u32,
    /// Seed of the sampler; the same seed on the same results draws the same groups.
    pub seed: u64,
    pub created_at: DateTime<Utc>,
    /// Sampled group ids in the order they were exported.
    pub group_ids: Vec<u64>,
}

/// A reviewer's judgement of one classification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictKind {
    Correct,
    Incorrect,
}

impl VerdictKind {
    /// Returns the snake_case name stored in databases and exports.
    pub fn as_str(&self) -> &'static str {
        match self {
            VerdictKind::Correct => "correct",
            VerdictKind::Incorrect => "incorrect",
        }
    }

    /// Parses a name returned by [`VerdictKind::as_str`].
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "correct" => Some(VerdictKind::Correct),
            "incorrect" => Some(VerdictKind::Incorrect),
            _ => None,
        }
    }
}

/// A recorded review verdict for one group of a job. A job keeps one verdict per group, the
/// latest one, across iterations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub job_id: String,
    pub group_id: u64,
    pub verdict: VerdictKind,
    /// Category the reviewer gives as the right one, usually with `incorrect`.
    pub corrected_category: Option<String>,
    pub reviewer: Option<String>,
    /// Iteration whose classification the reviewer saw.
    pub iteration_reviewed: u32,
    pub recorded_at: DateTime<Utc>,
}

impl Verdict {
    /// Returns true when `other` records the same judgement for the same group. `recorded_at`
    /// is not compared, so re-importing a review file is recognised as a repeat.
    pub fn same_content(&self, other: &Verdict) -> bool {
        self.job_id == other.job_id
            && self.group_id == other.group_id
            && self.verdict == other.verdict
            && self.corrected_category == other.corrected_category
            && self.reviewer == other.reviewer
            && self.iteration_reviewed == other.iteration_reviewed
    }
}
