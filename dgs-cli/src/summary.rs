//! The closing summary of a job: rows, groups, chunks, cache hits, tokens, cost, rows in the
//! fallback category and time.

use dgs_core::classify::FALLBACK_CATEGORY;
use dgs_core::job::{JobReport, Jobs};

/// Builds the summary of `report`, e.g. `Job … completed: rows 6262, groups 4584, …`.
pub(crate) async fn summary(jobs: &Jobs, report: &JobReport) -> String {
    let fallback_name = match jobs.options(&report.job_id).await {
        Ok(options) => options.compile.fallback,
        Err(error) => {
            tracing::warn!(job_id = %report.job_id, %error, "job options unreadable");
            FALLBACK_CATEGORY.to_owned()
        }
    };
    let fallback = format!(
        "{fallback_name} {} rows ({} groups)",
        report.fallback_rows, report.fallback_groups
    );
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
