//! Per-file reports: what was read, how it was decoded and what went wrong.

use serde::Serialize;

/// Input formats the readers understand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Delimited text (`.csv`, `.txt`, `.tsv`).
    Csv,
    /// Office Open XML workbook (`.xlsx`, `.xlsm`).
    Xlsx,
    /// A JSON array of objects, or an object wrapping one such array.
    Json,
    /// One JSON object per line (`.jsonl`, `.ndjson`).
    Jsonl,
    /// A ZIP archive. An archive gets a report of its own only when it cannot be opened or a
    /// limit stops reading it. Its entries get the reports of their own formats.
    Zip,
}

/// Something the reader repaired or ignored while reading a table. Nothing is dropped
/// silently: every repair leaves a warning.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Warning {
    /// 1-based line or worksheet row the warning refers to, when it refers to one.
    pub line: Option<u64>,
    /// Short machine-readable kind, e.g. `ragged_row`, `duplicate_header`, `merged_cells`.
    pub kind: String,
    /// Human-readable explanation naming the value involved.
    pub message: String,
}

/// Outcome of reading one table: a CSV/JSON/JSONL file, or one sheet of a workbook.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FileReport {
    /// Source path, as in [`crate::ingest::Row::file`].
    pub path: String,
    pub format: Format,
    /// Detected text encoding (`UTF-8`, `UTF-16LE`, `windows-1252`...), `None` for XLSX.
    pub encoding: Option<String>,
    /// Field delimiter of a CSV, `None` for other formats.
    pub delimiter: Option<char>,
    /// Sheet name for workbooks.
    pub sheet: Option<String>,
    /// Final, unique column names.
    pub columns: Vec<String>,
    /// Rows yielded from this table, including rows read before an error.
    pub rows: u64,
    pub warnings: Vec<Warning>,
    /// Why reading stopped early, naming the position; `None` when the table was read whole.
    pub error: Option<String>,
}

/// An entry that was not read at all, with the reason.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SkippedFile {
    pub path: String,
    pub reason: String,
}
