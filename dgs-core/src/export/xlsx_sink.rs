//! XLSX output: data sheets written row by row in rust_xlsxwriter's constant memory mode,
//! and a summary sheet added by `finish`.
//!
//! Constant memory mode flushes each row to a temporary file once the next row starts, so a
//! sheet keeps one row in memory whatever the row count (rust_xlsxwriter 0.102 performance
//! documentation). It requires writing rows in order, which a streaming exporter does anyway.
//! It stores strings inline in the cells instead of in a shared string table, which makes
//! files with many repeated strings larger.

use super::options::{ExportLayout, ExportOptions};
use super::row::{value_at, OutputRow};
use super::summary::ExportSummary;
use crate::Value;
use chrono::{Datelike, NaiveDate, NaiveDateTime, SecondsFormat, Timelike};
use rust_xlsxwriter::{
    ColNum, Color, ExcelDateTime, Format, FormatBorder, RowNum, Workbook, Worksheet, XlsxError,
};
use std::fs::File;
use std::io::BufWriter;

/// Excel's limit on the characters of one cell, counted in UTF-16 code units.
pub const XLSX_MAX_CELL_CHARS: usize = 32_767;

/// Largest integer that Excel shows without losing digits, because it keeps 15 significant
/// digits.
const XLSX_MAX_EXACT_INTEGER: i64 = 999_999_999_999_999;

/// Data rows per sheet whose text lengths size the columns.
const WIDTH_SAMPLE_ROWS: u32 = 1_000;

/// Column widths in Excel character units.
const MIN_COLUMN_WIDTH: usize = 6;
const MAX_COLUMN_WIDTH: usize = 60;

/// Light blue fill of header cells.
const HEADER_FILL: u32 = 0xDDEBF7;

pub(crate) struct XlsxSink {
    workbook: Workbook,
    file: File,
    header: Vec<String>,
    data_sheet: String,
    summary_sheet: String,
    max_rows_per_sheet: u32,
    header_format: Format,
    date_format: Format,
    datetime_format: Format,
    /// Names of the data sheets created so far. The last one is being written.
    sheets: Vec<String>,
    /// Workbook index of the data sheet being written.
    sheet_index: usize,
    /// Worksheet row the next data row goes to.
    next_row: RowNum,
    /// Maximum text length per column in the sampled rows of the current sheet, in characters.
    widths: Vec<usize>,
    truncated_cells: u64,
}

impl XlsxSink {
    /// Creates the workbook and the first data sheet with its header. Nothing is written to
    /// `file` before `finish`.
    pub(crate) fn create(
        file: File,
        options: &ExportOptions,
        layout: &ExportLayout,
    ) -> Result<XlsxSink, XlsxError> {
        let header: Vec<String> = layout.header().into_iter().map(str::to_string).collect();

        let mut sink = XlsxSink {
            workbook: Workbook::new(),
            file,
            widths: header.iter().map(|name| name.chars().count()).collect(),
            header,
            data_sheet: options.xlsx_data_sheet.clone(),
            summary_sheet: options.xlsx_summary_sheet.clone(),
            max_rows_per_sheet: options.xlsx_max_rows_per_sheet,
            header_format: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(HEADER_FILL))
                .set_border_bottom(FormatBorder::Thin),
            date_format: Format::new().set_num_format("yyyy-mm-dd"),
            datetime_format: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
            sheets: Vec::new(),
            sheet_index: 0,
            next_row: 0,
            truncated_cells: 0,
        };

        sink.start_data_sheet()?;
        Ok(sink)
    }

    pub(crate) fn sheets(&self) -> &[String] {
        &self.sheets
    }

    pub(crate) fn truncated_cells(&self) -> u64 {
        self.truncated_cells
    }

    /// Adds a data sheet, `<name>` for the first and `<name>_<n>` after it, with a bold,
    /// filled, frozen header row.
    fn start_data_sheet(&mut self) -> Result<(), XlsxError> {
        let name = match self.sheets.len() {
            0 => self.data_sheet.clone(),
            count => format!("{}_{}", self.data_sheet, count + 1),
        };

        let worksheet = self.workbook.add_worksheet_with_constant_memory()?;
        worksheet.set_name(&name)?;
        worksheet.set_freeze_panes(1, 0)?;
        for (column, title) in self.header.iter().enumerate() {
            worksheet.write_string_with_format(0, column as ColNum, title, &self.header_format)?;
        }

        self.sheet_index = self.workbook.worksheets().len() - 1;
        self.sheets.push(name);
        self.next_row = 1;
        for (width, title) in self.widths.iter_mut().zip(&self.header) {
            *width = title.chars().count();
        }
        Ok(())
    }

    /// Sets the autofilter over the written range and the column widths of the current
    /// data sheet.
    fn close_data_sheet(&mut self) -> Result<(), XlsxError> {
        let last_row = self.next_row - 1;
        let last_column = (self.header.len() - 1) as ColNum;
        let widths = self.widths.clone();

        let worksheet = self.current_sheet()?;
        worksheet.autofilter(0, 0, last_row, last_column)?;
        for (column, width) in widths.into_iter().enumerate() {
            // Two more characters leave room for the autofilter button.
            let width = (width + 2).clamp(MIN_COLUMN_WIDTH, MAX_COLUMN_WIDTH);
            worksheet.set_column_width(column as ColNum, width as f64)?;
        }
        Ok(())
    }

    fn current_sheet(&mut self) -> Result<&mut Worksheet, XlsxError> {
        self.workbook.worksheet_from_index(self.sheet_index)
    }

    /// Writes one data row, starting a new sheet when the current one is full.
    pub(crate) fn write(
        &mut self,
        output: &OutputRow<'_>,
        sources: &[Option<usize>],
    ) -> Result<(), XlsxError> {
        if self.next_row >= self.max_rows_per_sheet {
            self.close_data_sheet()?;
            self.start_data_sheet()?;
        }

        let row = output.row;
        let classification = output.classification;
        let mut cells = CellWriter {
            worksheet: self.workbook.worksheet_from_index(self.sheet_index)?,
            row: self.next_row,
            column: 0,
            date_format: &self.date_format,
            datetime_format: &self.datetime_format,
            widths: (self.next_row <= WIDTH_SAMPLE_ROWS).then_some(&mut self.widths),
            truncated_cells: &mut self.truncated_cells,
        };

        cells.number(row.row_index as f64)?;
        cells.text(&row.file)?;
        cells.text(row.sheet.as_deref().unwrap_or(""))?;
        cells.number(row.line as f64)?;

        for &source in sources {
            cells.value(value_at(row, source))?;
        }
        for clean in output.clean {
            cells.text(clean)?;
        }

        cells.number(output.group as f64)?;
        cells.text(&classification.category)?;
        cells.number(classification.score)?;
        cells.text(&classification.reason)?;
        cells.text(classification.status.as_str())?;
        cells.number(f64::from(output.prompt_version))?;
        cells.number(f64::from(output.iteration))?;

        self.next_row += 1;
        Ok(())
    }

    /// Closes the last data sheet, adds the summary sheet and saves the workbook to the file.
    pub(crate) fn finish(
        mut self,
        summary: &ExportSummary,
        rows_written: u64,
    ) -> Result<(), XlsxError> {
        self.close_data_sheet()?;
        self.write_summary_sheet(summary, rows_written)?;

        let mut buffered = BufWriter::new(self.file);
        self.workbook.save_to_writer(&mut buffered)?;
        let file = buffered
            .into_inner()
            .map_err(|error| XlsxError::IoError(error.into_error()))?;
        file.sync_all()?;
        Ok(())
    }

    /// Writes the summary as `field | value` lines, then a `category | rows | groups` table.
    fn write_summary_sheet(
        &mut self,
        summary: &ExportSummary,
        rows_written: u64,
    ) -> Result<(), XlsxError> {
        let header_format = self.header_format.clone();
        let cost_format = Format::new().set_num_format("0.0000");
        let sheets = self.sheets.join(", ");
        let truncated_cells = self.truncated_cells;
        let created_at = summary
            .created_at
            .to_rfc3339_opts(SecondsFormat::Secs, true);

        let worksheet = self.workbook.add_worksheet();
        worksheet.set_name(&self.summary_sheet)?;
        worksheet.set_column_width(0, 22)?;
        worksheet.set_column_width(1, 40)?;
        worksheet.set_column_width(2, 12)?;

        worksheet.write_string_with_format(0, 0, "field", &header_format)?;
        worksheet.write_string_with_format(0, 1, "value", &header_format)?;

        let counts = [
            ("rows", summary.rows),
            ("rows_written", rows_written),
            ("groups", summary.groups),
            ("chunks", summary.chunks),
            ("cache_hits", summary.cache_hits),
            ("tokens_in", summary.tokens_in),
            ("tokens_out", summary.tokens_out),
            ("fallback_rows", summary.fallback_rows),
            ("fallback_groups", summary.fallback_groups),
            ("truncated_cells", truncated_cells),
        ];
        let mut line: RowNum = 1;
        for (field, count) in counts {
            worksheet.write_string(line, 0, field)?;
            worksheet.write_number(line, 1, count as f64)?;
            line += 1;
        }

        worksheet.write_string(line, 0, "cost")?;
        if let Some(cost) = summary.cost {
            worksheet.write_number_with_format(line, 1, cost, &cost_format)?;
        }
        line += 1;

        let texts = [
            ("prompt_id", summary.prompt_id.as_str()),
            ("provider", summary.provider.as_str()),
            ("model", summary.model.as_str()),
            ("created_at", created_at.as_str()),
            ("data_sheets", sheets.as_str()),
        ];
        for (field, text) in texts {
            worksheet.write_string(line, 0, field)?;
            worksheet.write_string(line, 1, text)?;
            line += 1;
        }

        worksheet.write_string(line, 0, "prompt_version")?;
        worksheet.write_number(line, 1, summary.prompt_version)?;
        line += 1;
        worksheet.write_string(line, 0, "duration_seconds")?;
        worksheet.write_number(line, 1, summary.duration_seconds)?;
        line += 2;

        worksheet.write_string_with_format(line, 0, "category", &header_format)?;
        worksheet.write_string_with_format(line, 1, "rows", &header_format)?;
        worksheet.write_string_with_format(line, 2, "groups", &header_format)?;
        for category in &summary.categories {
            line += 1;
            worksheet.write_string(line, 0, truncate_cell(&category.category).0)?;
            worksheet.write_number(line, 1, category.rows as f64)?;
            worksheet.write_number(line, 2, category.groups as f64)?;
        }

        Ok(())
    }
}

/// Writes the cells of one row from left to right.
struct CellWriter<'a> {
    worksheet: &'a mut Worksheet,
    row: RowNum,
    column: ColNum,
    date_format: &'a Format,
    datetime_format: &'a Format,
    /// Present while the row is among the first rows of the sheet, which size the columns.
    widths: Option<&'a mut Vec<usize>>,
    truncated_cells: &'a mut u64,
}

impl CellWriter<'_> {
    /// Moves to the next column, recording the cell's width while sampling. `width` is
    /// only called for sampled rows, because measuring costs a pass over the text.
    fn advance(&mut self, width: impl FnOnce() -> usize) {
        if let Some(widths) = self.widths.as_deref_mut() {
            let current = &mut widths[self.column as usize];
            *current = (*current).max(width());
        }
        self.column += 1;
    }

    /// Writes text, leaving the cell empty for empty text and cutting text longer than
    /// Excel's cell limit.
    fn text(&mut self, text: &str) -> Result<(), XlsxError> {
        let (text, truncated) = truncate_cell(text);
        if !text.is_empty() {
            if truncated {
                *self.truncated_cells += 1;
                if *self.truncated_cells == 1 {
                    tracing::warn!(
                        row = self.row,
                        column = self.column,
                        limit = XLSX_MAX_CELL_CHARS,
                        "XLSX cell text cut to Excel's limit; later cuts are only counted"
                    );
                }
            }
            self.worksheet.write_string(self.row, self.column, text)?;
        }

        self.advance(|| text.chars().take(MAX_COLUMN_WIDTH).count());
        Ok(())
    }

    /// Writes a number, or leaves the cell empty for NaN and infinities, which Excel cannot
    /// store.
    fn number(&mut self, number: f64) -> Result<(), XlsxError> {
        if number.is_finite() {
            self.worksheet.write_number(self.row, self.column, number)?;
        }

        self.advance(|| number_width(number));
        Ok(())
    }

    fn value(&mut self, value: &Value) -> Result<(), XlsxError> {
        match value {
            Value::Null => {
                self.advance(|| 0);
                Ok(())
            }
            Value::Bool(flag) => {
                self.worksheet.write_boolean(self.row, self.column, *flag)?;
                self.advance(|| 5);
                Ok(())
            }
            Value::Int(number) if number.abs() <= XLSX_MAX_EXACT_INTEGER => {
                self.number(*number as f64)
            }
            // Longer integers, such as account numbers, keep every digit as text.
            Value::Int(number) => self.text(&number.to_string()),
            Value::Float(number) if number.is_finite() => self.number(*number),
            Value::Float(number) => self.text(&number.to_string()),
            Value::Text(text) => self.text(text),
            Value::Date(date) => match excel_date(date) {
                Some(date) => self.date(date, true),
                None => self.text(&value.to_string()),
            },
            Value::DateTime(datetime) => match excel_datetime(datetime) {
                Some(datetime) => self.date(datetime, false),
                None => self.text(&value.to_string()),
            },
        }
    }

    fn date(&mut self, date: ExcelDateTime, date_only: bool) -> Result<(), XlsxError> {
        let (format, width) = if date_only {
            (self.date_format, 10)
        } else {
            (self.datetime_format, 19)
        };
        self.worksheet
            .write_datetime_with_format(self.row, self.column, date, format)?;
        self.advance(|| width);
        Ok(())
    }
}

/// Returns the text cut to at most [`XLSX_MAX_CELL_CHARS`] UTF-16 code units at a character
/// boundary, and whether it was cut.
pub(crate) fn truncate_cell(text: &str) -> (&str, bool) {
    // Each UTF-16 code unit takes at least one UTF-8 byte, so shorter text fits.
    if text.len() <= XLSX_MAX_CELL_CHARS {
        return (text, false);
    }

    let mut units = 0;
    for (offset, character) in text.char_indices() {
        units += character.len_utf16();
        if units > XLSX_MAX_CELL_CHARS {
            return (&text[..offset], true);
        }
    }
    (text, false)
}

/// Converts a date, or returns `None` outside Excel's range 1900-01-01 to 9999-12-31.
fn excel_date(date: &NaiveDate) -> Option<ExcelDateTime> {
    let year = u16::try_from(date.year()).ok()?;
    ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8).ok()
}

/// Converts a date and time, to the millisecond, or returns `None` outside Excel's range.
fn excel_datetime(datetime: &NaiveDateTime) -> Option<ExcelDateTime> {
    let date = excel_date(&datetime.date())?;
    let time = datetime.time();
    // chrono stores a leap second as nanoseconds past 1e9, and Excel has no leap seconds.
    let milliseconds = (time.nanosecond() / 1_000_000).min(999);
    let seconds = f64::from(time.second()) + f64::from(milliseconds) / 1000.0;
    date.and_hms(time.hour() as u16, time.minute() as u8, seconds)
        .ok()
}

/// Estimates the characters Excel's General format shows for a number.
fn number_width(number: f64) -> usize {
    if !number.is_finite() {
        return 0;
    }
    Value::Float(number).to_string().len().min(12)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_cell_keeps_short_text() {
        assert_eq!(truncate_cell("Señalética"), ("Señalética", false));
    }

    #[test]
    fn truncate_cell_counts_utf16_units() {
        // U+1F600 takes two UTF-16 code units, so 16,384 of them exceed the limit by one.
        let text = "\u{1F600}".repeat(16_384);
        let (cut, truncated) = truncate_cell(&text);

        assert!(truncated);
        assert_eq!(cut.chars().count(), 16_383);
        assert_eq!(cut.encode_utf16().count(), 32_766);
    }

    #[test]
    fn truncate_cell_at_exact_limit() {
        let text = "ñ".repeat(XLSX_MAX_CELL_CHARS);
        assert_eq!(truncate_cell(&text), (text.as_str(), false));

        let longer = format!("{text}a");
        let (cut, truncated) = truncate_cell(&longer);
        assert!(truncated);
        assert_eq!(cut, text);
    }

    #[test]
    fn dates_outside_excel_range_fail() {
        let early = NaiveDate::from_ymd_opt(1850, 1, 1).unwrap();
        assert!(excel_date(&early).is_none());

        let ok = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert!(excel_date(&ok).is_some());
    }
}
