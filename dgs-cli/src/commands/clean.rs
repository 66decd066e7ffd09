//! `dgs clean`: cleans the selected columns of every row, groups rows by dedup key and prints
//! the dedup figures. With `--out` it also writes every row with its clean fields and group
//! id. Rows are read on a thread of their own and cleaned in chunks, so memory grows with a
//! few chunks plus the groups.

use super::{finish_ingest, input_error, EXIT_FILE_FAILED, EXIT_USAGE};
use clap::{Args, ValueEnum};
use dgs_core::clean::{parse_column_spec, CleanConfig, CleanRow, Cleaner, ColumnResolver, Preset};
use dgs_core::dedup::{
    Assignment, DedupOptions, DedupStats, DedupStrategy, Deduplicator, KeyBuilder,
};
use dgs_core::ingest::{
    collect_columns, read_path, IngestError, IngestEvent, IngestOptions, IngestSummary, Row,
};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::mem;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{mpsc, Arc};
use std::thread;

/// Rows cleaned together on the rayon pool before they are grouped and written.
const CHUNK_ROWS: usize = 8192;

/// Characters of a group's text shown in the largest-groups table; `--json` has them all.
const TABLE_TEXT_CHARS: usize = 80;

/// Full chunks queued between the reading thread and the cleaning. Memory holds this many
/// chunks plus the one being read and the one being cleaned.
const CHUNKS_IN_FLIGHT: usize = 1;

#[derive(Args, Debug)]
pub(crate) struct CleanArgs {
    /// ZIP, folder or single file (.csv .txt .tsv .xlsx .xlsm .json .jsonl .ndjson).
    path: PathBuf,

    /// Column to clean; repeat for several. The first one is the primary field.
    /// `Descripción|Glosa|detalle` cleans `Descripción`, or in a table without it the first
    /// of `Glosa`, `detalle` the table has, into one clean field.
    #[arg(long = "column", required = true)]
    columns: Vec<String>,

    /// Preset for the clean text the LLM reads: basic, fingerprint or ledger.
    #[arg(long, default_value = "basic")]
    refinery: Preset,

    /// Preset for the dedup key: basic, fingerprint or ledger.
    #[arg(long, default_value = "ledger")]
    key_refinery: Preset,

    /// Grouping rule for the key texts.
    #[arg(long, value_enum, default_value_t = StrategyArg::Exact)]
    strategy: StrategyArg,

    /// Write every row with its clean fields and group id to this file; the extension
    /// selects the format (.csv, or .jsonl/.ndjson).
    #[arg(long)]
    out: Option<PathBuf>,

    /// Print the figures as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum StrategyArg {
    /// Rows whose key texts are equal.
    Exact,
    /// Rows whose key texts have the same words in any order.
    Fingerprint,
}

pub(crate) fn run(args: &CleanArgs) -> ExitCode {
    let options = IngestOptions::default();

    let existing_columns = match collect_columns(&args.path, &options) {
        Ok(columns) => columns,
        Err(error) => return input_error(&error),
    };
    if existing_columns.is_empty() {
        eprintln!(
            "error: no columns found in {}; the input has no header row or no table",
            args.path.display()
        );
        return ExitCode::from(EXIT_USAGE);
    }
    let mut clean_columns = Vec::new();
    let mut aliases = BTreeMap::new();
    for spec in &args.columns {
        if let Some((column, alternatives)) = parse_column_spec(spec) {
            clean_columns.push(column.clone());
            aliases.insert(column, alternatives);
        }
    }
    let names_of = |column: &String| -> Vec<String> {
        std::iter::once(column.clone())
            .chain(aliases.get(column).into_iter().flatten().cloned())
            .collect()
    };
    if let Some(missing) = clean_columns.iter().find(|column| {
        names_of(column)
            .iter()
            .all(|name| !existing_columns.contains(name))
    }) {
        eprintln!(
            "error: column {missing:?} not found in {}; the columns are: {}",
            args.path.display(),
            existing_columns.join(", ")
        );
        return ExitCode::from(EXIT_USAGE);
    }

    let config = CleanConfig {
        columns: clean_columns,
        refinery: args.refinery,
        key_refinery: args.key_refinery.into(),
        ..CleanConfig::default()
    };
    let strategy = match args.strategy {
        StrategyArg::Exact => DedupStrategy::Exact,
        StrategyArg::Fingerprint => DedupStrategy::Fingerprint,
    };
    let cleaner = match Cleaner::new(&config) {
        Ok(cleaner) => cleaner,
        Err(error) => return usage_error(&error),
    };
    let keys = match KeyBuilder::new(&strategy, cleaner.columns()) {
        Ok(keys) => keys,
        Err(error) => return usage_error(&error),
    };

    if let Some(out) = &args.out {
        if is_inside_folder(out, &args.path) {
            eprintln!(
                "error: output file {} is inside the input folder {}; write it elsewhere so it is not read as input",
                out.display(),
                args.path.display()
            );
            return ExitCode::from(EXIT_USAGE);
        }
        if is_same_file(out, &args.path) {
            eprintln!(
                "error: output file {} is the input file; write it elsewhere so the input is not overwritten",
                out.display()
            );
            return ExitCode::from(EXIT_USAGE);
        }
    }

    let mut writer: Box<dyn CleanWriter> = match &args.out {
        None => Box::new(NoWriter),
        Some(path) => match open_writer(path, cleaner.field_names(), &existing_columns) {
            Ok(writer) => writer,
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(EXIT_USAGE);
            }
        },
    };

    let mut stage = Stage {
        cleaner: &cleaner,
        keys: &keys,
        deduplicator: Deduplicator::new(DedupOptions::default()),
        writer: writer.as_mut(),
        resolver: ColumnResolver::new(&aliases),
        failure: None,
        out_path: args.out.as_deref(),
    };
    tracing::info!(path = %args.path.display(), columns = ?args.columns, "clean started");

    let result = read_in_background(&args.path, &options, |mut chunk| {
        stage.process_chunk(&mut chunk)
    });
    let summary = match result {
        Ok(summary) => summary,
        Err(error) => return input_error(&error),
    };
    if let Some(failure) = stage.failure.take() {
        eprintln!("error: {failure}");
        return ExitCode::from(EXIT_FILE_FAILED);
    }
    if let Err(error) = stage.writer.finish() {
        eprintln!(
            "error: cannot write {}: {error}",
            output_name(args.out.as_deref())
        );
        return ExitCode::from(EXIT_FILE_FAILED);
    }

    let stats = stage.deduplicator.finish().stats;
    tracing::info!(rows = stats.rows, groups = stats.groups, "clean finished");
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&stats).unwrap_or_default()
        );
    } else {
        print_table(&stats);
    }

    for skipped in &summary.skipped {
        eprintln!("skipped: {}: {}", skipped.path, skipped.reason);
    }
    finish_ingest(&summary)
}

/// Returns true when `input` is a folder and `out` would be written somewhere under it.
fn is_inside_folder(out: &Path, input: &Path) -> bool {
    if !input.is_dir() {
        return false;
    }
    let out_folder = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    match (out_folder.canonicalize(), input.canonicalize()) {
        (Ok(out_folder), Ok(input)) => out_folder.starts_with(input),
        _ => false,
    }
}

/// Returns true when `out` already exists and is the same file as `input` (through links or
/// relative paths), which opening `out` for writing would truncate before it is read.
fn is_same_file(out: &Path, input: &Path) -> bool {
    match (out.canonicalize(), input.canonicalize()) {
        (Ok(out), Ok(input)) => out == input,
        _ => false,
    }
}

fn output_name(path: Option<&Path>) -> String {
    match path {
        Some(path) => path.display().to_string(),
        None => "the output file".to_string(),
    }
}

fn usage_error(error: &dyn std::error::Error) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::from(EXIT_USAGE)
}

/// Reads `path` on a thread of its own and passes its rows to `process` in chunks of
/// [`CHUNK_ROWS`], in input order, on the calling thread. Reading the next chunks (decoding,
/// CSV parsing) so overlaps with cleaning the current one.
///
/// When `process` returns `Break`, reading stops at the next chunk boundary.
fn read_in_background(
    path: &Path,
    options: &IngestOptions,
    mut process: impl FnMut(Vec<Row>) -> ControlFlow<()>,
) -> Result<IngestSummary, IngestError> {
    let (sender, receiver) = mpsc::sync_channel::<Vec<Row>>(CHUNKS_IN_FLIGHT);

    thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let mut chunk = Vec::with_capacity(CHUNK_ROWS);
            let result = read_path(path, options, |event| {
                if let IngestEvent::Row(row) = event {
                    chunk.push(row);
                    if chunk.len() >= CHUNK_ROWS {
                        let full = mem::replace(&mut chunk, Vec::with_capacity(CHUNK_ROWS));
                        // A send fails only when the receiving side stopped.
                        if sender.send(full).is_err() {
                            return ControlFlow::Break(());
                        }
                    }
                }
                ControlFlow::Continue(())
            });
            if !chunk.is_empty() {
                let _ = sender.send(chunk);
            }
            result
        });

        for chunk in &receiver {
            if process(chunk).is_break() {
                break;
            }
        }
        drop(receiver);

        reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

struct Stage<'a> {
    cleaner: &'a Cleaner,
    keys: &'a KeyBuilder,
    deduplicator: Deduplicator,
    writer: &'a mut dyn CleanWriter,
    /// Renames alias columns to the clean column they stand for while a chunk is cleaned.
    resolver: ColumnResolver,
    /// Message of the error that stopped processing.
    failure: Option<String>,
    /// The `--out` file, named in write errors.
    out_path: Option<&'a Path>,
}

impl Stage<'_> {
    fn process_chunk(&mut self, chunk: &mut [Row]) -> ControlFlow<()> {
        if chunk.is_empty() || self.failure.is_some() {
            return ControlFlow::Continue(());
        }
        match self.clean_and_write(chunk) {
            Ok(()) => ControlFlow::Continue(()),
            Err(error) => {
                self.failure = Some(error);
                ControlFlow::Break(())
            }
        }
    }

    fn clean_and_write(&mut self, chunk: &mut [Row]) -> Result<(), String> {
        // Rows are cleaned under their resolved column names and written under their own.
        let own_columns: Vec<Arc<[String]>> = chunk
            .iter_mut()
            .map(|row| {
                let resolved = self.resolver.columns_for(row);
                mem::replace(&mut row.columns, resolved)
            })
            .collect();
        let cleaned = self.deduplicator.push_rows(chunk, self.cleaner, self.keys);
        for (row, columns) in chunk.iter_mut().zip(own_columns) {
            row.columns = columns;
        }
        let cleaned = cleaned.map_err(|error| error.to_string())?;
        for (row, (clean, assignment)) in chunk.iter().zip(&cleaned) {
            self.writer
                .write_row(row, clean, assignment)
                .map_err(|error| format!("cannot write {}: {error}", output_name(self.out_path)))?;
        }
        Ok(())
    }
}

fn print_table(stats: &DedupStats) {
    println!("rows        {:>10}", stats.rows);
    println!("groups      {:>10}", stats.groups);
    println!("duplicates  {:>10}", stats.duplicates);
    println!("ratio       {:>9.1}%", stats.ratio * 100.0);

    if !stats.by_file.is_empty() {
        println!();
        println!(
            "{:>10} {:>8} {:>8} {:>10} {:>7}  file",
            "rows", "groups", "new", "duplicates", "ratio"
        );
        for file in &stats.by_file {
            println!(
                "{:>10} {:>8} {:>8} {:>10} {:>6.1}%  {}",
                file.rows,
                file.groups,
                file.new_groups,
                file.duplicates,
                file.ratio * 100.0,
                file.file
            );
        }
    }

    if !stats.largest_groups.is_empty() {
        println!();
        println!("{:>8} {:>10}  largest groups", "size", "group");
        for group in &stats.largest_groups {
            println!(
                "{:>8} {:>10}  {}",
                group.size,
                group.group_id,
                shortened(&group.text, TABLE_TEXT_CHARS)
            );
        }
    }
}

/// Returns `text` cut to `max_chars` characters, with `...` appended when it was cut.
fn shortened(text: &str, max_chars: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => format!("{}...", &text[..end]).into(),
        None => text.into(),
    }
}

trait CleanWriter {
    fn write_row(&mut self, row: &Row, clean: &CleanRow, assignment: &Assignment)
        -> io::Result<()>;
    fn finish(&mut self) -> io::Result<()>;
}

struct NoWriter;

impl CleanWriter for NoWriter {
    fn write_row(&mut self, _: &Row, _: &CleanRow, _: &Assignment) -> io::Result<()> {
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn open_writer(
    path: &Path,
    field_names: &[String],
    columns: &[String],
) -> Result<Box<dyn CleanWriter>, String> {
    let extension = path
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase);
    let open =
        || File::create(path).map_err(|error| format!("cannot create {}: {error}", path.display()));

    match extension.as_deref() {
        Some("csv") => {
            let mut writer = CsvCleanWriter::new(open()?, field_names, columns);
            writer
                .write_header()
                .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
            Ok(Box::new(writer))
        }
        Some("jsonl" | "ndjson") => Ok(Box::new(JsonlCleanWriter {
            out: BufWriter::new(open()?),
            field_names: field_names.to_vec(),
        })),
        _ => Err(format!(
            "unsupported output file {}; use a .csv, .jsonl or .ndjson extension",
            path.display()
        )),
    }
}

/// Writes `{"row_index","file","sheet","line","group_id","clean":{...},"fields":{...}}` per
/// row.
struct JsonlCleanWriter {
    out: BufWriter<File>,
    field_names: Vec<String>,
}

/// Serialises parallel name and value lists as one JSON object.
struct Pairs<'a, V: Serialize>(&'a [String], &'a [V]);

impl<V: Serialize> Serialize for Pairs<'_, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0.iter().zip(self.1) {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct CleanLine<'a> {
    row_index: u64,
    file: &'a str,
    sheet: Option<&'a str>,
    line: u64,
    group_id: u64,
    clean: Pairs<'a, String>,
    fields: Pairs<'a, dgs_core::Value>,
}

impl CleanWriter for JsonlCleanWriter {
    fn write_row(
        &mut self,
        row: &Row,
        clean: &CleanRow,
        assignment: &Assignment,
    ) -> io::Result<()> {
        let line = CleanLine {
            row_index: row.row_index,
            file: &row.file,
            sheet: row.sheet.as_deref(),
            line: row.line,
            group_id: assignment.group_id,
            clean: Pairs(&self.field_names, &clean.fields),
            fields: Pairs(&row.columns, &row.values),
        };
        serde_json::to_writer(&mut self.out, &line)?;
        self.out.write_all(b"\n")
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Writes a header `row_index,file,sheet,line,group_id`, the clean field names and the union
/// of every table's columns, then one record per row. A row leaves the columns of other
/// tables empty.
struct CsvCleanWriter {
    out: csv::Writer<File>,
    field_names: Vec<String>,
    columns: Vec<String>,
    positions: HashMap<String, usize>,
    /// Column positions of the last table seen, reused while rows share its column list.
    last_table: Option<(Arc<[String]>, Vec<usize>)>,
    record: Vec<String>,
}

impl CsvCleanWriter {
    fn new(file: File, field_names: &[String], columns: &[String]) -> Self {
        let positions = columns
            .iter()
            .enumerate()
            .map(|(position, name)| (name.clone(), position))
            .collect();
        CsvCleanWriter {
            out: csv::Writer::from_writer(file),
            field_names: field_names.to_vec(),
            columns: columns.to_vec(),
            positions,
            last_table: None,
            record: Vec::new(),
        }
    }

    fn write_header(&mut self) -> io::Result<()> {
        let fixed = ["row_index", "file", "sheet", "line", "group_id"];
        let header = fixed
            .into_iter()
            .chain(self.field_names.iter().map(String::as_str))
            .chain(self.columns.iter().map(String::as_str));
        self.out.write_record(header).map_err(into_io)
    }
}

impl CleanWriter for CsvCleanWriter {
    fn write_row(
        &mut self,
        row: &Row,
        clean: &CleanRow,
        assignment: &Assignment,
    ) -> io::Result<()> {
        let reuse =
            matches!(&self.last_table, Some((columns, _)) if Arc::ptr_eq(columns, &row.columns));
        if !reuse {
            let positions = row
                .columns
                .iter()
                .map(|name| self.positions.get(name).copied().unwrap_or(usize::MAX))
                .collect();
            self.last_table = Some((Arc::clone(&row.columns), positions));
        }
        let positions = self
            .last_table
            .as_ref()
            .map(|(_, positions)| positions.as_slice())
            .unwrap_or(&[]);

        self.record.clear();
        self.record.extend([
            row.row_index.to_string(),
            row.file.to_string(),
            row.sheet.as_deref().unwrap_or("").to_owned(),
            row.line.to_string(),
            assignment.group_id.to_string(),
        ]);
        self.record.extend(clean.fields.iter().cloned());
        let first_column = self.record.len();
        self.record
            .resize(first_column + self.columns.len(), String::new());
        for (position, value) in positions.iter().zip(&row.values) {
            // Columns come from a header pass over the same input, so every column has a
            // position unless the input changed in between; such values are not written.
            if let Some(cell) = self.record.get_mut(first_column + *position) {
                *cell = value.to_string();
            }
        }
        self.out.write_record(&self.record).map_err(into_io)
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

fn into_io(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        other => io::Error::other(format!("{other:?}")),
    }
}
