//! The closing summary of a job: rows, groups, chunks, cache hits, tokens, cost, rows in the
//! fallback category and time.

use dgs_core::job::{JobReport, Jobs};
use std::collections::HashMap;

/// Rows and groups whose stored category is the fallback category.
struct FallbackCount {
    name: String,
    rows: u64,
    groups: u64,
}

/// Builds the summary of `report`, e.g. `Job … completed: rows 6262, groups 4584, …`.
///
/// The fallback count covers every group with the fallback category, whether the model
/// chose it or the provider returned no result for it. [`JobReport::fallback_rows`] counts
/// only the latter and is shown as `without an answer`.
pub(crate) async fn summary(jobs: &Jobs, report: &JobReport) -> String {
    let fallback = match count_fallback(jobs, report).await {
        Ok(count) => format!(
            "{} {} rows ({} groups, {} rows without an answer)",
            count.name, count.rows, count.groups, report.fallback_rows
        ),
        Err(error) => {
            tracing::warn!(job_id = %report.job_id, %error, "fallback category count failed");
            format!("rows without an answer {}", report.fallback_rows)
        }
    };
    let cost = report
        .cost
        .map_or_else(|| "n/a".to_owned(), |cost| format!("${cost:.4}"));
    format!(
        "Job {} {}: rows {}, groups {}, chunks {} ({} committed, {} without results), \
         cache hits {}, tokens {} in / {} out, cost {cost}, {fallback}, time {:.1} s",
        report.job_id,
        report.status.as_str(),
        report.rows,
        report.groups,
        report.chunks,
        report.committed_chunks,
        report.failed_chunks,
        report.cache_hits,
        report.usage.prompt_tokens,
        report.usage.completion_tokens,
        report.duration_ms as f64 / 1000.0
    )
}

async fn count_fallback(jobs: &Jobs, report: &JobReport) -> Result<FallbackCount, String> {
    let options = jobs
        .options(&report.job_id)
        .await
        .map_err(|error| error.to_string())?;
    let store = jobs.store();
    let classifications = store
        .get_classifications(&report.job_id, report.iteration)
        .await
        .map_err(|error| error.to_string())?;
    let sizes: HashMap<u64, u64> = store
        .get_groups(&report.job_id, None)
        .await
        .map_err(|error| error.to_string())?
        .into_iter()
        .map(|group| (group.group_id, group.size))
        .collect();

    let name = options.compile.fallback;
    let mut count = FallbackCount {
        name,
        rows: 0,
        groups: 0,
    };
    for classification in &classifications {
        if classification.category == count.name {
            count.groups += 1;
            count.rows += sizes.get(&classification.id).copied().unwrap_or(1);
        }
    }
    Ok(count)
}
