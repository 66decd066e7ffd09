//! Running or resuming a job's current iteration.

use super::error::JobError;
use super::jobs::Jobs;
use super::progress::ProgressEvent;
use super::report::JobReport;
use crate::llm::LlmProvider;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

pub(crate) type ProgressSink = Arc<dyn Fn(ProgressEvent) + Send + Sync>;

pub(crate) async fn run(
    jobs: &Jobs,
    job_id: &str,
    provider: Arc<dyn LlmProvider>,
    cancel: CancellationToken,
    on_progress: ProgressSink,
) -> Result<JobReport, JobError> {
    let _ = (jobs, provider, cancel, on_progress);
    Err(JobError::Config {
        job_id: job_id.to_owned(),
        message: "NOTE: run is not implemented yet".into(),
    })
}
