//! Starting a new iteration of a job with another prompt version, reusing its stored
//! groups.

use super::error::JobError;
use super::jobs::{Jobs, StoredConfig};
use crate::clean::clean_field_names;
use crate::llm::TokenUsage;
use crate::prompt::Prompt;
use crate::store::{IterationRecord, JobRecord, JobStatus};
use chrono::Utc;

impl Jobs {
    /// Starts iteration N+1 of a job with `prompt`: saves the prompt (a new version when its
    /// content changed), records the iteration with that prompt version and makes it the
    /// job's current iteration. Nothing is sent yet: [`Jobs::run`] classifies the stored
    /// groups of the new iteration, resumably, without reading the input again.
    ///
    /// Fails with [`JobError::Config`] unless the job's status is `completed` (finish the
    /// current iteration with [`Jobs::run`] first), and with [`JobError::Prompt`] when the
    /// prompt does not compile for the job's fields. Nothing is stored on failure.
    pub async fn rerun(&self, job_id: &str, prompt: &Prompt) -> Result<JobRecord, JobError> {
        let record = self
            .store
            .get_job(job_id)
            .await
            .map_err(JobError::store(job_id))?;
        let config = StoredConfig::from_record(&record)?;

        if record.status != JobStatus::Completed {
            return Err(JobError::Config {
                job_id: job_id.to_owned(),
                message: format!(
                    "iteration {} is {}; finish it with `resume` before a new iteration",
                    record.current_iteration,
                    record.status.as_str()
                ),
            });
        }

        let field_names = clean_field_names(&config.options.clean.columns);
        prompt
            .compile(&config.options.compile.to_compile_options(&field_names))
            .map_err(|source| JobError::Prompt {
                job_id: job_id.to_owned(),
                prompt_id: prompt.id.clone(),
                prompt_version: prompt.version,
                source: Box::new(source),
            })?;

        let prompt_version = self
            .store
            .save_prompt(prompt)
            .await
            .map_err(JobError::store(job_id))?;
        let iteration = record.current_iteration + 1;
        let iteration_record = IterationRecord {
            job_id: job_id.to_owned(),
            iteration,
            prompt_id: prompt.id.clone(),
            prompt_version,
            prompt_hash: String::new(),
            started_at: Utc::now(),
            finished_at: None,
            usage: TokenUsage::default(),
            cost: None,
            duration_ms: None,
        };
        self.store
            .put_iteration(&iteration_record)
            .await
            .map_err(JobError::store(job_id))?;
        self.store
            .update_job_progress(job_id, record.totals, iteration)
            .await
            .map_err(JobError::store(job_id))?;
        self.store
            .update_job_status(job_id, JobStatus::Created, None)
            .await
            .map_err(JobError::store(job_id))?;

        tracing::info!(job_id, iteration, prompt_id = %prompt.id, prompt_version, "iteration started");
        self.store
            .get_job(job_id)
            .await
            .map_err(JobError::store(job_id))
    }
}
