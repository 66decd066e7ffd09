//! Reads a whole file into memory for the readers that need it whole: calamine needs
//! random access to a workbook, and the JSON reader makes two passes over a document.

use super::IngestError;
use std::io::Read;

/// Reads all of `reader`, failing with [`IngestError::LimitExceeded`] once it yields more
/// than `max_bytes` (the `max_buffered_file_bytes` option). `kind` names the file in the
/// message ("workbook", "JSON document").
pub(crate) fn read_whole(
    path: &str,
    reader: &mut dyn Read,
    max_bytes: u64,
    kind: &str,
) -> Result<Vec<u8>, IngestError> {
    let mut data = Vec::new();
    reader
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(|source| IngestError::Io {
            path: path.to_owned(),
            source,
        })?;

    let size = data.len() as u64;
    if size > max_bytes {
        return Err(IngestError::LimitExceeded {
            path: path.to_owned(),
            limit: "max_buffered_file_bytes",
            max: max_bytes,
            value: size,
            message: format!("{kind} is too large to be read whole into memory"),
        });
    }
    Ok(data)
}
