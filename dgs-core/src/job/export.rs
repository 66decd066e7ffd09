//! Exporting a finished iteration: one output row per input row.

use super::error::JobError;
use super::jobs::Jobs;
use super::run::ProgressSink;
use crate::export::{ExportFormat, ExportOptions, ExportReport};
use std::path::Path;

pub(crate) async fn export(
    jobs: &Jobs,
    job_id: &str,
    iteration: Option<u32>,
    path: &Path,
    format: Option<ExportFormat>,
    options: ExportOptions,
    on_progress: ProgressSink,
) -> Result<ExportReport, JobError> {
    let _ = (jobs, iteration, path, format, options, on_progress);
    Err(JobError::Config {
        job_id: job_id.to_owned(),
        message: "NOTE: export is not implemented yet".into(),
    })
}
