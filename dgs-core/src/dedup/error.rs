//! Errors of the dedup stage.

use crate::clean::CleanError;

/// An error that stops grouping rows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DedupError {
    /// A row was pushed with a row index not greater than the previous one. Rows must arrive
    /// in increasing row-index order so the first row of a group is its representative.
    #[error("row {row_index} of {file} pushed out of order; the next row index must be at least {expected_at_least}")]
    RowOutOfOrder {
        row_index: u64,
        file: String,
        expected_at_least: u64,
    },

    /// A key column of a [`DedupStrategy::Columns`](super::DedupStrategy::Columns) strategy
    /// with source `clean` is not one of the cleaned columns.
    #[error("key column {column:?} is not cleaned; clean columns are: {}; use source \"raw\" to key on the value as read", cleaned.join(", "))]
    KeyColumnNotCleaned {
        column: String,
        cleaned: Vec<String>,
    },

    /// A [`DedupStrategy::Columns`](super::DedupStrategy::Columns) strategy lists no column.
    #[error("the columns strategy needs at least one key column")]
    NoKeyColumns,

    /// A raw key column is not in the table a row comes from.
    #[error("{file}: line {line} (row {row_index}): key column {column:?} not found; the columns are: {}", available.join(", "))]
    MissingKeyColumn {
        column: String,
        file: String,
        line: u64,
        row_index: u64,
        available: Vec<String>,
    },

    /// Cleaning a row failed.
    #[error(transparent)]
    Clean(#[from] CleanError),
}
