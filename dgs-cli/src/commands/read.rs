//! `dgs read`: streams every row of the input to stdout, as JSON lines or CSV, holding one
//! row at a time in memory.

use super::{finish_ingest, input_error};
use clap::{Args, ValueEnum};
use dgs_core::ingest::{collect_columns, read_path, IngestEvent, IngestOptions, Row};
use std::collections::HashMap;
use std::io::{self, BufWriter, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Args, Debug)]
pub(crate) struct ReadArgs {
    /// ZIP, folder or single file (.csv .txt .tsv .xlsx .xlsm .json .jsonl .ndjson).
    path: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Jsonl)]
    format: OutputFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    /// One object per row: `{"row_index","file","sheet","line","fields":{...}}`.
    Jsonl,
    /// A header `row_index,file,sheet,line` followed by the union of every table's columns
    /// in first-seen order; a row leaves the columns of other tables empty.
    Csv,
}

pub(crate) fn run(args: &ReadArgs) -> ExitCode {
    let options = IngestOptions::default();
    let out = io::stdout().lock();

    let mut writer: Box<dyn RowWriter> = match args.format {
        OutputFormat::Jsonl => Box::new(JsonlWriter {
            out: BufWriter::new(out),
        }),
        OutputFormat::Csv => match CsvWriter::new(&args.path, &options, out) {
            Ok(writer) => Box::new(writer),
            Err(error) => return input_error(&error),
        },
    };

    let mut write_error: Option<io::Error> = writer.begin().err();
    let result = read_path(&args.path, &options, |event| {
        if write_error.is_some() {
            return ControlFlow::Break(());
        }
        if let IngestEvent::Row(row) = event {
            if let Err(error) = writer.write_row(&row) {
                write_error = Some(error);
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    });
    let summary = match result {
        Ok(summary) => summary,
        Err(error) => return input_error(&error),
    };

    let flushed = writer.flush();
    match write_error.or(flushed.err()) {
        // A closed pipe (`dgs read x.zip | head`) is how a reader says it has enough.
        Some(error) if error.kind() == io::ErrorKind::BrokenPipe => return ExitCode::SUCCESS,
        Some(error) => {
            eprintln!("error: cannot write to stdout: {error}");
            return ExitCode::from(super::EXIT_FILE_FAILED);
        }
        None => {}
    }

    for skipped in &summary.skipped {
        eprintln!("skipped: {}: {}", skipped.path, skipped.reason);
    }
    finish_ingest(&summary)
}

trait RowWriter {
    fn begin(&mut self) -> io::Result<()>;
    fn write_row(&mut self, row: &Row) -> io::Result<()>;
    fn flush(&mut self) -> io::Result<()>;
}

struct JsonlWriter<W: Write> {
    out: BufWriter<W>,
}

impl<W: Write> RowWriter for JsonlWriter<W> {
    fn begin(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn write_row(&mut self, row: &Row) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, row)?;
        self.out.write_all(b"\n")
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Writes rows under one header made of the union of all columns, learnt in a first pass
/// that reads only headers where the format allows.
///
/// NOTE: a data column named `row_index`, `file`, `sheet` or `line` repeats that header name.
struct CsvWriter<W: Write> {
    columns: Vec<String>,
    positions: HashMap<String, usize>,
    /// Column positions of the last table seen, reused while rows share its column list.
    last_table: Option<(Arc<[String]>, Vec<usize>)>,
    record: Vec<String>,
    out: csv::Writer<W>,
}

impl<W: Write> CsvWriter<W> {
    fn new(
        path: &std::path::Path,
        options: &IngestOptions,
        out: W,
    ) -> Result<Self, dgs_core::ingest::IngestError> {
        let columns = collect_columns(path, options)?;
        let positions = columns
            .iter()
            .enumerate()
            .map(|(position, name)| (name.clone(), position))
            .collect();
        Ok(CsvWriter {
            columns,
            positions,
            last_table: None,
            record: Vec::new(),
            out: csv::Writer::from_writer(out),
        })
    }

    fn update_positions(&mut self, row: &Row) {
        let reuse = matches!(
            &self.last_table,
            Some((columns, _)) if Arc::ptr_eq(columns, &row.columns)
        );
        if !reuse {
            let positions = row
                .columns
                .iter()
                .map(|name| self.positions.get(name).copied().unwrap_or(usize::MAX))
                .collect();
            self.last_table = Some((row.columns.clone(), positions));
        }
    }
}

impl<W: Write> RowWriter for CsvWriter<W> {
    fn begin(&mut self) -> io::Result<()> {
        let fixed = ["row_index", "file", "sheet", "line"];
        let header = fixed
            .into_iter()
            .chain(self.columns.iter().map(String::as_str));
        self.out.write_record(header).map_err(into_io)
    }

    fn write_row(&mut self, row: &Row) -> io::Result<()> {
        self.update_positions(row);
        let positions = &self.last_table.as_ref().expect("set by update_positions").1;

        self.record.clear();
        self.record.resize(self.columns.len(), String::new());
        for (position, value) in positions.iter().zip(&row.values) {
            // The first pass over the same input saw every column. A value without a header
            // position only comes from an input changed in between, and is not written.
            if let Some(cell) = self.record.get_mut(*position) {
                *cell = value.to_string();
            }
        }

        let fixed = [
            row.row_index.to_string(),
            row.file.to_string(),
            row.sheet.as_deref().unwrap_or("").to_owned(),
            row.line.to_string(),
        ];
        self.out
            .write_record(fixed.iter().chain(&self.record))
            .map_err(into_io)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

fn into_io(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        other => io::Error::other(format!("{other:?}")),
    }
}
