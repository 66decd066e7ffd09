//! Errors of writing review files and importing verdicts from them.
//!
//! These are failures of the whole file. A bad value in one row is not an error: the importer
//! reports it as an [`ImportProblem`](super::ImportProblem) and reads the other rows.

use crate::ingest::IngestError;
use std::io;
use std::path::PathBuf;
use thiserror::Error;

/// Error raised when a review file cannot be written, or cannot be read as a review file.
#[derive(Debug, Error)]
pub enum ReviewFileError {
    /// No format was given and the path's extension is not `.xlsx` or `.csv`, or the file
    /// to import is not `.xlsx`, `.xlsm`, `.csv`, `.txt` or `.tsv`.
    #[error("unsupported review file extension {extension:?} in {path}: use .xlsx or .csv{hint}")]
    UnsupportedExtension {
        path: PathBuf,
        /// The extension found, lower-cased, empty when the path has none.
        extension: String,
        /// Extra advice appended to the message, empty when there is none.
        hint: &'static str,
    },

    /// A [`ReviewFileOptions`](super::ReviewFileOptions) field or an argument of
    /// [`write_review_file`](super::write_review_file) is invalid, for example two items with
    /// the same group id.
    #[error("invalid review file input {name} = {value:?}: {reason}")]
    InvalidInput {
        name: &'static str,
        value: String,
        reason: String,
    },

    /// Creating, writing or renaming the output file failed.
    #[error("failed to {operation} review file {path}: {source}")]
    Io {
        /// Failed operation: `create`, `write` or `rename into place`.
        operation: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// The XLSX writer rejected the workbook.
    #[error("failed to build XLSX review file {path}: {source}")]
    Xlsx {
        path: PathBuf,
        #[source]
        source: rust_xlsxwriter::XlsxError,
    },

    /// The CSV writer failed, usually because writing to the file failed.
    #[error("failed to write CSV review file {path}: {source}")]
    Csv {
        path: PathBuf,
        #[source]
        source: csv::Error,
    },

    /// The file to import does not exist or cannot be opened.
    #[error("failed to read review file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: IngestError,
    },

    /// The reader could not read the review table whole: a corrupt workbook, a broken CSV
    /// record, an unsupported encoding. `location` is the sheet or file part that failed.
    #[error("failed to read review file {path} ({location}): {message}")]
    Unreadable {
        path: PathBuf,
        location: String,
        message: String,
    },

    /// No sheet (or the CSV file) has a group id column (`grupo` or `group`).
    #[error(
        "review file {path} has no table with a group column (grupo or group); tables \
         found: {tables}"
    )]
    NoReviewTable {
        path: PathBuf,
        /// Each table as `sheet: columns`, `;`-separated, or `none`.
        tables: String,
    },

    /// The review table has a group column but no verdict column.
    #[error("review table {table} in {path} has no {expected} column; its columns are {columns}")]
    MissingColumn {
        path: PathBuf,
        /// Sheet name, or the file name for CSV.
        table: String,
        /// Accepted header names of the missing column.
        expected: String,
        columns: String,
    },

    /// Two columns of the review table name the same thing, for example `veredicto` and
    /// `Verdict`, so the importer cannot tell which one contains the reviewer's values.
    #[error(
        "review table {table} in {path} has columns {first:?} and {second:?} that both read \
         as {role}; delete or rename one"
    )]
    AmbiguousColumn {
        path: PathBuf,
        table: String,
        role: &'static str,
        first: String,
        second: String,
    },
}
