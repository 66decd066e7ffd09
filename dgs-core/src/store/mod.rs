//! Persistence of jobs, their results and the review loop, behind one async trait.
//!
//! Batches run for tens of minutes against rate-limited APIs, so finished work must survive
//! a crash, a deploy or a Ctrl-C: each chunk is committed with its results
//! ([`Store::commit_chunk`]) and a resumed job skips the committed chunks. Hosts (Python
//! services, Node backends) keep their own storage, so [`Store`] is small enough to
//! implement as a Python or JavaScript class, and [`conformance`] checks such a class the
//! same way it checks [`SqliteStore`] and [`MemoryStore`].
//!
//! Rules every implementation follows:
//! - Every write is keyed by ids and idempotent: repeating it leaves one copy. Create-once
//!   records (jobs, samples) accept an identical repeat and reject different content with
//!   [`StoreError::Conflict`]. Other records are replaced by a write with the same key.
//! - Writes that reference a job fail with [`StoreError::NotFound`] unless the job exists.
//! - Writes run [`check_job_config`], [`check_group_map`] and [`check_chunk_results`] first
//!   and store nothing when they fail.
//! - Timestamps may be stored at millisecond precision (JavaScript `Date`), so callers must
//!   not rely on sub-millisecond round trips.
//! - The store never receives an API key: job configurations are checked for credentials.

mod cache;
pub mod conformance;
mod error;
mod job;
mod memory;
mod prompt_versions;
mod records;
mod sqlite;
mod validate;

pub use cache::{CacheKey, CachedAnswer};
pub use error::{RecordKind, StoreError};
pub use job::{check_job_config, hash_input, new_job_id, JobRecord, JobStatus, JobTotals};
pub use memory::MemoryStore;
pub use prompt_versions::{next_prompt_version, same_prompt_content};
pub use records::{
    ChunkCheckpoint, GroupRecord, IterationRecord, SampleRecord, Verdict, VerdictKind,
};
pub use sqlite::SqliteStore;
pub use validate::{check_chunk_results, check_group_map};

use crate::classify::Classification;
use crate::prompt::Prompt;
use async_trait::async_trait;

/// The one persistence interface of dgs. Used as `Arc<dyn Store>`.
#[async_trait]
pub trait Store: Send + Sync {
    // Jobs.

    /// Stores a new job after [`check_job_config`].
    ///
    /// Repeating it with the same id, input and configuration succeeds and changes nothing,
    /// so status and totals are kept. A different input or configuration under the same id
    /// is a [`StoreError::Conflict`].
    async fn create_job(&self, job: &JobRecord) -> Result<(), StoreError>;

    /// Returns a job, or [`StoreError::NotFound`].
    async fn get_job(&self, job_id: &str) -> Result<JobRecord, StoreError>;

    /// Returns all jobs, newest `created_at` first (ties broken by id, descending).
    async fn list_jobs(&self) -> Result<Vec<JobRecord>, StoreError>;

    /// Sets a job's status and error message (`None` clears it) and `updated_at` to now.
    async fn update_job_status(
        &self,
        job_id: &str,
        status: JobStatus,
        error: Option<String>,
    ) -> Result<(), StoreError>;

    /// Sets a job's totals and current iteration and `updated_at` to now.
    async fn update_job_progress(
        &self,
        job_id: &str,
        totals: JobTotals,
        current_iteration: u32,
    ) -> Result<(), StoreError>;

    // Rows and groups.

    /// Replaces a job's row -> group map (`group_of[row_index]` is the row's group id) and
    /// its group records, in one write, after [`check_group_map`].
    async fn put_groups(
        &self,
        job_id: &str,
        group_of: &[u64],
        groups: &[GroupRecord],
    ) -> Result<(), StoreError>;

    /// Returns a job's row -> group map, or [`StoreError::NotFound`] if none was stored.
    async fn get_group_map(&self, job_id: &str) -> Result<Vec<u64>, StoreError>;

    /// Returns the records of the given groups, or of every group of the job when
    /// `group_ids` is `None`, ordered by group id. Ids without a record are left out.
    async fn get_groups(
        &self,
        job_id: &str,
        group_ids: Option<&[u64]>,
    ) -> Result<Vec<GroupRecord>, StoreError>;

    // Chunks and classifications.

    /// Stores a chunk's checkpoint and its classifications atomically: after a crash either
    /// both are stored or neither is. Runs [`check_chunk_results`] first. Committing the
    /// same chunk again replaces its checkpoint and results.
    async fn commit_chunk(
        &self,
        checkpoint: &ChunkCheckpoint,
        results: &[Classification],
    ) -> Result<(), StoreError>;

    /// Returns the chunk indexes committed for an iteration, ascending.
    async fn committed_chunks(&self, job_id: &str, iteration: u32) -> Result<Vec<u32>, StoreError>;

    /// Returns the checkpoints of an iteration, ordered by chunk index.
    async fn list_checkpoints(
        &self,
        job_id: &str,
        iteration: u32,
    ) -> Result<Vec<ChunkCheckpoint>, StoreError>;

    /// Returns an iteration's classifications, ordered by group id.
    async fn get_classifications(
        &self,
        job_id: &str,
        iteration: u32,
    ) -> Result<Vec<Classification>, StoreError>;

    // Iterations.

    /// Stores or replaces an iteration record, keyed by (job, iteration).
    async fn put_iteration(&self, record: &IterationRecord) -> Result<(), StoreError>;

    /// Returns an iteration record, or [`StoreError::NotFound`].
    async fn get_iteration(
        &self,
        job_id: &str,
        iteration: u32,
    ) -> Result<IterationRecord, StoreError>;

    /// Returns a job's iteration records, ascending.
    async fn list_iterations(&self, job_id: &str) -> Result<Vec<IterationRecord>, StoreError>;

    // Prompts.

    /// Stores a prompt as its next version and returns the version number. Saving content
    /// equal to the latest version stores nothing and returns that version. See
    /// [`next_prompt_version`] for what is stored; `prompt.version` and `prompt.is_default`
    /// are ignored.
    async fn save_prompt(&self, prompt: &Prompt) -> Result<u32, StoreError>;

    /// Returns one version of a prompt, the latest when `version` is `None`, with
    /// `is_default` set if it is the default prompt; or [`StoreError::NotFound`].
    async fn get_prompt(&self, prompt_id: &str, version: Option<u32>)
        -> Result<Prompt, StoreError>;

    /// Returns the latest version of every prompt, ordered by id.
    async fn list_prompts(&self) -> Result<Vec<Prompt>, StoreError>;

    /// Returns every version of a prompt, oldest first, or [`StoreError::NotFound`].
    async fn prompt_history(&self, prompt_id: &str) -> Result<Vec<Prompt>, StoreError>;

    /// Makes a prompt the default, replacing the previous default. The default follows the
    /// prompt's latest version. [`StoreError::NotFound`] if the prompt does not exist.
    async fn set_default_prompt(&self, prompt_id: &str) -> Result<(), StoreError>;

    /// Returns the latest version of the default prompt, if one was set.
    async fn default_prompt(&self) -> Result<Option<Prompt>, StoreError>;

    // Review.

    /// Stores a review sample. Repeating it with the same iteration, seed and groups
    /// succeeds and changes nothing; different content under the same (job, sample id) is a
    /// [`StoreError::Conflict`].
    async fn put_sample(&self, sample: &SampleRecord) -> Result<(), StoreError>;

    /// Returns a review sample, or [`StoreError::NotFound`].
    async fn get_sample(&self, job_id: &str, sample_id: &str) -> Result<SampleRecord, StoreError>;

    /// Returns a job's samples, oldest first (ties broken by sample id).
    async fn list_samples(&self, job_id: &str) -> Result<Vec<SampleRecord>, StoreError>;

    /// Stores verdicts in one write, keyed by (job, group). A verdict for a group that has
    /// one replaces it, so a job keeps the latest verdict per group. A verdict with the same
    /// content as the stored one (see [`Verdict::same_content`]) keeps the stored
    /// `recorded_at`, so re-importing a review file changes nothing.
    async fn put_verdicts(&self, verdicts: &[Verdict]) -> Result<(), StoreError>;

    /// Returns a job's verdicts, ordered by group id.
    async fn verdicts(&self, job_id: &str) -> Result<Vec<Verdict>, StoreError>;

    /// Stores or replaces the metrics of an iteration.
    async fn put_metrics(
        &self,
        job_id: &str,
        iteration: u32,
        metrics: &serde_json::Value,
    ) -> Result<(), StoreError>;

    /// Returns the metrics of an iteration, if stored.
    async fn get_metrics(
        &self,
        job_id: &str,
        iteration: u32,
    ) -> Result<Option<serde_json::Value>, StoreError>;

    // Answer cache.

    /// Looks up cached answers; the result has one entry per key, in key order.
    async fn cache_get_many(
        &self,
        keys: &[CacheKey],
    ) -> Result<Vec<Option<CachedAnswer>>, StoreError>;

    /// Stores answers in one write, replacing any with the same key.
    async fn cache_put_many(&self, entries: &[(CacheKey, CachedAnswer)]) -> Result<(), StoreError>;
}
