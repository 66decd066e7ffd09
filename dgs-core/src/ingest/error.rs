//! Errors that stop reading one file. Other files of the same input are still read.

/// Why a file (or one sheet of it) could not be read, with the position where it failed.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The path given to the driver does not exist or is neither a file nor a folder.
    #[error("{path}: input not found or not a file or folder: {source}")]
    InputNotFound {
        path: String,
        #[source]
        source: std::io::Error,
    },

    /// A delimited text file could not be read or parsed. `line` is the 1-based line where
    /// the failing record starts, or the last line read when reading the bytes failed.
    #[error("{path}: line {line}: {message}")]
    Csv {
        path: String,
        line: u64,
        message: String,
    },

    /// A ZIP archive or one of its entries could not be opened or decompressed.
    #[error("{path}: invalid ZIP archive: {message}")]
    Archive { path: String, message: String },

    /// A size, count or ratio limit of [`super::IngestOptions`] was exceeded; `limit` names
    /// the option and `value` the count reached when reading stopped.
    #[error("{path}: {message} (limit {limit} = {max}, reached {value})")]
    LimitExceeded {
        path: String,
        limit: &'static str,
        max: u64,
        value: u64,
        message: String,
    },

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
