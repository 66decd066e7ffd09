//! A job's report computed from what the store holds.

use super::error::JobError;
use super::jobs::StoredConfig;
use super::report::JobReport;
use crate::classify::{Classification, ClassificationStatus};
use crate::llm::{PriceTable, TokenUsage};
use crate::store::{JobRecord, Store, StoreError};
use std::collections::HashMap;

/// Builds the report of `iteration` from the job record, its groups, checkpoints,
/// classifications and iteration record. Memory grows with the number of groups.
pub(crate) async fn report_from_store(
    store: &dyn Store,
    record: &JobRecord,
    iteration: u32,
) -> Result<JobReport, JobError> {
    let job_id = record.id.as_str();
    let config = StoredConfig::from_record(record)?;

    let checkpoints = store
        .list_checkpoints(job_id, iteration)
        .await
        .map_err(JobError::store(job_id))?;
    let mut usage = TokenUsage::default();
    let mut requests = 0u64;
    for checkpoint in &checkpoints {
        usage += checkpoint.usage;
        requests += u64::from(checkpoint.requests);
    }

    let iteration_record = match store.get_iteration(job_id, iteration).await {
        Ok(found) => Some(found),
        Err(StoreError::NotFound { .. }) => None,
        Err(source) => return Err(JobError::store(job_id)(source)),
    };

    let classifications = store
        .get_classifications(job_id, iteration)
        .await
        .map_err(JobError::store(job_id))?;
    let sizes: HashMap<u64, u64> = if classifications.is_empty() {
        HashMap::new()
    } else {
        store
            .get_groups(job_id, None)
            .await
            .map_err(JobError::store(job_id))?
            .into_iter()
            .map(|group| (group.group_id, group.size))
            .collect()
    };

    let mut cache_hits = 0;
    let mut fallback_groups = 0;
    let mut fallback_rows = 0;
    for classification in &classifications {
        if classification.status == ClassificationStatus::Cached {
            cache_hits += 1;
        }
        if is_fallback(classification, &config.options.compile.fallback) {
            fallback_groups += 1;
            fallback_rows += sizes.get(&classification.id).copied().unwrap_or(1);
        }
    }

    let model = config.options.model().to_owned();
    let committed = checkpoints.len() as u64;
    let chunks = record.totals.chunks;
    let unfinished = matches!(
        record.status,
        crate::store::JobStatus::Failed | crate::store::JobStatus::Cancelled
    );

    Ok(JobReport {
        job_id: job_id.to_owned(),
        status: record.status,
        iteration,
        rows: record.totals.rows,
        groups: record.totals.groups,
        chunks,
        committed_chunks: committed,
        failed_chunks: if unfinished {
            chunks.saturating_sub(committed)
        } else {
            0
        },
        cache_hits,
        requests,
        usage,
        cost: PriceTable::builtin().cost(&model, usage),
        fallback_rows,
        fallback_groups,
        duration_ms: iteration_record
            .as_ref()
            .and_then(|found| found.duration_ms)
            .unwrap_or(0),
        input_path: record.input_path.clone(),
        created_at: record.created_at,
        updated_at: record.updated_at,
        error: record.error.clone(),
        prompt_id: iteration_record
            .as_ref()
            .map(|found| found.prompt_id.clone())
            .unwrap_or(config.prompt_id),
        prompt_version: iteration_record
            .as_ref()
            .map(|found| found.prompt_version)
            .unwrap_or(config.prompt_version),
        provider: config.options.provider.kind.clone(),
        model,
        failed_files: Vec::new(),
        skipped_files: Vec::new(),
    })
}

/// Returns true when the result is the fallback category, whether the model chose it or the
/// engine filled it in for a missing, unknown or failed answer.
pub(crate) fn is_fallback(classification: &Classification, fallback: &str) -> bool {
    classification.category == fallback
}
