//! Events the driver passes to its caller while reading, and the summary it returns.

use super::{FileReport, Row, SkippedFile};
use serde::Serialize;

/// One step of reading an input, in input order.
///
/// For each table the rows come first and its [`IngestEvent::TableFinished`] report last, so a
/// caller that only wants rows can ignore the other variants. Serialises as the inner value
/// with an `"event"` tag: `row`, `table_finished` or `skipped`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum IngestEvent {
    /// A record, with its row index across the whole input.
    Row(Row),
    /// A table (a file, or one sheet of a workbook) was read whole or stopped by an error.
    /// The report's `error` tells which.
    TableFinished(FileReport),
    /// An entry was not read at all.
    Skipped(SkippedFile),
}

/// Everything the driver learnt about an input, in input order.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct IngestSummary {
    /// One report per table, including tables that failed.
    pub files: Vec<FileReport>,
    /// Entries that were not read, with the reason.
    pub skipped: Vec<SkippedFile>,
    /// Rows yielded, which is also the next row index.
    pub rows: u64,
    /// True when the caller stopped reading before the end of the input. The last report
    /// then counts only the rows yielded before the stop.
    pub stopped_early: bool,
}

impl IngestSummary {
    /// Returns true when some table or archive failed (its report carries an error).
    pub fn has_errors(&self) -> bool {
        self.files.iter().any(|report| report.error.is_some())
    }
}
