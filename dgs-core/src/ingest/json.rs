//! JSON arrays of objects and JSONL/NDJSON files.

use super::{IngestError, IngestOptions, TableSink};
use std::io::Read;

/// Reads a JSON array of objects, or an object wrapping one array of objects.
pub(crate) fn read_json(
    path: &str,
    reader: &mut dyn Read,
    options: &IngestOptions,
    sink: &mut dyn TableSink,
) -> Result<(), IngestError> {
    let _ = (reader, options, sink);
    Err(not_built(path))
}

/// Reads one JSON object per line; a bad line is reported and the other lines are read.
pub(crate) fn read_jsonl(
    path: &str,
    reader: &mut dyn Read,
    options: &IngestOptions,
    sink: &mut dyn TableSink,
) -> Result<(), IngestError> {
    let _ = (reader, options, sink);
    Err(not_built(path))
}

fn not_built(path: &str) -> IngestError {
    IngestError::Json {
        path: path.to_owned(),
        line: 0,
        column: 0,
        message: "JSON reading is not built yet".to_owned(),
    }
}
