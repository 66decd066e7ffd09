//! The prepare stage: one pass over the input that cleans every row and groups them.

use super::error::JobError;
use super::options::JobOptions;
use super::progress::{Progress, Stage, ROWS_PER_EVENT};
use super::report::FailedFile;
use crate::clean::ColumnResolver;
use crate::clean::{clean_field_names, Cleaner};
use crate::dedup::{Deduplicator, KeyBuilder};
use crate::ingest::{self, IngestEvent, Row};
use crate::store::GroupRecord;
use std::ops::ControlFlow;
use std::path::Path;
use tokio_util::sync::CancellationToken;

/// Rows cleaned and keyed together, in parallel, before they are grouped in order.
const ROWS_PER_BATCH: usize = 1_024;

/// Output of the prepare stage.
#[derive(Debug, Default)]
pub(crate) struct Prepared {
    /// Group id of every row, by row index.
    pub(crate) group_of: Vec<u64>,
    pub(crate) groups: Vec<GroupRecord>,
    pub(crate) failed_files: Vec<FailedFile>,
    pub(crate) skipped_files: Vec<FailedFile>,
    /// True when the token fired before the input was read whole; nothing is complete then.
    pub(crate) cancelled: bool,
}

/// Reads `input`, cleans each row with `options.clean` (after resolving column aliases)
/// and groups the rows with `options.dedup`. Memory grows with the number of groups and
/// with 8 bytes per row for the group map, not with the rows themselves.
///
/// A table that fails to read keeps the rows read before the failure and is listed in
/// `failed_files`. The other tables are still read, and row indexes stay those of the ingest
/// order. Blocking: call it on a blocking thread.
pub(crate) fn prepare(
    job_id: &str,
    input: &Path,
    options: &JobOptions,
    cancel: &CancellationToken,
    progress: &Progress,
) -> Result<Prepared, JobError> {
    let cleaner = Cleaner::new(&options.clean).map_err(|source| JobError::Clean {
        job_id: job_id.to_owned(),
        source,
    })?;
    let keys =
        KeyBuilder::new(&options.dedup, cleaner.columns()).map_err(|source| JobError::Dedup {
            job_id: job_id.to_owned(),
            source,
        })?;
    let mut deduplicator = Deduplicator::new(options.dedup_options.clone());
    let mut resolver = ColumnResolver::new(&options.column_aliases);

    let mut prepared = Prepared::default();
    let mut batch: Vec<Row> = Vec::with_capacity(ROWS_PER_BATCH);
    let mut rows = 0u64;
    let mut failure: Option<JobError> = None;

    let flush = |batch: &mut Vec<Row>, deduplicator: &mut Deduplicator| {
        let result = deduplicator.push_rows(batch, &cleaner, &keys);
        batch.clear();
        result
            .map(|_| ())
            .map_err(|source| dedup_error(job_id, source))
    };

    let summary = ingest::read_path(input, &options.ingest, |event| {
        match event {
            IngestEvent::Row(mut row) => {
                row.columns = resolver.columns_for(&row);
                batch.push(row);
                rows += 1;

                if batch.len() == ROWS_PER_BATCH {
                    if let Err(error) = flush(&mut batch, &mut deduplicator) {
                        failure = Some(error);
                        return ControlFlow::Break(());
                    }
                }
                if rows % ROWS_PER_EVENT == 0 {
                    progress.send(progress.event(Stage::Prepare, rows, None));
                    if cancel.is_cancelled() {
                        return ControlFlow::Break(());
                    }
                }
            }
            IngestEvent::TableFinished(report) => {
                if let Some(error) = report.error {
                    tracing::warn!(job_id, file = %report.path, sheet = ?report.sheet, rows = report.rows, %error, "input file failed; its remaining rows are left out");
                    let failed = FailedFile {
                        file: report.path,
                        sheet: report.sheet,
                        rows: report.rows,
                        error,
                    };
                    let mut event = progress.event(Stage::Prepare, rows, None);
                    event.errors = prepared.failed_files.len() as u64 + 1;
                    event.message = Some(failed_file_message(&failed));
                    progress.send(event);
                    prepared.failed_files.push(failed);
                }
            }
            IngestEvent::Skipped(skipped) => {
                tracing::info!(job_id, file = %skipped.path, reason = %skipped.reason, "input entry skipped");
                prepared.skipped_files.push(FailedFile {
                    file: skipped.path,
                    sheet: None,
                    rows: 0,
                    error: skipped.reason,
                });
            }
        }
        ControlFlow::Continue(())
    })
    .map_err(|source| JobError::Ingest {
        job_id: job_id.to_owned(),
        source,
    })?;

    if let Some(error) = failure {
        return Err(error);
    }
    if summary.stopped_early {
        prepared.cancelled = true;
        return Ok(prepared);
    }
    if !batch.is_empty() {
        flush(&mut batch, &mut deduplicator)?;
    }

    let dedup = deduplicator.finish();
    let field_names = clean_field_names(&options.clean.columns);
    prepared.group_of = dedup.group_map.as_slice().to_vec();
    prepared.groups = dedup
        .groups
        .into_iter()
        .map(|group| GroupRecord {
            group_id: group.group_id,
            size: group.size,
            fields: field_names.iter().cloned().zip(group.fields).collect(),
        })
        .collect();

    let mut event = progress.event(Stage::Prepare, rows, Some(rows));
    event.errors = prepared.failed_files.len() as u64;
    event.message = Some(format!("{rows} rows in {} groups", prepared.groups.len()));
    progress.send(event);
    tracing::info!(
        job_id,
        rows,
        groups = prepared.groups.len(),
        failed_files = prepared.failed_files.len(),
        "input prepared"
    );
    Ok(prepared)
}

fn dedup_error(job_id: &str, source: crate::dedup::DedupError) -> JobError {
    match source {
        crate::dedup::DedupError::Clean(source) => JobError::Clean {
            job_id: job_id.to_owned(),
            source,
        },
        source => JobError::Dedup {
            job_id: job_id.to_owned(),
            source,
        },
    }
}

pub(crate) fn failed_file_message(failed: &FailedFile) -> String {
    match &failed.sheet {
        Some(sheet) => format!(
            "{} (sheet {sheet}) failed after {} rows: {}",
            failed.file, failed.rows, failed.error
        ),
        None => format!(
            "{} failed after {} rows: {}",
            failed.file, failed.rows, failed.error
        ),
    }
}
