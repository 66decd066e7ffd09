//! The driver: dispatches each file to its format reader, numbers the rows, turns what the
//! readers push into events and reports, and keeps one broken file from stopping the rest.

use super::event::{IngestEvent, IngestSummary};
use super::names::{extension, junk_reason};
use super::{
    delimited, json, xlsx, FileReport, Format, IngestError, IngestOptions, Row, SkippedFile,
    TableInfo, TableSink, Warning,
};
use crate::Value;
use std::collections::BTreeMap;
use std::io::Read;
use std::ops::ControlFlow;
use std::sync::Arc;

/// Warnings of one kind kept per table; later ones are only counted, so a file with a
/// million ragged rows keeps bounded memory.
pub(crate) const MAX_WARNINGS_PER_KIND: u64 = 100;

/// Record handling mode of the driver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReadMode {
    /// Every record becomes a row event.
    Rows,
    /// Each table stops at its first record, so only column names are learnt.
    HeadersOnly,
}

/// A file format the readers handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TableFormat {
    /// Delimited text; `prefer_tab` for `.tsv`.
    Delimited {
        prefer_tab: bool,
    },
    Xlsx,
    Json,
    Jsonl,
}

impl TableFormat {
    pub(crate) fn format(self) -> Format {
        match self {
            TableFormat::Delimited { .. } => Format::Csv,
            TableFormat::Xlsx => Format::Xlsx,
            TableFormat::Json => Format::Json,
            TableFormat::Jsonl => Format::Jsonl,
        }
    }
}

/// Handling of an entry, chosen by its extension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum EntryKind {
    Table(TableFormat),
    Zip,
    Unsupported(String),
}

/// Chooses how to read `path` from its extension.
pub(crate) fn classify(path: &str) -> EntryKind {
    let extension = extension(path);
    match extension.as_str() {
        "csv" | "txt" => EntryKind::Table(TableFormat::Delimited { prefer_tab: false }),
        "tsv" | "tab" => EntryKind::Table(TableFormat::Delimited { prefer_tab: true }),
        "xlsx" | "xlsm" => EntryKind::Table(TableFormat::Xlsx),
        "json" => EntryKind::Table(TableFormat::Json),
        "jsonl" | "ndjson" => EntryKind::Table(TableFormat::Jsonl),
        "zip" => EntryKind::Zip,
        "xls" => EntryKind::Unsupported(
            "old binary Excel workbook (.xls) is not supported; save it as .xlsx".to_owned(),
        ),
        "" => EntryKind::Unsupported("file without extension is not read".to_owned()),
        other => EntryKind::Unsupported(format!(
            "unsupported file type .{other}; expected .csv, .txt, .tsv, .xlsx, .xlsm, .json, \
             .jsonl, .ndjson or .zip"
        )),
    }
}

/// A table being read.
struct OpenTable {
    sheet: Option<Arc<str>>,
    columns: Arc<[String]>,
    report: FileReport,
    warning_counts: BTreeMap<String, u64>,
}

/// Receives the readers' output for one input and numbers its rows.
pub(crate) struct Driver<'a> {
    pub(crate) options: &'a IngestOptions,
    visitor: &'a mut dyn FnMut(IngestEvent) -> ControlFlow<()>,
    mode: ReadMode,
    summary: IngestSummary,
    file: Arc<str>,
    table: Option<OpenTable>,
}

impl<'a> Driver<'a> {
    pub(crate) fn new(
        options: &'a IngestOptions,
        mode: ReadMode,
        visitor: &'a mut dyn FnMut(IngestEvent) -> ControlFlow<()>,
    ) -> Self {
        Driver {
            options,
            visitor,
            mode,
            summary: IngestSummary::default(),
            file: Arc::from(""),
            table: None,
        }
    }

    pub(crate) fn into_summary(self) -> IngestSummary {
        self.summary
    }

    /// Returns true once the caller asked for no more rows.
    pub(crate) fn stopped(&self) -> bool {
        self.summary.stopped_early
    }

    /// Records an entry that is not read.
    pub(crate) fn skip(&mut self, path: &str, reason: &str) {
        tracing::debug!(path, reason, "entry skipped");
        let skipped = SkippedFile {
            path: path.to_owned(),
            reason: reason.to_owned(),
        };
        self.summary.skipped.push(skipped.clone());
        self.emit(IngestEvent::Skipped(skipped));
    }

    /// Skips junk and unsupported entries; returns the format of a readable table, or `None`
    /// when the entry was skipped or is a ZIP.
    pub(crate) fn check_entry(&mut self, path: &str) -> Option<EntryKind> {
        if let Some(reason) = junk_reason(path) {
            self.skip(path, reason);
            return None;
        }
        match classify(path) {
            EntryKind::Unsupported(reason) => {
                self.skip(path, &reason);
                None
            }
            kind => Some(kind),
        }
    }

    /// Reads one table file from `reader` and records its report, or its failure.
    pub(crate) fn read_table(&mut self, path: &str, format: TableFormat, reader: &mut dyn Read) {
        let result = self.run_reader(path, format, reader);
        self.finish_file(path, format.format(), result);
    }

    /// Runs the reader of `format` on `reader`; the caller passes the result to
    /// [`Driver::finish_file`], possibly replacing the error with a more precise one.
    pub(crate) fn run_reader(
        &mut self,
        path: &str,
        format: TableFormat,
        reader: &mut dyn Read,
    ) -> Result<(), IngestError> {
        let _span = tracing::info_span!("read_file", path, format = ?format.format()).entered();
        tracing::debug!("reading");
        self.file = Arc::from(path);
        let options = self.options;

        match format {
            TableFormat::Delimited { prefer_tab } => {
                delimited::read_delimited(path, reader, prefer_tab, options, self)
            }
            TableFormat::Json => json::read_json(path, reader, options, self),
            TableFormat::Jsonl => json::read_jsonl(path, reader, options, self),
            TableFormat::Xlsx => {
                let data = buffer_workbook(path, reader, options.max_workbook_bytes)?;
                xlsx::read_xlsx(path, data, options, self)
            }
        }
    }

    /// Closes the last table of a file. An error fails the open table, or, when the reader
    /// failed before starting one, becomes a report of its own.
    pub(crate) fn finish_file(
        &mut self,
        path: &str,
        format: Format,
        result: Result<(), IngestError>,
    ) {
        let error = result.err();
        if let Some(error) = &error {
            tracing::info!(path, %error, "file failed; the error is kept in its report");
        }

        match (self.table.is_some(), error) {
            (true, error) => self.close_table(error.map(|error| error.to_string())),
            (false, Some(error)) => self.fail(path, format, &error),
            (false, None) => {}
        }
    }

    /// Records a report for a file or archive that failed before any table started.
    pub(crate) fn fail(&mut self, path: &str, format: Format, error: &IngestError) {
        let report = FileReport {
            path: path.to_owned(),
            format,
            encoding: None,
            delimiter: None,
            sheet: None,
            columns: Vec::new(),
            rows: 0,
            warnings: Vec::new(),
            error: Some(error.to_string()),
        };
        self.summary.files.push(report.clone());
        self.emit(IngestEvent::TableFinished(report));
    }

    fn close_table(&mut self, error: Option<String>) {
        let Some(mut table) = self.table.take() else {
            return;
        };

        for (kind, count) in &table.warning_counts {
            if *count > MAX_WARNINGS_PER_KIND {
                let hidden = count - MAX_WARNINGS_PER_KIND;
                table.report.warnings.push(Warning {
                    line: None,
                    kind: "warnings_truncated".to_owned(),
                    message: format!("{hidden} more {kind} warnings are not listed"),
                });
            }
        }
        table.report.error = error;

        self.summary.files.push(table.report.clone());
        self.emit(IngestEvent::TableFinished(table.report));
    }

    fn emit(&mut self, event: IngestEvent) {
        if (self.visitor)(event).is_break() {
            self.summary.stopped_early = true;
        }
    }
}

impl TableSink for Driver<'_> {
    fn begin_table(&mut self, table: TableInfo) {
        self.close_table(None);

        let report = FileReport {
            path: self.file.to_string(),
            format: table.format,
            encoding: table.encoding,
            delimiter: table.delimiter,
            sheet: table.sheet.clone(),
            columns: table.columns.clone(),
            rows: 0,
            warnings: Vec::new(),
            error: None,
        };
        self.table = Some(OpenTable {
            sheet: table.sheet.map(Arc::from),
            columns: Arc::from(table.columns),
            report,
            warning_counts: BTreeMap::new(),
        });
    }

    fn warning(&mut self, warning: Warning) {
        let Some(table) = self.table.as_mut() else {
            tracing::warn!(path = %self.file, ?warning, "warning outside a table");
            return;
        };
        let count = table
            .warning_counts
            .entry(warning.kind.clone())
            .or_insert(0);
        *count += 1;
        if *count <= MAX_WARNINGS_PER_KIND {
            table.report.warnings.push(warning);
        }
    }

    fn record(&mut self, line: u64, mut values: Vec<Value>) -> ControlFlow<()> {
        if self.mode == ReadMode::HeadersOnly || self.stopped() {
            return ControlFlow::Break(());
        }
        let Some(table) = self.table.as_mut() else {
            tracing::warn!(path = %self.file, line, "record outside a table ignored");
            return ControlFlow::Continue(());
        };

        // The sink contract is one value per column. A reader that breaks it must not make
        // rows whose values do not line up with their columns.
        if values.len() != table.columns.len() {
            tracing::warn!(
                path = %self.file,
                line,
                values = values.len(),
                columns = table.columns.len(),
                "reader pushed a record of the wrong width"
            );
            values.resize(table.columns.len(), Value::Null);
        }

        let row = Row {
            row_index: self.summary.rows,
            file: self.file.clone(),
            sheet: table.sheet.clone(),
            line,
            columns: table.columns.clone(),
            values,
        };
        table.report.rows += 1;
        self.summary.rows += 1;

        self.emit(IngestEvent::Row(row));
        if self.stopped() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

/// Reads a whole workbook into memory, failing when it exceeds `max_bytes`.
fn buffer_workbook(
    path: &str,
    reader: &mut dyn Read,
    max_bytes: u64,
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
            limit: "max_workbook_bytes",
            max: max_bytes,
            value: size,
            message: "workbook is larger than the in-memory limit for workbooks, which are \
                      buffered whole to be read"
                .to_owned(),
        });
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(sheet: &str, columns: &[&str]) -> TableInfo {
        TableInfo {
            format: Format::Xlsx,
            encoding: None,
            delimiter: None,
            sheet: Some(sheet.to_owned()),
            columns: columns.iter().map(|name| name.to_string()).collect(),
        }
    }

    fn text(value: &str) -> Value {
        Value::Text(value.to_owned())
    }

    /// Runs `reader` as the reader of one workbook file and returns the events.
    fn run(
        reader: impl FnOnce(&mut Driver<'_>) -> Result<(), IngestError>,
    ) -> (Vec<IngestEvent>, IngestSummary) {
        let options = IngestOptions::default();
        let mut events = Vec::new();
        let mut visitor = |event| {
            events.push(event);
            ControlFlow::Continue(())
        };
        let mut driver = Driver::new(&options, ReadMode::Rows, &mut visitor);
        driver.file = Arc::from("book.xlsx");
        let result = reader(&mut driver);
        driver.finish_file("book.xlsx", Format::Xlsx, result);
        let summary = driver.into_summary();
        (events, summary)
    }

    #[test]
    fn sheets_become_separate_reports() {
        let (events, summary) = run(|sink| {
            sink.begin_table(table("Enero", &["a"]));
            let _ = sink.record(2, vec![text("1")]);
            sink.begin_table(table("Febrero", &["b", "c"]));
            let _ = sink.record(5, vec![text("2"), Value::Null]);
            Ok(())
        });

        assert_eq!(summary.files.len(), 2);
        assert_eq!(summary.files[0].sheet.as_deref(), Some("Enero"));
        assert_eq!(summary.files[1].columns, ["b", "c"]);
        let rows: Vec<&Row> = events
            .iter()
            .filter_map(|event| match event {
                IngestEvent::Row(row) => Some(row),
                _ => None,
            })
            .collect();
        assert_eq!(rows[1].row_index, 1);
        assert_eq!(rows[1].sheet.as_deref(), Some("Febrero"));
        assert_eq!(rows[1].line, 5);
        assert!(matches!(events[1], IngestEvent::TableFinished(_)));
    }

    #[test]
    fn error_fails_only_current_sheet() {
        let (_, summary) = run(|sink| {
            sink.begin_table(table("Ok", &["a"]));
            let _ = sink.record(2, vec![text("1")]);
            sink.begin_table(table("Broken", &["a"]));
            let _ = sink.record(2, vec![text("2")]);
            Err(IngestError::Workbook {
                path: "book.xlsx".to_owned(),
                sheet: Some("Broken".to_owned()),
                message: "bad cell".to_owned(),
            })
        });

        assert!(summary.files[0].error.is_none());
        let error = summary.files[1].error.as_deref().unwrap();
        assert!(error.contains("Broken"), "{error}");
        assert_eq!(
            summary.files[1].rows, 1,
            "rows read before the error are kept"
        );
    }

    #[test]
    fn failure_before_table_gets_report() {
        let (_, summary) = run(|_| {
            Err(IngestError::Workbook {
                path: "book.xlsx".to_owned(),
                sheet: None,
                message: "not a workbook".to_owned(),
            })
        });

        assert_eq!(summary.files.len(), 1);
        assert_eq!(summary.files[0].format, Format::Xlsx);
        assert!(summary.files[0].error.is_some());
    }

    #[test]
    fn wrong_width_record_padded() {
        let (events, _) = run(|sink| {
            sink.begin_table(table("S", &["a", "b"]));
            let _ = sink.record(2, vec![text("1")]);
            Ok(())
        });
        let IngestEvent::Row(row) = &events[0] else {
            panic!("first event is a row: {events:?}");
        };
        assert_eq!(row.values, [text("1"), Value::Null]);
    }

    #[test]
    fn extensions_classified() {
        let cases = [
            (
                "a.CSV",
                EntryKind::Table(TableFormat::Delimited { prefer_tab: false }),
            ),
            (
                "a.tsv",
                EntryKind::Table(TableFormat::Delimited { prefer_tab: true }),
            ),
            ("a.xlsm", EntryKind::Table(TableFormat::Xlsx)),
            ("a.ndjson", EntryKind::Table(TableFormat::Jsonl)),
            ("a.json", EntryKind::Table(TableFormat::Json)),
            ("a.zip", EntryKind::Zip),
        ];
        for (path, expected) in cases {
            assert_eq!(classify(path), expected, "{path}");
        }
        assert!(matches!(classify("a.xls"), EntryKind::Unsupported(_)));
    }
}
