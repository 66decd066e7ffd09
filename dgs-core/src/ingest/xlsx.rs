//! XLSX workbooks: every sheet, header detection, dates, merged cells.

use super::{IngestError, IngestOptions, TableSink};

/// Reads every sheet of a workbook into `sink`, one table per sheet.
///
/// `data` is the whole file, because calamine needs `Read + Seek`; the driver caps its size
/// with [`IngestOptions::max_workbook_bytes`].
pub(crate) fn read_xlsx(
    path: &str,
    data: Vec<u8>,
    options: &IngestOptions,
    sink: &mut dyn TableSink,
) -> Result<(), IngestError> {
    let _ = (data, options, sink);
    Err(IngestError::Workbook {
        path: path.to_owned(),
        sheet: None,
        message: "XLSX reading is not built yet".to_owned(),
    })
}
