//! Exporting a finished iteration: one output row per input row, streamed.

use super::error::JobError;
use super::jobs::{Jobs, StoredConfig};
use super::progress::{Progress, Stage, ROWS_PER_EVENT};
use super::run::{verify_input, ProgressSink};
use super::status::{is_fallback, report_from_store};
use crate::classify::Classification;
use crate::clean::Cleaner;
use crate::clean::ColumnResolver;
use crate::export::{
    CategoryCount, ExportFormat, ExportLayout, ExportOptions, ExportReport, ExportSummary,
    Exporter, OutputRow,
};
use crate::ingest::{self, IngestEvent};
use crate::store::StoreError;
use std::collections::{BTreeMap, HashMap};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use tracing::Instrument;

pub(crate) async fn export(
    jobs: &Jobs,
    job_id: &str,
    iteration: Option<u32>,
    path: &Path,
    format: Option<ExportFormat>,
    options: ExportOptions,
    on_progress: ProgressSink,
) -> Result<ExportReport, JobError> {
    let span = tracing::info_span!("job_export", job_id = %job_id);
    export_inner(jobs, job_id, iteration, path, format, options, on_progress)
        .instrument(span)
        .await
}

async fn export_inner(
    jobs: &Jobs,
    job_id: &str,
    iteration: Option<u32>,
    path: &Path,
    format: Option<ExportFormat>,
    options: ExportOptions,
    on_progress: ProgressSink,
) -> Result<ExportReport, JobError> {
    let store = jobs.store.as_ref();
    let record = store
        .get_job(job_id)
        .await
        .map_err(JobError::store(job_id))?;
    let config = StoredConfig::from_record(&record)?;
    let iteration = iteration.unwrap_or(record.current_iteration);

    // Every chunk must have results, or some rows would have none.
    let group_of = match store.get_group_map(job_id).await {
        Ok(map) => map,
        Err(StoreError::NotFound { .. }) => {
            return Err(JobError::NotFinished {
                job_id: job_id.to_owned(),
                iteration,
                committed: 0,
                total: record.totals.chunks,
            })
        }
        Err(source) => return Err(JobError::store(job_id)(source)),
    };
    let committed = store
        .committed_chunks(job_id, iteration)
        .await
        .map_err(JobError::store(job_id))?
        .len() as u64;
    if committed < record.totals.chunks || (record.totals.groups > 0 && committed == 0) {
        return Err(JobError::NotFinished {
            job_id: job_id.to_owned(),
            iteration,
            committed,
            total: record.totals.chunks,
        });
    }

    verify_input(&record).await?;

    let classifications: HashMap<u64, Classification> = store
        .get_classifications(job_id, iteration)
        .await
        .map_err(JobError::store(job_id))?
        .into_iter()
        .map(|classification| (classification.id, classification))
        .collect();
    let report = report_from_store(store, &record, iteration).await?;
    let summary = summary(
        &report,
        &group_of,
        &classifications,
        &config.options.compile.fallback,
    );

    let input = PathBuf::from(&record.input_path);
    let original_columns = {
        let input = input.clone();
        let ingest_options = config.options.ingest.clone();
        tokio::task::spawn_blocking(move || ingest::collect_columns(&input, &ingest_options))
            .await
            .map_err(|error| task_error(job_id, error))?
            .map_err(|source| JobError::Ingest {
                job_id: job_id.to_owned(),
                source,
            })?
    };
    let cleaner = Cleaner::new(&config.options.clean).map_err(|source| JobError::Clean {
        job_id: job_id.to_owned(),
        source,
    })?;
    let layout = ExportLayout {
        original_columns,
        clean_columns: cleaner.field_names().to_vec(),
    };

    let writer = RowWriter {
        job_id: job_id.to_owned(),
        iteration,
        prompt_version: report.prompt_version,
        input,
        path: path.to_path_buf(),
        format,
        options,
        layout,
        cleaner,
        resolver: ColumnResolver::new(&config.options.column_aliases),
        ingest: config.options.ingest.clone(),
        group_of,
        classifications,
        summary,
        progress: Progress::new(job_id, on_progress),
    };
    let span = tracing::Span::current();
    let exported = tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        writer.write()
    })
    .await
    .map_err(|error| task_error(job_id, error))??;

    tracing::info!(job_id, iteration, path = %exported.path.display(), rows = exported.rows_written, "job exported");
    Ok(exported)
}

fn task_error(job_id: &str, error: tokio::task::JoinError) -> JobError {
    JobError::Task {
        job_id: job_id.to_owned(),
        stage: "export",
        message: error.to_string(),
    }
}

/// Builds the figures written beside the rows: per-category counts from the group map and
/// the results, the rest from the job report.
fn summary(
    report: &super::report::JobReport,
    group_of: &[u64],
    classifications: &HashMap<u64, Classification>,
    fallback: &str,
) -> ExportSummary {
    let mut sizes: HashMap<u64, u64> = HashMap::with_capacity(classifications.len());
    for &group in group_of {
        *sizes.entry(group).or_default() += 1;
    }

    let mut categories: BTreeMap<&str, CategoryCount> = BTreeMap::new();
    let mut fallback_rows = 0;
    let mut fallback_groups = 0;
    for (group, classification) in classifications {
        let rows = sizes.get(group).copied().unwrap_or(0);
        let count = categories
            .entry(classification.category.as_str())
            .or_insert_with(|| CategoryCount {
                category: classification.category.clone(),
                rows: 0,
                groups: 0,
            });
        count.rows += rows;
        count.groups += 1;
        if is_fallback(classification, fallback) {
            fallback_rows += rows;
            fallback_groups += 1;
        }
    }
    let mut categories: Vec<CategoryCount> = categories.into_values().collect();
    categories.sort_by(|left, right| {
        right
            .rows
            .cmp(&left.rows)
            .then_with(|| left.category.cmp(&right.category))
    });

    ExportSummary {
        rows: group_of.len() as u64,
        groups: classifications.len() as u64,
        chunks: report.requests,
        cache_hits: report.cache_hits,
        tokens_in: report.usage.prompt_tokens,
        tokens_out: report.usage.completion_tokens,
        cost: report.cost,
        fallback_rows,
        fallback_groups,
        categories,
        prompt_id: report.prompt_id.clone(),
        prompt_version: report.prompt_version,
        provider: report.provider.clone(),
        model: report.model.clone(),
        duration_seconds: report.duration_ms as f64 / 1000.0,
        created_at: report.created_at,
    }
}

/// The blocking part of an export: reads the input again and writes each row.
struct RowWriter {
    job_id: String,
    iteration: u32,
    prompt_version: u32,
    input: PathBuf,
    path: PathBuf,
    format: Option<ExportFormat>,
    options: ExportOptions,
    layout: ExportLayout,
    cleaner: Cleaner,
    resolver: ColumnResolver,
    ingest: ingest::IngestOptions,
    group_of: Vec<u64>,
    classifications: HashMap<u64, Classification>,
    summary: ExportSummary,
    progress: Progress,
}

impl RowWriter {
    fn write(mut self) -> Result<ExportReport, JobError> {
        let job_id = self.job_id.clone();
        let export_error = |source| JobError::Export {
            job_id: job_id.clone(),
            source,
        };
        let mut exporter = Exporter::create(
            &self.path,
            self.format,
            self.options.clone(),
            self.layout.clone(),
        )
        .map_err(export_error)?;

        let total = self.group_of.len() as u64;
        let mut rows = 0u64;
        let mut failure: Option<JobError> = None;

        let input = self.input.clone();
        let ingest_options = self.ingest.clone();
        let read = ingest::read_path(&input, &ingest_options, |event| {
            let IngestEvent::Row(mut row) = event else {
                return ControlFlow::Continue(());
            };
            match self.write_row(&mut exporter, &mut row) {
                Ok(()) => {
                    rows += 1;
                    if rows % ROWS_PER_EVENT == 0 {
                        self.progress
                            .send(self.progress.event(Stage::Export, rows, Some(total)));
                    }
                    ControlFlow::Continue(())
                }
                Err(error) => {
                    failure = Some(error);
                    ControlFlow::Break(())
                }
            }
        })
        .map_err(|source| JobError::Ingest {
            job_id: job_id.clone(),
            source,
        })?;

        if let Some(error) = failure {
            return Err(error);
        }
        if read.rows != total {
            return Err(JobError::RowCountMismatch {
                job_id,
                stored_rows: total,
                read_rows: read.rows,
            });
        }

        let report = exporter.finish(&self.summary).map_err(export_error)?;
        self.progress
            .send(self.progress.event(Stage::Export, rows, Some(total)));
        Ok(report)
    }

    fn write_row(
        &mut self,
        exporter: &mut Exporter,
        row: &mut ingest::Row,
    ) -> Result<(), JobError> {
        let group = match self.group_of.get(row.row_index as usize) {
            Some(&group) => group,
            None => {
                return Err(JobError::RowCountMismatch {
                    job_id: self.job_id.clone(),
                    stored_rows: self.group_of.len() as u64,
                    read_rows: row.row_index + 1,
                })
            }
        };
        let classification =
            self.classifications
                .get(&group)
                .ok_or_else(|| JobError::MissingResult {
                    job_id: self.job_id.clone(),
                    iteration: self.iteration,
                    group_id: group,
                })?;

        let cleaner = &self.cleaner;
        let clean = self
            .resolver
            .with_resolved(row, |row| cleaner.clean_row(row))
            .map_err(|source| JobError::Clean {
                job_id: self.job_id.clone(),
                source,
            })?;

        exporter
            .write(&OutputRow {
                row,
                clean: &clean.fields,
                group,
                classification,
                prompt_version: self.prompt_version,
                iteration: self.iteration,
            })
            .map_err(|source| JobError::Export {
                job_id: self.job_id.clone(),
                source,
            })
    }
}
