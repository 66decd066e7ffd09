//! JSONL/NDJSON: one JSON object per line, streamed with bounded memory.
//!
//! A table's columns are fixed when it starts, and lines cannot be read twice, so the reader
//! buffers the first [`DISCOVERY_RECORDS`] records (or [`DISCOVERY_BYTES`] of them) and takes
//! the union of their flattened keys, in first-seen order, as the columns. A later line with
//! a key outside those columns is read without that key and gets an `unknown_key` warning
//! naming the key and the line.
//!
//! Blank lines, CRLF line ends and a UTF-8 byte order mark are accepted. A line that is not
//! valid JSON, or not an object, gets a warning with its line number and text, and the
//! other lines are still read. When no line contains an object, the file is an error.

use super::json_columns::{quote_keys, KeyOrder};
use super::json_value::{flatten_object, FlatField, JsonValue};
use super::warning_budget::WarningBudget;
use super::{Format, IngestError, TableInfo, TableSink, Warning};
use std::io::BufRead;
use std::ops::ControlFlow;

/// Records buffered to find the columns before the table starts.
pub(crate) const DISCOVERY_RECORDS: usize = 1_000;

/// Bytes of buffered lines after which the columns are fixed even with fewer records.
pub(crate) const DISCOVERY_BYTES: usize = 16 << 20;

/// Maximum length of a line in bytes. A longer line is cut, so it fails to parse and is
/// reported as invalid JSON.
pub(crate) const MAX_LINE_BYTES: usize = 16 << 20;

/// Characters of a bad line quoted in its warning.
const QUOTED_CHARS: usize = 100;

/// A line read before the columns were known.
enum Pending {
    Record { line: u64, fields: Vec<FlatField> },
    Warning(Warning),
}

/// The first bad line, kept to fail the file when no line is good.
struct FirstBadLine {
    line: u64,
    column: u64,
    message: String,
}

/// Reads UTF-8 JSON lines from `reader` into one table. `encoding` names the encoding the
/// file was stored in, and `warnings` are pushed right after the table starts.
pub(crate) fn read_lines(
    path: &str,
    reader: &mut dyn BufRead,
    format: Format,
    encoding: &str,
    warnings: Vec<Warning>,
    sink: &mut dyn TableSink,
) -> Result<(), IngestError> {
    let mut lines = LineReader {
        path,
        reader,
        buffer: Vec::new(),
        line: 0,
    };
    let mut state = LinesState::default();
    let mut pending: Vec<Pending> = warnings.into_iter().map(Pending::Warning).collect();
    let mut keys = KeyOrder::default();
    let mut buffered_bytes = 0;
    let mut records = 0;

    while records < DISCOVERY_RECORDS && buffered_bytes < DISCOVERY_BYTES {
        let Some(line) = lines.next()? else {
            break;
        };
        buffered_bytes += lines.buffer.len();

        match state.parse(&lines.buffer, line) {
            Parsed::Blank => {}
            Parsed::Record(fields, extra) => {
                keys.add_keys(fields.iter().map(|(key, _)| key.as_str()));
                pending.extend(extra.into_iter().map(Pending::Warning));
                pending.push(Pending::Record { line, fields });
                records += 1;
            }
            Parsed::Bad(warning) => pending.push(Pending::Warning(warning)),
        }
    }

    let (columns, column_warnings) = keys.column_names();
    sink.begin_table(TableInfo {
        format,
        encoding: Some(encoding.to_owned()),
        delimiter: None,
        sheet: None,
        columns,
    });
    let mut budget = WarningBudget::default();
    for warning in column_warnings {
        budget.push(sink, warning);
    }

    let result = stream(&mut lines, &mut state, &keys, pending, &mut budget, sink);
    budget.finish_table(sink);
    result?;

    match state.first_bad {
        Some(bad) if state.records == 0 => Err(IngestError::Json {
            path: path.to_owned(),
            line: bad.line,
            column: bad.column,
            message: format!(
                "no line contains a JSON object; first bad line: {}",
                bad.message
            ),
        }),
        _ => Ok(()),
    }
}

/// Pushes the buffered lines, then reads and pushes the rest.
fn stream(
    lines: &mut LineReader<'_>,
    state: &mut LinesState,
    keys: &KeyOrder,
    pending: Vec<Pending>,
    budget: &mut WarningBudget,
    sink: &mut dyn TableSink,
) -> Result<(), IngestError> {
    for item in pending {
        match item {
            Pending::Warning(warning) => budget.push(sink, warning),
            Pending::Record { line, fields } => {
                if push_record(keys, line, fields, budget, sink).is_break() {
                    return Ok(());
                }
            }
        }
    }

    while let Some(line) = lines.next()? {
        match state.parse(&lines.buffer, line) {
            Parsed::Blank => {}
            Parsed::Record(fields, extra) => {
                for warning in extra {
                    budget.push(sink, warning);
                }
                if push_record(keys, line, fields, budget, sink).is_break() {
                    return Ok(());
                }
            }
            Parsed::Bad(warning) => budget.push(sink, warning),
        }
    }

    Ok(())
}

fn push_record(
    keys: &KeyOrder,
    line: u64,
    fields: Vec<FlatField>,
    budget: &mut WarningBudget,
    sink: &mut dyn TableSink,
) -> ControlFlow<()> {
    let placed = keys.place(fields);

    if !placed.duplicate_keys.is_empty() {
        budget.push(sink, duplicate_key_warning(line, &placed.duplicate_keys));
    }
    if !placed.unknown_keys.is_empty() {
        budget.push(
            sink,
            Warning {
                line: Some(line),
                kind: "unknown_key".to_owned(),
                message: format!(
                    "keys {} are not columns (columns come from the keys of the first {} \
                     records), their values on this line were not read",
                    quote_keys(&placed.unknown_keys),
                    DISCOVERY_RECORDS
                ),
            },
        );
    }

    sink.record(line, placed.values)
}

/// Builds the warning for an object that repeats keys after flattening (the last value is kept).
pub(crate) fn duplicate_key_warning(line: u64, keys: &[String]) -> Warning {
    Warning {
        line: Some(line),
        kind: "duplicate_key".to_owned(),
        message: format!(
            "object repeats keys {}, the last value is kept",
            quote_keys(keys)
        ),
    }
}

/// Builds the warning for integers that did not fit `i64` and were kept as text.
pub(crate) fn big_integer_warning(line: u64, keys: &[String]) -> Warning {
    Warning {
        line: Some(line),
        kind: "integer_too_large".to_owned(),
        message: format!(
            "integers under keys {} exceed 64 bits, kept as text",
            quote_keys(keys)
        ),
    }
}

/// The content of one line.
enum Parsed {
    Blank,
    /// Fields and warnings about them.
    Record(Vec<FlatField>, Vec<Warning>),
    Bad(Warning),
}

#[derive(Default)]
struct LinesState {
    records: u64,
    first_bad: Option<FirstBadLine>,
}

impl LinesState {
    fn parse(&mut self, bytes: &[u8], line: u64) -> Parsed {
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        let bytes = if line == 1 {
            bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
        } else {
            bytes
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Parsed::Blank;
        }

        let (kind, column, message) = match serde_json::from_slice::<JsonValue>(bytes) {
            Ok(JsonValue::Object(members)) => {
                self.records += 1;
                let (fields, big_integers) = flatten_object(members);
                let mut warnings = Vec::new();
                if !big_integers.is_empty() {
                    warnings.push(big_integer_warning(line, &big_integers));
                }
                return Parsed::Record(fields, warnings);
            }
            Ok(other) => (
                "not_an_object",
                1,
                format!("line contains {}, not an object", other.kind_name()),
            ),
            Err(error) => {
                let text = error.to_string();
                let message = text
                    .rfind(" at line ")
                    .map_or(text.clone(), |cut| text[..cut].to_owned());
                (
                    "invalid_json",
                    error.column() as u64,
                    format!("invalid JSON at column {}: {message}", error.column()),
                )
            }
        };

        self.first_bad.get_or_insert(FirstBadLine {
            line,
            column,
            message: message.clone(),
        });
        Parsed::Bad(Warning {
            line: Some(line),
            kind: kind.to_owned(),
            message: format!("{message}; line skipped: {}", quote_line(bytes)),
        })
    }
}

/// Quotes the start of a line for a warning.
fn quote_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(QUOTED_CHARS * 4)]);
    match text.char_indices().nth(QUOTED_CHARS) {
        Some((cut, _)) => format!("{:?}...", &text[..cut]),
        None => format!("{text:?}"),
    }
}

/// Reads physical lines, capped at [`MAX_LINE_BYTES`].
struct LineReader<'a> {
    path: &'a str,
    reader: &'a mut dyn BufRead,
    buffer: Vec<u8>,
    line: u64,
}

impl LineReader<'_> {
    /// Reads the next line into `buffer` (without its `\n`) and returns its 1-based number.
    /// A line longer than the cap is cut; the JSON parser then reports it as invalid.
    fn next(&mut self) -> Result<Option<u64>, IngestError> {
        self.buffer.clear();
        let mut any = false;

        loop {
            let available = self.reader.fill_buf().map_err(|source| IngestError::Io {
                path: self.path.to_owned(),
                source,
            })?;
            if available.is_empty() {
                break;
            }
            any = true;

            let (take, consumed, ended) = match memchr::memchr(b'\n', available) {
                Some(newline) => (newline, newline + 1, true),
                None => (available.len(), available.len(), false),
            };
            let room = MAX_LINE_BYTES.saturating_sub(self.buffer.len());
            self.buffer.extend_from_slice(&available[..take.min(room)]);
            self.reader.consume(consumed);
            if ended {
                break;
            }
        }

        if !any {
            return Ok(None);
        }
        self.line += 1;
        Ok(Some(self.line))
    }
}
