//! Reading rows out of the files business teams send: a ZIP, a folder or a single file of
//! CSV/TXT, XLSX, JSON, JSONL and NDJSON exports.
//!
//! The driver walks the input in a fixed order (ZIP entries in archive order, folder entries
//! sorted by path, sheets in workbook order, rows in file order) and gives every row a 0-based
//! row index in that order, so the same input always yields the same indexes.
//!
//! Two ways to consume an input, with the same rows and reports:
//!
//! - [`read_path`] / [`read_bytes`] call a visitor with each [`IngestEvent`] (row, finished
//!   table report, skipped entry) on the caller's thread and return an [`IngestSummary`].
//! - [`RowStream`] is an iterator of [`Row`]s fed by a reader thread through a bounded
//!   channel; [`RowStream::finish`] returns the summary.
//!
//! Format readers never see the driver's state: they receive the bytes of one file and push
//! tables, warnings and records into a [`TableSink`]. The driver turns those into [`Row`]s and
//! [`FileReport`]s. A file that fails keeps the rows it yielded, gets an error in its report,
//! and does not stop the other files.

mod archive;
mod decode;
mod delimited;
mod driver;
mod error;
mod event;
mod input;
mod json;
mod names;
mod options;
mod report;
mod row;
mod sink;
mod stream;
mod xlsx;

pub use error::IngestError;
pub use event::{IngestEvent, IngestSummary};
pub use input::{collect_columns, read_bytes, read_path};
pub use options::IngestOptions;
pub use report::{FileReport, Format, SkippedFile, Warning};
pub use row::Row;
pub(crate) use sink::{TableInfo, TableSink};
pub use stream::{RowStream, ROW_STREAM_CAPACITY};

#[cfg(test)]
mod collect;
mod column_names;
mod json_value;
mod warning_budget;
mod xlsx_header;
mod xlsx_merge;
#[cfg(test)]
mod xlsx_tests;
mod xlsx_value;
mod json_encoding;
mod json_lines;
mod json_scan;
mod json_columns;
#[cfg(test)]
mod json_tests;
#[cfg(test)]
mod reader_props;
