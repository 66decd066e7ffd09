//! The entry point: creating, running, exporting and inspecting jobs.

use super::error::JobError;
use super::options::JobOptions;
use super::progress::ProgressEvent;
use super::report::JobReport;
use crate::clean::{clean_field_names, Cleaner};
use crate::export::{ExportFormat, ExportOptions, ExportReport};
use crate::llm::LlmProvider;
use crate::prompt::Prompt;
use crate::store::{hash_input, JobRecord, Store};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// Creates, runs, resumes and exports jobs kept in one [`Store`]. Cheap to clone.
#[derive(Clone)]
pub struct Jobs {
    pub(crate) store: Arc<dyn Store>,
}

impl std::fmt::Debug for Jobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jobs").finish_non_exhaustive()
    }
}

/// The job configuration as stored: the options and the prompt version the job classifies
/// with.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct StoredConfig {
    pub(crate) prompt_id: String,
    pub(crate) prompt_version: u32,
    pub(crate) options: JobOptions,
}

impl StoredConfig {
    pub(crate) fn from_record(record: &JobRecord) -> Result<StoredConfig, JobError> {
        serde_json::from_value(record.config.clone()).map_err(|error| JobError::Config {
            job_id: record.id.clone(),
            message: error.to_string(),
        })
    }
}

impl Jobs {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Jobs { store }
    }

    /// Returns the store the jobs are kept in.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Records a new job: hashes the input, saves `prompt` (as a new version when its
    /// content changed, see [`Store::save_prompt`]) and stores the options. Nothing is read
    /// or sent yet, because [`Jobs::run`] does that.
    ///
    /// Fails before storing anything when the clean configuration, the classification
    /// options or the prompt are invalid, or the input cannot be read.
    ///
    /// The input path is stored as given, made absolute against the current directory, so a
    /// later run from another directory reads the same file.
    pub async fn create(
        &self,
        input: &Path,
        prompt: &Prompt,
        options: JobOptions,
    ) -> Result<JobRecord, JobError> {
        let mut record = JobRecord::new(String::new(), String::new(), serde_json::Value::Null)
            .map_err(JobError::store(""))?;
        let job_id = record.id.clone();

        if options.clean.columns.is_empty() {
            return Err(JobError::Config {
                job_id,
                message: "no column to clean: select at least one description column".into(),
            });
        }

        // Settings that cannot work are rejected now, before anything is stored.
        Cleaner::new(&options.clean).map_err(|source| JobError::Clean {
            job_id: job_id.clone(),
            source,
        })?;
        options
            .classify
            .validate()
            .map_err(|source| JobError::ClassifyConfig {
                job_id: job_id.clone(),
                source,
            })?;
        let field_names = clean_field_names(&options.clean.columns);
        prompt
            .compile(&options.compile.to_compile_options(&field_names))
            .map_err(|source| JobError::Prompt {
                job_id: job_id.clone(),
                prompt_id: prompt.id.clone(),
                prompt_version: prompt.version,
                source: Box::new(source),
            })?;

        let path = std::path::absolute(input).unwrap_or_else(|_| input.to_path_buf());
        let path_text = path.display().to_string();
        let hash = {
            let path = path.clone();
            tokio::task::spawn_blocking(move || hash_input(&path))
                .await
                .map_err(|error| JobError::Task {
                    job_id: job_id.clone(),
                    stage: "hash",
                    message: error.to_string(),
                })?
        }
        .map_err(|source| JobError::InputUnreadable {
            job_id: job_id.clone(),
            path: path_text.clone(),
            source,
        })?;

        let prompt_version = self
            .store
            .save_prompt(prompt)
            .await
            .map_err(JobError::store(&job_id))?;
        let config = StoredConfig {
            prompt_id: prompt.id.clone(),
            prompt_version,
            options,
        };

        record.input_path = path_text;
        record.input_hash = hash;
        record.config = serde_json::to_value(&config).map_err(|error| JobError::Config {
            job_id: job_id.clone(),
            message: error.to_string(),
        })?;
        crate::store::check_job_config(&job_id, &record.config)
            .map_err(JobError::store(&job_id))?;

        self.store
            .create_job(&record)
            .await
            .map_err(JobError::store(&job_id))?;
        tracing::info!(job_id = %job_id, input = %record.input_path, prompt_id = %prompt.id, prompt_version, "job created");
        Ok(record)
    }

    /// Runs the job's current iteration, or resumes it: prepares the groups unless they are
    /// stored, then classifies every chunk without committed results. See the module docs.
    ///
    /// Returns the report with status `completed` when every chunk is committed,
    /// `cancelled` when `cancel` fired, or `failed` when some chunks failed. The report and
    /// the job's error give their count, and calling `run` again retries them. Errors are returned for
    /// what stops the job as a whole: a changed input, a store failure, an invalid
    /// configuration.
    pub async fn run(
        &self,
        job_id: &str,
        provider: Arc<dyn LlmProvider>,
        cancel: CancellationToken,
        on_progress: impl Fn(ProgressEvent) + Send + Sync + 'static,
    ) -> Result<JobReport, JobError> {
        super::run::run(self, job_id, provider, cancel, Arc::new(on_progress)).await
    }

    /// Writes one output row per input row, with its group's classification from
    /// `iteration` (default: the job's current iteration), to `path`. `format` `None` takes
    /// it from the extension.
    ///
    /// Fails with [`JobError::NotFinished`] unless every chunk of the iteration is committed,
    /// and with [`JobError::InputChanged`] when the input changed since the job was created.
    pub async fn export(
        &self,
        job_id: &str,
        iteration: Option<u32>,
        path: &Path,
        format: Option<ExportFormat>,
        options: ExportOptions,
        on_progress: impl Fn(ProgressEvent) + Send + Sync + 'static,
    ) -> Result<ExportReport, JobError> {
        super::export::export(
            self,
            job_id,
            iteration,
            path,
            format,
            options,
            Arc::new(on_progress),
        )
        .await
    }

    /// Returns the job's report for its current iteration from the store, without running
    /// anything.
    pub async fn status(&self, job_id: &str) -> Result<JobReport, JobError> {
        let record = self
            .store
            .get_job(job_id)
            .await
            .map_err(JobError::store(job_id))?;
        super::status::report_from_store(self.store.as_ref(), &record, record.current_iteration)
            .await
    }

    /// Returns the options the job was created with.
    pub async fn options(&self, job_id: &str) -> Result<JobOptions, JobError> {
        let record = self
            .store
            .get_job(job_id)
            .await
            .map_err(JobError::store(job_id))?;
        Ok(StoredConfig::from_record(&record)?.options)
    }
}
