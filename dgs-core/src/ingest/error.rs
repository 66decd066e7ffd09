//! Errors that stop reading one file. Other files of the same input are still read.

/// Why a file (or one sheet of it) could not be read, with the position where it failed.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The file or archive could not be opened or read from disk.
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },

    /// A JSON document or a JSONL line is not valid JSON, or not an object where one is
    /// expected.
    #[error("{path}: line {line}, column {column}: {message}")]
    Json {
        path: String,
        line: u64,
        column: u64,
        message: String,
    },

    /// A workbook could not be opened or one of its sheets could not be read.
    #[error("{path}{}: invalid workbook: {message}", sheet.as_ref().map(|s| format!(" (sheet {s:?})")).unwrap_or_default())]
    Workbook {
        path: String,
        sheet: Option<String>,
        message: String,
    },

    /// A document that is read whole into memory (a JSON array, a workbook) is larger than
    /// the limit set by [`super::IngestOptions::max_workbook_bytes`].
    #[error("{path}: larger than the limit of {limit} bytes for a file read whole into memory")]
    TooLarge { path: String, limit: u64 },
}
