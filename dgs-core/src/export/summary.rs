//! Job figures written next to the rows, and what the exporter reports back.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Figures of the job that produced the export. The XLSX format writes them to the summary
/// sheet. CSV and JSONL contain rows only, so the caller keeps the summary elsewhere.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ExportSummary {
    /// Input rows of the job.
    pub rows: u64,
    /// Dedup groups, which is the number of items classified.
    pub groups: u64,
    /// LLM requests sent, follow-up requests included.
    pub chunks: u64,
    /// Groups whose classification came from the cache, without a request.
    pub cache_hits: u64,
    /// Prompt tokens over all requests.
    pub tokens_in: u64,
    /// Completion tokens over all requests.
    pub tokens_out: u64,
    /// Cost in US dollars, `None` when the price of the model is unknown.
    pub cost: Option<f64>,
    /// Rows that received the fallback category (`Indeterminado` by default).
    pub fallback_rows: u64,
    /// Groups that received the fallback category.
    pub fallback_groups: u64,
    /// Rows and groups per category, written in the given order.
    pub categories: Vec<CategoryCount>,
    pub prompt_id: String,
    pub prompt_version: u32,
    pub provider: String,
    pub model: String,
    /// Wall-clock duration of the job, in seconds.
    pub duration_seconds: f64,
    pub created_at: DateTime<Utc>,
}

/// Row and group counts of one category.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCount {
    pub category: String,
    pub rows: u64,
    pub groups: u64,
}

/// Outcome of [`Exporter::finish`](super::Exporter::finish): the file, its rows and sheets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportReport {
    /// The final output path.
    pub path: PathBuf,
    /// Data rows written, header rows not counted.
    pub rows_written: u64,
    /// Names of the XLSX data sheets in order, empty for CSV and JSONL.
    pub sheets: Vec<String>,
    /// XLSX cells cut to Excel's limit of 32,767 characters, always 0 for CSV and JSONL.
    pub truncated_cells: u64,
}
