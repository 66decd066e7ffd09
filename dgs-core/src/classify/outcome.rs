//! What the engine reports: one outcome per chunk, progress events and a run summary.

use serde::{Deserialize, Serialize};

use super::result::Classification;
use crate::llm::TokenUsage;

/// Answers the engine read but could not attach to an item, by cause.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DroppedAnswers {
    /// Answers with an id that was not sent in the request.
    pub unknown_id: u32,
    /// Answers for an id that already had an answer.
    pub duplicate_id: u32,
    /// Answers without a usable id whose echoed text matched no unanswered item.
    pub unmatched: u32,
    /// Entries that were not objects or had no category.
    pub invalid: u32,
}

impl DroppedAnswers {
    /// Returns the number of dropped answers of every cause.
    pub fn total(&self) -> u32 {
        self.unknown_id + self.duplicate_id + self.unmatched + self.invalid
    }
}

impl std::ops::AddAssign for DroppedAnswers {
    fn add_assign(&mut self, other: Self) {
        self.unknown_id += other.unknown_id;
        self.duplicate_id += other.duplicate_id;
        self.unmatched += other.unmatched;
        self.invalid += other.invalid;
    }
}

/// The result of one chunk: one classification per item, in the order of the chunk's items.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChunkOutcome {
    /// Chunk number; chunk `k` holds `items[k * chunk_size..]`, at most `chunk_size` items.
    pub chunk_index: usize,
    pub results: Vec<Classification>,
    /// Tokens of every request of the chunk, retries and follow-up included.
    pub usage: TokenUsage,
    /// Provider calls made, retries and follow-up included.
    pub requests: u32,
    /// Items answered from the cache.
    pub cache_hits: u32,
    pub dropped_answers: DroppedAnswers,
    /// Items matched by their echoed text because their answer had no usable id.
    pub matched_by_text: u32,
    /// Items sent again in the follow-up request because the first answer left them out.
    pub follow_up_items: u32,
    /// Set when every attempt of a request failed; holds the last error. The chunk's
    /// results are complete (status `failed` for the items of that request), but the job
    /// layer should leave the chunk uncommitted so a resumed run sends it again.
    pub failed: Option<String>,
}

/// Progress of a run, sent to the run's event callback.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ClassifyEvent {
    /// The run is about to start its chunks.
    RunStarted {
        total_items: usize,
        total_chunks: usize,
        /// Chunks not run because the caller already has their results.
        skipped_chunks: usize,
    },
    /// A chunk got its worker slot.
    ChunkStarted { chunk_index: usize, items: usize },
    /// A request failed and will be sent again after `delay_ms`.
    Retry {
        chunk_index: usize,
        /// The attempt that failed, starting at 1.
        attempt: u32,
        error: String,
        delay_ms: u64,
    },
    /// The first answer left items out; a request with only those items follows.
    FollowUp { chunk_index: usize, missing: usize },
    /// A chunk is done, failed or not.
    ChunkFinished {
        chunk_index: usize,
        /// Chunks finished in this run so far, this one included.
        done: usize,
        /// Chunks this run has to finish (skipped chunks excluded).
        total: usize,
        /// Tokens of this chunk.
        usage: TokenUsage,
        /// Tokens of the run so far.
        run_usage: TokenUsage,
        failed: Option<String>,
    },
    /// The run stopped: every chunk finished, or the run was cancelled.
    RunFinished { summary: RunSummary },
}

/// Totals of one run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub total_items: usize,
    pub total_chunks: usize,
    pub skipped_chunks: usize,
    /// Chunks with an outcome, failed ones included.
    pub finished_chunks: usize,
    /// Indexes of finished chunks whose outcome has `failed` set, ascending.
    pub failed_chunks: Vec<usize>,
    /// True when the run was cancelled before every chunk finished.
    pub cancelled: bool,
    pub usage: TokenUsage,
    pub requests: u64,
    pub cache_hits: u64,
    pub dropped_answers: DroppedAnswers,
    /// Results by status over the finished chunks.
    pub ok: u64,
    pub cached: u64,
    pub missing: u64,
    pub unknown_category: u64,
    pub failed: u64,
}

impl RunSummary {
    pub(crate) fn add_outcome(&mut self, outcome: &ChunkOutcome) {
        use super::result::ClassificationStatus as Status;

        self.finished_chunks += 1;
        if outcome.failed.is_some() {
            self.failed_chunks.push(outcome.chunk_index);
        }
        self.usage += outcome.usage;
        self.requests += u64::from(outcome.requests);
        self.cache_hits += u64::from(outcome.cache_hits);
        self.dropped_answers += outcome.dropped_answers;

        for result in &outcome.results {
            let counter = match result.status {
                Status::Ok => &mut self.ok,
                Status::Cached => &mut self.cached,
                Status::Missing => &mut self.missing,
                Status::UnknownCategory => &mut self.unknown_category,
                Status::Failed => &mut self.failed,
            };
            *counter += 1;
        }
    }
}
