//! Errors of job orchestration, each naming the job.

use crate::classify::ClassifyConfigError;
use crate::clean::CleanError;
use crate::dedup::DedupError;
use crate::export::ExportError;
use crate::ingest::IngestError;
use crate::prompt::PromptError;
use crate::store::StoreError;

/// Error of a job operation.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The input no longer hashes to the hash recorded when the job was created, so its row
    /// indexes may address other rows.
    #[error(
        "job {job_id}: input {path} changed since the job was created (hash {expected}, now \
         {found}); its stored results no longer match the rows, create a new job for this input"
    )]
    InputChanged {
        job_id: String,
        path: String,
        expected: String,
        found: String,
    },

    /// The input could not be read to compute its hash.
    #[error("job {job_id}: cannot read input {path}: {source}")]
    InputUnreadable {
        job_id: String,
        path: String,
        #[source]
        source: std::io::Error,
    },

    /// The store failed or lacks a record the job needs.
    #[error("job {job_id}: {source}")]
    Store {
        job_id: String,
        #[source]
        source: StoreError,
    },

    /// The input as a whole could not be read (a broken single file is not this error: it
    /// is reported in [`super::JobReport::failed_files`]).
    #[error("job {job_id}: {source}")]
    Ingest {
        job_id: String,
        #[source]
        source: IngestError,
    },

    /// The clean configuration is invalid or a row lacks a selected column.
    #[error("job {job_id}: {source}")]
    Clean {
        job_id: String,
        #[source]
        source: CleanError,
    },

    /// Grouping failed.
    #[error("job {job_id}: {source}")]
    Dedup {
        job_id: String,
        #[source]
        source: DedupError,
    },

    /// The prompt does not compile.
    #[error("job {job_id}: prompt {prompt_id} version {prompt_version}: {source}")]
    Prompt {
        job_id: String,
        prompt_id: String,
        prompt_version: u32,
        #[source]
        source: Box<PromptError>,
    },

    /// The classification options or the compiled prompt were rejected by the engine.
    #[error("job {job_id}: invalid classification settings: {source}")]
    ClassifyConfig {
        job_id: String,
        #[source]
        source: ClassifyConfigError,
    },

    /// Writing the export failed.
    #[error("job {job_id}: {source}")]
    Export {
        job_id: String,
        #[source]
        source: ExportError,
    },

    /// Export or sampling was requested for an iteration whose chunks are not all committed.
    #[error(
        "job {job_id}: iteration {iteration} is not finished ({committed} of {total} chunks \
         committed); run the job again to finish it before exporting or sampling it"
    )]
    NotFinished {
        job_id: String,
        iteration: u32,
        committed: u64,
        total: u64,
    },

    /// The stored job configuration cannot be read back as [`super::JobOptions`], or the
    /// options given to [`super::Jobs::create`] are unusable.
    #[error("job {job_id}: invalid job configuration: {message}")]
    Config { job_id: String, message: String },

    /// The stored group map does not match the rows read from the input.
    #[error(
        "job {job_id}: the stored group map covers {stored_rows} rows but the input yields \
         {read_rows}; create a new job for this input"
    )]
    RowCountMismatch {
        job_id: String,
        stored_rows: u64,
        read_rows: u64,
    },

    /// A stored result is missing for a group the export needs.
    #[error("job {job_id}: iteration {iteration} has no classification for group {group_id}")]
    MissingResult {
        job_id: String,
        iteration: u32,
        group_id: u64,
    },

    /// A background task of the job panicked or was aborted.
    #[error("job {job_id}: {stage} task failed: {message}")]
    Task {
        job_id: String,
        stage: &'static str,
        message: String,
    },
}

impl JobError {
    pub(crate) fn store(job_id: &str) -> impl FnOnce(StoreError) -> JobError + '_ {
        move |source| JobError::Store {
            job_id: job_id.to_owned(),
            source,
        }
    }
}
