//! Dedup figures per file and in total.

use serde::{Deserialize, Serialize};

/// Dedup figures for a whole input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DedupStats {
    /// Rows pushed.
    pub rows: u64,
    /// Groups, which is the number of LLM items.
    pub groups: u64,
    /// Rows that are not the first of their group: `rows - groups`.
    pub duplicates: u64,
    /// `duplicates / rows`, the share of rows that cost no LLM item; 0 when there are no rows.
    pub ratio: f64,
    /// Figures per source file, in the order files were first seen.
    pub by_file: Vec<FileDedupStats>,
    /// The largest groups, biggest first, ties by group id.
    pub largest_groups: Vec<GroupSummary>,
}

/// Dedup figures for one source file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FileDedupStats {
    /// Source file path as in [`Row::file`](crate::ingest::Row::file).
    pub file: String,
    /// Rows of this file.
    pub rows: u64,
    /// Distinct groups the rows of this file belong to, including groups started in an
    /// earlier file.
    pub groups: u64,
    /// Groups whose representative is in this file.
    pub new_groups: u64,
    /// Rows of this file that are not the first of their group: `rows - new_groups`.
    pub duplicates: u64,
    /// `duplicates / rows`; 0 when the file has no rows.
    pub ratio: f64,
}

/// One group in [`DedupStats::largest_groups`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSummary {
    /// Group id (row index of the representative).
    pub group_id: u64,
    /// Rows in the group.
    pub size: u64,
    /// The representative's clean fields joined with ` | `, or its key when the fields were
    /// not kept, or empty when neither is available.
    pub text: String,
}

pub(crate) fn ratio(duplicates: u64, rows: u64) -> f64 {
    if rows == 0 {
        0.0
    } else {
        duplicates as f64 / rows as f64
    }
}
