//! Errors of the export writers.

use std::io;
use std::path::PathBuf;
use thiserror::Error;

/// Error raised when an export cannot be created, written or finished.
#[derive(Debug, Error)]
pub enum ExportError {
    /// No format was given and the output path's extension is missing or not supported.
    #[error(
        "unsupported export file extension {extension:?} in {path}: use .csv, .jsonl or .xlsx, \
         or choose the format explicitly"
    )]
    UnsupportedExtension {
        path: PathBuf,
        /// The extension found, lower-cased, empty when the path has none.
        extension: String,
    },

    /// An [`ExportOptions`](super::ExportOptions) field is out of range.
    #[error("invalid export option {name} = {value:?}: {reason}")]
    InvalidOption {
        name: &'static str,
        value: String,
        reason: String,
    },

    /// The [`ExportLayout`](super::ExportLayout) lists a column twice in one of its lists.
    #[error("export layout lists column {column:?} twice in {list}")]
    DuplicateColumn {
        /// `original_columns` or `clean_columns`.
        list: &'static str,
        column: String,
    },

    /// A row has a column that the layout's `original_columns` does not list.
    #[error(
        "row {row_index} ({file}, line {line}) has column {column:?}, which is not in the \
         export layout's original columns; build the layout from every input table"
    )]
    UnknownColumn {
        row_index: u64,
        file: String,
        line: u64,
        column: String,
    },

    /// An output row carries a different number of clean values than the layout has clean
    /// columns.
    #[error(
        "row {row_index} ({file}, line {line}) has {found} clean values but the export layout \
         has {expected} clean columns"
    )]
    CleanValueCount {
        row_index: u64,
        file: String,
        line: u64,
        expected: usize,
        found: usize,
    },

    /// Creating, writing, flushing or renaming the output file failed.
    #[error("failed to {operation} export file {path}: {source}")]
    Io {
        /// Failed operation: `create`, `write` or `rename into place`.
        operation: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// The CSV writer failed, usually because writing to the file failed.
    #[error("failed to write CSV export {path}: {source}")]
    Csv {
        path: PathBuf,
        #[source]
        source: csv::Error,
    },

    /// Serialising a row to JSON failed.
    #[error("failed to write JSONL export {path} at row {row_index}: {source}")]
    Json {
        path: PathBuf,
        row_index: u64,
        #[source]
        source: serde_json::Error,
    },

    /// The XLSX writer failed: a temporary file for a sheet could not be created, a cell was
    /// rejected or the workbook could not be saved.
    #[error("failed to write XLSX export {path}: {source}")]
    Xlsx {
        path: PathBuf,
        #[source]
        source: rust_xlsxwriter::XlsxError,
    },

    /// [`Exporter::write`](super::Exporter::write) or
    /// [`Exporter::finish`](super::Exporter::finish) was called after a write failed, which
    /// may have left a partial row in the file.
    #[error("export {path} cannot continue after an earlier write error; create a new exporter")]
    Aborted { path: PathBuf },
}
