//! XLSX workbooks: every sheet, header detection, dates, merged cells.
//!
//! Each worksheet becomes one table, in workbook order. A sheet is streamed cell by cell with
//! calamine's cell reader, never through the declared `<dimension>`, so memory follows the
//! cells present. A sheet is read in three passes over its XML: one for the merged ranges
//! (stored after the cells), one to find the header row and the column extent, and one that
//! pushes the records.
//!
//! NOTE: the three passes cost about 2.8 times calamine's own cell iteration (callgrind,
//! 20,000-row ledger). The column extent must be known before `begin_table`, because a
//! table's columns are final. A single cell pass needs the merged ranges and the column
//! extent from a byte scan of the decompressed sheet XML instead.
//!
//! - The header row is found by [`find_header`]; non-empty rows above it are reported as
//!   `title_row` warnings. Columns run from the leftmost to the rightmost non-empty cell of
//!   the header and the rows below it, so leading empty columns are dropped.
//! - Rows with no non-empty cell of their own are skipped; `line` is the 1-based worksheet row.
//! - A sheet without any non-empty cell yields a table with no columns, no rows and an
//!   `empty_sheet` warning.
//! - When one sheet fails, its table is failed through [`TableSink::fail_table`] with an
//!   [`IngestError::Workbook`] message naming the sheet, keeping the rows read before the
//!   error, and the next sheets are still read. Only a workbook that cannot be opened makes
//!   the function return `Err`.

use super::column_names::unique_column_names;
use super::xlsx_header::{find_header, RawRow, HEADER_WINDOW};
use super::xlsx_merge::{cell_reference, range_reference, MergeFiller};
use super::xlsx_value::{convert_cell, header_text, CellValue};
use super::{Format, IngestError, IngestOptions, TableInfo, TableSink, Warning};
use crate::Value;
use calamine::{DataRef, Reader, SheetType, Xlsx, XlsxError};
use std::any::Any;
use std::io::Cursor;
use std::ops::ControlFlow;
use std::panic::{catch_unwind, AssertUnwindSafe};

type Workbook = Xlsx<Cursor<Vec<u8>>>;

/// Reads every sheet of a workbook into `sink`, one table per sheet.
///
/// `data` is the whole file, because calamine needs `Read + Seek`; the driver caps its size
/// with [`IngestOptions::max_buffered_file_bytes`].
pub(crate) fn read_xlsx(
    path: &str,
    data: Vec<u8>,
    options: &IngestOptions,
    sink: &mut dyn TableSink,
) -> Result<(), IngestError> {
    let _ = options;

    let workbook_error = |message: String| IngestError::Workbook {
        path: path.to_owned(),
        sheet: None,
        message,
    };
    let opened = catch_unwind(|| Xlsx::new(Cursor::new(data)));
    let mut workbook: Workbook = match opened {
        Ok(Ok(workbook)) => workbook,
        Ok(Err(error)) => return Err(workbook_error(error.to_string())),
        Err(panic) => return Err(workbook_error(panic_message(panic))),
    };

    let sheets = workbook.sheets_metadata().to_vec();

    for sheet in sheets {
        let mut reader = SheetReader {
            name: &sheet.name,
            sink: &mut *sink,
            began: false,
            pending: Vec::new(),
        };

        let outcome = if sheet.typ == SheetType::WorkSheet {
            let read = catch_unwind(AssertUnwindSafe(|| reader.read(&mut workbook)));
            read.unwrap_or_else(|panic| Err(panic_message(panic)))
        } else {
            reader.begin(Vec::new());
            reader.warn(
                None,
                "not_a_worksheet",
                format!("sheet is a {:?}, it has no cells", sheet.typ),
            );
            Ok(ControlFlow::Continue(()))
        };

        match outcome {
            Ok(ControlFlow::Continue(())) => {}
            Ok(ControlFlow::Break(())) => break,
            Err(message) => {
                tracing::warn!(file = path, sheet = %sheet.name, error = %message, "worksheet could not be read");
                if !reader.began {
                    reader.begin(Vec::new());
                }
                let error = IngestError::Workbook {
                    path: path.to_owned(),
                    sheet: Some(sheet.name.clone()),
                    message,
                };
                reader.sink.fail_table(error.to_string());
            }
        }
    }

    Ok(())
}

/// Result of the first pass over a sheet.
#[derive(Debug, Default)]
struct SheetScan {
    /// The first non-empty rows, up to [`HEADER_WINDOW`].
    window: Vec<RawRow>,
    /// Leftmost and rightmost non-empty columns of the rows after the window.
    later_columns: Option<(u32, u32)>,
}

/// Reads one worksheet into the sink.
struct SheetReader<'a> {
    name: &'a str,
    sink: &'a mut dyn TableSink,
    began: bool,
    /// Warnings found before the table started, pushed when it starts.
    pending: Vec<Warning>,
}

impl SheetReader<'_> {
    /// Streams the sheet; `Err` carries the reason it failed, naming the row reached.
    fn read(&mut self, workbook: &mut Workbook) -> Result<ControlFlow<()>, String> {
        // The merged ranges follow the cells in the XML, so a sheet broken in its cells
        // cannot list them: read its rows without merging, up to the error.
        let merges = match workbook.merge_cells_by_sheet_name(self.name) {
            Ok(merges) => merges,
            Err(error) => {
                self.pending.push(Warning {
                    line: None,
                    kind: "merged_cells_unread".to_owned(),
                    message: format!(
                        "merged ranges could not be read, so none were filled in: {error}"
                    ),
                });
                Vec::new()
            }
        };

        let scan = scan_sheet(workbook, self.name)?;
        let Some(header_position) = find_header(&scan.window) else {
            self.begin(Vec::new());
            self.warn(
                None,
                "empty_sheet",
                "sheet has no non-empty cell".to_owned(),
            );
            return Ok(ControlFlow::Continue(()));
        };
        let header_row = scan.window[header_position].row;
        let (first_column, last_column) = column_extent(&scan, header_position);

        let mut filler = MergeFiller::new(merges);
        let mut cells = workbook
            .worksheet_cells_reader(self.name)
            .map_err(|error| error.to_string())?;
        let width = (last_column - first_column + 1) as usize;
        let mut grouper = RowGrouper::default();

        loop {
            let mut done = false;
            let mut failure = None;
            let finished_row = match cells.next_cell() {
                Ok(Some(cell)) => {
                    let (row, column) = cell.get_position();
                    grouper.push(row, column, convert_cell(cell.get_value()))
                }
                Ok(None) => {
                    done = true;
                    grouper.take()
                }
                Err(error) => {
                    // The cells of the last row were read before the error: keep them.
                    failure = Some(row_error(&grouper, error));
                    grouper.take()
                }
            };

            if let Some((row, raw_cells)) = finished_row {
                if row >= header_row {
                    let flow = self.emit_row(
                        row,
                        raw_cells,
                        header_row,
                        first_column,
                        width,
                        &mut filler,
                        &scan,
                        header_position,
                    );
                    if flow.is_break() {
                        self.report_merges(&filler);
                        return Ok(flow);
                    }
                } else {
                    if !filler.is_empty() {
                        for (column, cell) in &raw_cells {
                            filler.observe(row, *column, &cell.value);
                        }
                    }
                }
            }

            if let Some(message) = failure {
                self.report_merges(&filler);
                return Err(message);
            }
            if done {
                break;
            }
        }

        if !self.began {
            self.begin(Vec::new());
        }
        self.report_merges(&filler);
        Ok(ControlFlow::Continue(()))
    }

    /// Converts one row, starts the table at the header row, and pushes data rows.
    #[allow(clippy::too_many_arguments)]
    fn emit_row(
        &mut self,
        row: u32,
        raw_cells: Vec<(u32, CellValue)>,
        header_row: u32,
        first_column: u32,
        width: usize,
        filler: &mut MergeFiller,
        scan: &SheetScan,
        header_position: usize,
    ) -> ControlFlow<()> {
        let line = u64::from(row) + 1;
        let mut values = vec![Value::Null; width];
        let mut has_own_value = false;

        for (column, converted) in raw_cells {
            if !filler.is_empty() {
                filler.observe(row, column, &converted.value);
            }
            if column < first_column || column >= first_column + width as u32 {
                continue;
            }
            if let Some((kind, message)) = converted.problem {
                if row > header_row {
                    self.warn(
                        Some(line),
                        kind,
                        format!("{}: {message}", cell_reference(row, column)),
                    );
                }
            }
            has_own_value |= !converted.value.is_blank();
            values[(column - first_column) as usize] = converted.value;
        }

        if !has_own_value {
            return ControlFlow::Continue(());
        }
        filler.fill(row, first_column, &mut values);

        if row == header_row {
            let raw_names: Vec<String> = values.iter().map(header_text).collect();
            let (columns, warnings) = unique_column_names(&raw_names, Some(line));
            self.begin(columns);
            for title in &scan.window[..header_position] {
                let text: Vec<String> = title
                    .cells
                    .iter()
                    .map(|(_, value)| value.to_string())
                    .collect();
                self.warn(
                    Some(u64::from(title.row) + 1),
                    "title_row",
                    format!(
                        "row above the header row {line} skipped: {}",
                        truncate(&text.join(" | "))
                    ),
                );
            }
            for warning in warnings {
                self.sink.warning(warning);
            }
            return ControlFlow::Continue(());
        }

        self.sink.record(line, values)
    }

    fn report_merges(&mut self, filler: &MergeFiller) {
        for merged in filler.used_ranges() {
            let value = merged
                .value
                .as_ref()
                .map(Value::to_string)
                .unwrap_or_default();
            self.warn(
                Some(u64::from(merged.range.start.0) + 1),
                "merged_cells",
                format!(
                    "merged range {} copies {:?} into {} cells",
                    range_reference(&merged.range),
                    truncate(&value),
                    merged.filled
                ),
            );
        }
    }

    fn begin(&mut self, columns: Vec<String>) {
        self.began = true;
        self.sink.begin_table(TableInfo {
            format: Format::Xlsx,
            encoding: None,
            delimiter: None,
            sheet: Some(self.name.to_owned()),
            columns,
        });
        for warning in std::mem::take(&mut self.pending) {
            self.sink.warning(warning);
        }
    }

    fn warn(&mut self, line: Option<u64>, kind: &str, message: String) {
        let warning = Warning {
            line,
            kind: kind.to_owned(),
            message,
        };
        self.sink.warning(warning);
    }
}

/// First pass: collects the first non-empty rows and the column extent of the later ones.
/// Cells of the window rows are converted; later cells only have their column recorded, so
/// this pass copies no text once the window is full. A read error ends the scan early,
/// because the second pass meets it again at the same row and reports it after pushing the
/// rows before it.
fn scan_sheet(workbook: &mut Workbook, name: &str) -> Result<SheetScan, String> {
    let mut cells = workbook
        .worksheet_cells_reader(name)
        .map_err(|error| error.to_string())?;
    let mut scan = SheetScan::default();
    let mut current = RawRow {
        row: 0,
        cells: Vec::new(),
    };

    while let Ok(Some(cell)) = cells.next_cell() {
        let (row, column) = cell.get_position();
        let value = cell.get_value();

        if scan.window.len() < HEADER_WINDOW {
            if row != current.row {
                scan.close_row(&mut current);
                current.row = row;
            }
            if !is_blank_cell(value) {
                current.cells.push((column, convert_cell(value).value));
            }
            continue;
        }

        if !is_blank_cell(value) {
            let (first, last) = scan.later_columns.get_or_insert((column, column));
            *first = (*first).min(column);
            *last = (*last).max(column);
        }
    }
    scan.close_row(&mut current);

    Ok(scan)
}

impl SheetScan {
    /// Ends the row being collected: a non-empty one joins the window, or, once the window
    /// is full, widens the extent of the later rows.
    fn close_row(&mut self, current: &mut RawRow) {
        if current.cells.is_empty() {
            return;
        }
        let cells = std::mem::take(&mut current.cells);

        if self.window.len() < HEADER_WINDOW {
            self.window.push(RawRow {
                row: current.row,
                cells,
            });
            return;
        }

        for (column, _) in cells {
            let (first, last) = self.later_columns.get_or_insert((column, column));
            *first = (*first).min(column);
            *last = (*last).max(column);
        }
    }
}

/// Leftmost and rightmost non-empty columns from the header row down.
fn column_extent(scan: &SheetScan, header_position: usize) -> (u32, u32) {
    let window_columns = scan.window[header_position..]
        .iter()
        .flat_map(|row| row.cells.iter().map(|(column, _)| *column));
    let later_columns = scan
        .later_columns
        .into_iter()
        .flat_map(|(first, last)| [first, last]);
    let mut columns = window_columns.chain(later_columns);

    let first = columns.next().unwrap_or(0);
    columns.fold((first, first), |(low, high), column| {
        (low.min(column), high.max(column))
    })
}

/// Groups the converted cell stream into rows. Cells of one row are contiguous in worksheet
/// XML.
#[derive(Default)]
struct RowGrouper {
    row: Option<u32>,
    cells: Vec<(u32, CellValue)>,
}

impl RowGrouper {
    /// Adds a cell and returns the previous row when this cell starts a new one.
    fn push(
        &mut self,
        row: u32,
        column: u32,
        value: CellValue,
    ) -> Option<(u32, Vec<(u32, CellValue)>)> {
        let finished = match self.row {
            Some(current) if current != row => self.take(),
            _ => None,
        };
        self.row = Some(row);
        self.cells.push((column, value));
        finished
    }

    /// Returns the row being grouped; the next row starts with room for as many cells.
    fn take(&mut self) -> Option<(u32, Vec<(u32, CellValue)>)> {
        let row = self.row.take()?;
        let capacity = self.cells.len();
        Some((
            row,
            std::mem::replace(&mut self.cells, Vec::with_capacity(capacity)),
        ))
    }

    fn last_row(&self) -> Option<u32> {
        self.row
    }
}

fn is_blank_cell(cell: &DataRef<'_>) -> bool {
    match cell {
        DataRef::Empty => true,
        DataRef::String(text) => text.trim().is_empty(),
        DataRef::SharedString(text) => text.trim().is_empty(),
        _ => false,
    }
}

fn row_error(grouper: &RowGrouper, error: XlsxError) -> String {
    match grouper.last_row() {
        Some(row) => format!(
            "after worksheet row {} (that row may be incomplete): {error}",
            row + 1
        ),
        None => error.to_string(),
    }
}

fn panic_message(panic: Box<dyn Any + Send>) -> String {
    let detail = panic
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    format!("the XLSX parser panicked: {detail}")
}

/// Shortens text quoted in warnings to 100 characters.
fn truncate(text: &str) -> String {
    const MAX_CHARS: usize = 100;
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}
