//! Running or resuming a job's current iteration: prepare, then classify chunk by chunk with
//! a commit per chunk.

use super::cache::StoreAnswerCache;
use super::error::JobError;
use super::jobs::{Jobs, StoredConfig};
use super::prepare::{prepare, Prepared};
use super::progress::{Progress, ProgressEvent, Stage};
use super::report::JobReport;
use super::status::report_from_store;
use crate::classify::{chunk_ranges, ClassifyEvent, Engine, EnginePrompt, Item};
use crate::clean::clean_field_names;
use crate::llm::{LlmProvider, PriceTable, TokenUsage};
use crate::store::{
    hash_input, ChunkCheckpoint, GroupRecord, IterationRecord, JobRecord, JobStatus, JobTotals,
    Store, StoreError,
};
use chrono::Utc;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

pub(crate) type ProgressSink = Arc<dyn Fn(ProgressEvent) + Send + Sync>;

pub(crate) async fn run(
    jobs: &Jobs,
    job_id: &str,
    provider: Arc<dyn LlmProvider>,
    cancel: CancellationToken,
    on_progress: ProgressSink,
) -> Result<JobReport, JobError> {
    let span = tracing::info_span!("job_run", job_id = %job_id);
    let store = Arc::clone(&jobs.store);
    let result = run_inner(&store, job_id, provider, cancel, on_progress)
        .instrument(span)
        .await;

    if let Err(error) = &result {
        // Errors that happen before the job is marked running (unknown job, changed input)
        // leave the record as it was.
        if !matches!(
            error,
            JobError::InputChanged { .. } | JobError::InputUnreadable { .. }
        ) && !matches!(
            error,
            JobError::Store {
                source: StoreError::NotFound { .. },
                ..
            }
        ) {
            let message = error.to_string();
            if let Err(store_error) = store
                .update_job_status(job_id, JobStatus::Failed, Some(message))
                .await
            {
                tracing::error!(job_id, error = %store_error, "cannot record the job's failure");
            }
        }
    }
    result
}

async fn run_inner(
    store: &Arc<dyn Store>,
    job_id: &str,
    provider: Arc<dyn LlmProvider>,
    cancel: CancellationToken,
    on_progress: ProgressSink,
) -> Result<JobReport, JobError> {
    let started = Instant::now();
    let record = store
        .get_job(job_id)
        .await
        .map_err(JobError::store(job_id))?;
    let config = StoredConfig::from_record(&record)?;
    let options = &config.options;
    let iteration = record.current_iteration;
    let progress = Progress::new(job_id, on_progress);

    verify_input(&record).await?;

    // NOTE: nothing stops two processes from running the same job at once. Commits are
    // idempotent, so the results stay consistent, but both processes pay for the chunks
    // they share.
    if record.status == JobStatus::Completed {
        let committed = store
            .committed_chunks(job_id, iteration)
            .await
            .map_err(JobError::store(job_id))?;
        if committed.len() as u64 == record.totals.chunks {
            tracing::info!(job_id, iteration, "job already completed; nothing to run");
            return report_from_store(store.as_ref(), &record, iteration).await;
        }
    }

    store
        .update_job_status(job_id, JobStatus::Running, None)
        .await
        .map_err(JobError::store(job_id))?;

    // Prepare, unless an earlier run stored the groups.
    let mut prepared_now: Option<Prepared> = None;
    match store.get_group_map(job_id).await {
        Ok(_) => tracing::info!(job_id, "groups already stored; prepare skipped"),
        Err(StoreError::NotFound { .. }) => {
            let prepared = run_prepare(&record, options, &cancel, &progress).await?;
            if prepared.cancelled {
                return finish_cancelled(store, &record, iteration, Some(prepared)).await;
            }
            store
                .put_groups(job_id, &prepared.group_of, &prepared.groups)
                .await
                .map_err(JobError::store(job_id))?;
            prepared_now = Some(prepared);
        }
        Err(source) => return Err(JobError::store(job_id)(source)),
    }

    let groups: Vec<GroupRecord> = match &mut prepared_now {
        Some(prepared) => std::mem::take(&mut prepared.groups),
        None => store
            .get_groups(job_id, None)
            .await
            .map_err(JobError::store(job_id))?,
    };
    let rows = match &prepared_now {
        Some(prepared) => prepared.group_of.len() as u64,
        None => store
            .get_group_map(job_id)
            .await
            .map_err(JobError::store(job_id))?
            .len() as u64,
    };
    let chunk_count = chunk_ranges(groups.len(), options.classify.chunk_size.max(1)).len();
    let totals = JobTotals {
        rows,
        groups: groups.len() as u64,
        chunks: chunk_count as u64,
    };
    if record.totals != totals {
        store
            .update_job_progress(job_id, totals, iteration)
            .await
            .map_err(JobError::store(job_id))?;
    }

    // The iteration record names the prompt version; a new iteration takes the job's.
    let mut iteration_record = match store.get_iteration(job_id, iteration).await {
        Ok(found) => found,
        Err(StoreError::NotFound { .. }) => IterationRecord {
            job_id: job_id.to_owned(),
            iteration,
            prompt_id: config.prompt_id.clone(),
            prompt_version: config.prompt_version,
            prompt_hash: String::new(),
            started_at: Utc::now(),
            finished_at: None,
            usage: TokenUsage::default(),
            cost: None,
            duration_ms: None,
        },
        Err(source) => return Err(JobError::store(job_id)(source)),
    };

    let prompt = store
        .get_prompt(
            &iteration_record.prompt_id,
            Some(iteration_record.prompt_version),
        )
        .await
        .map_err(JobError::store(job_id))?;
    let field_names = clean_field_names(&options.clean.columns);
    let compiled = prompt
        .compile(&options.compile.to_compile_options(&field_names))
        .map_err(|source| JobError::Prompt {
            job_id: job_id.to_owned(),
            prompt_id: iteration_record.prompt_id.clone(),
            prompt_version: iteration_record.prompt_version,
            source: Box::new(source),
        })?;
    iteration_record.prompt_hash = compiled.hash.clone();
    store
        .put_iteration(&iteration_record)
        .await
        .map_err(JobError::store(job_id))?;

    let mut classify_options = options.classify.clone();
    if classify_options.model.is_empty() {
        classify_options.model = options.provider.model.clone();
    }
    let model = if classify_options.model.is_empty() {
        provider.default_model().to_owned()
    } else {
        classify_options.model.clone()
    };
    let cache: Arc<dyn crate::classify::AnswerCache> =
        Arc::new(StoreAnswerCache::new(Arc::clone(store)));
    let engine = Engine::new(
        provider,
        EnginePrompt::from(&compiled),
        classify_options,
        Some(cache),
    )
    .map_err(|source| JobError::ClassifyConfig {
        job_id: job_id.to_owned(),
        source,
    })?;

    let committed: HashSet<usize> = store
        .committed_chunks(job_id, iteration)
        .await
        .map_err(JobError::store(job_id))?
        .into_iter()
        .map(|index| index as usize)
        .collect();
    let items: Vec<Item> = groups
        .into_iter()
        .map(|group| Item {
            id: group.group_id,
            fields: group.fields,
        })
        .collect();

    let failed_chunks = classify(
        store,
        &engine,
        job_id,
        iteration,
        items,
        committed,
        chunk_count,
        &model,
        &cancel,
        &progress,
    )
    .await?;

    // Outcome.
    let committed_now = store
        .committed_chunks(job_id, iteration)
        .await
        .map_err(JobError::store(job_id))?
        .len();
    let checkpoints = store
        .list_checkpoints(job_id, iteration)
        .await
        .map_err(JobError::store(job_id))?;
    let mut usage = TokenUsage::default();
    for checkpoint in &checkpoints {
        usage += checkpoint.usage;
    }
    iteration_record.usage = usage;
    iteration_record.cost = PriceTable::builtin().cost(&model, usage);
    iteration_record.duration_ms =
        Some(iteration_record.duration_ms.unwrap_or(0) + started.elapsed().as_millis() as u64);

    let (status, error) = if committed_now == chunk_count {
        iteration_record.finished_at = Some(Utc::now());
        (JobStatus::Completed, None)
    } else if cancel.is_cancelled() {
        (JobStatus::Cancelled, None)
    } else {
        let message = format!(
            "{failed_chunks} of {chunk_count} chunks failed and {} are without results; \
             committed chunks are kept, run the job again to retry the rest",
            chunk_count - committed_now
        );
        (JobStatus::Failed, Some(message))
    };
    store
        .put_iteration(&iteration_record)
        .await
        .map_err(JobError::store(job_id))?;
    store
        .update_job_status(job_id, status, error.clone())
        .await
        .map_err(JobError::store(job_id))?;
    tracing::info!(
        job_id,
        iteration,
        status = status.as_str(),
        committed = committed_now,
        chunks = chunk_count,
        "job run finished"
    );

    let record = store
        .get_job(job_id)
        .await
        .map_err(JobError::store(job_id))?;
    let mut report = report_from_store(store.as_ref(), &record, iteration).await?;
    if let Some(prepared) = prepared_now {
        report.failed_files = prepared.failed_files;
        report.skipped_files = prepared.skipped_files;
    }
    Ok(report)
}

/// Checks that the input still hashes to the job's recorded hash.
pub(crate) async fn verify_input(record: &JobRecord) -> Result<(), JobError> {
    let path = PathBuf::from(&record.input_path);
    let found = tokio::task::spawn_blocking({
        let path = path.clone();
        move || hash_input(&path)
    })
    .await
    .map_err(|error| JobError::Task {
        job_id: record.id.clone(),
        stage: "hash",
        message: error.to_string(),
    })?
    .map_err(|source| JobError::InputUnreadable {
        job_id: record.id.clone(),
        path: record.input_path.clone(),
        source,
    })?;

    if found != record.input_hash {
        return Err(JobError::InputChanged {
            job_id: record.id.clone(),
            path: record.input_path.clone(),
            expected: record.input_hash.clone(),
            found,
        });
    }
    Ok(())
}

async fn run_prepare(
    record: &JobRecord,
    options: &super::options::JobOptions,
    cancel: &CancellationToken,
    progress: &Progress,
) -> Result<Prepared, JobError> {
    let job_id = record.id.clone();
    let input = PathBuf::from(&record.input_path);
    let options = options.clone();
    let cancel = cancel.clone();
    let progress = progress.clone();

    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        prepare(&job_id, &input, &options, &cancel, &progress)
    })
    .await
    .map_err(|error| JobError::Task {
        job_id: record.id.clone(),
        stage: "prepare",
        message: error.to_string(),
    })?
}

async fn finish_cancelled(
    store: &Arc<dyn Store>,
    record: &JobRecord,
    iteration: u32,
    prepared: Option<Prepared>,
) -> Result<JobReport, JobError> {
    let job_id = record.id.as_str();
    store
        .update_job_status(job_id, JobStatus::Cancelled, None)
        .await
        .map_err(JobError::store(job_id))?;
    tracing::info!(job_id, "job cancelled while preparing");

    let record = store
        .get_job(job_id)
        .await
        .map_err(JobError::store(job_id))?;
    let mut report = report_from_store(store.as_ref(), &record, iteration).await?;
    if let Some(prepared) = prepared {
        report.failed_files = prepared.failed_files;
        report.skipped_files = prepared.skipped_files;
    }
    Ok(report)
}

/// Figures of the classify stage shared with the engine's event callback.
#[derive(Default)]
struct ClassifyTally {
    committed: u64,
    usage: TokenUsage,
    errors: u64,
}

/// Runs the chunks not in `committed` and commits each successful one before counting it.
/// Returns the number of chunks that failed in this run.
#[allow(clippy::too_many_arguments)]
async fn classify(
    store: &Arc<dyn Store>,
    engine: &Engine,
    job_id: &str,
    iteration: u32,
    items: Vec<Item>,
    committed: HashSet<usize>,
    chunk_count: usize,
    model: &str,
    cancel: &CancellationToken,
    progress: &Progress,
) -> Result<u64, JobError> {
    let total = Some(chunk_count as u64);
    let prices = PriceTable::builtin();
    let tally = Arc::new(Mutex::new(ClassifyTally {
        committed: committed.len() as u64,
        ..ClassifyTally::default()
    }));

    let mut start = progress.event(Stage::Classify, committed.len() as u64, total);
    start.message = Some(format!(
        "{} of {chunk_count} chunks already committed",
        committed.len()
    ));
    progress.send(start);
    if committed.len() == chunk_count {
        return Ok(0);
    }

    let on_event = {
        let tally = Arc::clone(&tally);
        let progress = progress.clone();
        let prices = prices.clone();
        let model = model.to_owned();
        move |event: ClassifyEvent| {
            if let ClassifyEvent::Retry {
                chunk_index,
                attempt,
                error,
                delay_ms,
            } = event
            {
                let mut tally = tally
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                tally.errors += 1;
                let mut update = progress.event(Stage::Classify, tally.committed, total);
                update.usage = tally.usage;
                update.cost = prices.cost(&model, tally.usage);
                update.errors = tally.errors;
                update.message = Some(format!(
                    "chunk {chunk_index}: attempt {attempt} failed ({error}); retrying in {delay_ms} ms"
                ));
                drop(tally);
                progress.send(update);
            }
        }
    };

    let mut run = engine.run(items, committed, cancel.clone(), on_event);
    let mut failed = 0u64;

    while let Some(outcome) = run.next_outcome().await {
        let chunk_index = outcome.chunk_index;
        let message = match &outcome.failed {
            None => {
                let checkpoint = ChunkCheckpoint {
                    job_id: job_id.to_owned(),
                    iteration,
                    chunk_index: chunk_index as u32,
                    item_ids: outcome.results.iter().map(|result| result.id).collect(),
                    usage: outcome.usage,
                    requests: outcome.requests,
                    committed_at: Utc::now(),
                };
                store
                    .commit_chunk(&checkpoint, &outcome.results)
                    .instrument(tracing::info_span!("commit_chunk", job_id, chunk_index))
                    .await
                    .map_err(JobError::store(job_id))?;
                tracing::debug!(
                    job_id,
                    chunk_index,
                    requests = outcome.requests,
                    "chunk committed"
                );
                None
            }
            Some(error) => {
                failed += 1;
                tracing::warn!(job_id, chunk_index, %error, "chunk failed; left uncommitted for the next run");
                Some(format!("chunk {chunk_index} failed: {error}"))
            }
        };

        let mut tally = tally
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        tally.usage += outcome.usage;
        if message.is_none() {
            tally.committed += 1;
        } else {
            tally.errors += 1;
        }
        let mut update = progress.event(Stage::Classify, tally.committed, total);
        update.usage = tally.usage;
        update.cost = prices.cost(model, tally.usage);
        update.errors = tally.errors;
        update.message = message;
        drop(tally);
        progress.send(update);
    }

    let summary = run.finish().await;
    tracing::info!(
        job_id,
        finished = summary.finished_chunks,
        failed = summary.failed_chunks.len(),
        cancelled = summary.cancelled,
        "classification run ended"
    );
    Ok(failed)
}
