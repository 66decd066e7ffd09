//! Delimited text (`.csv`, `.txt`, `.tsv`): encoding, dialect and header repair.
//!
//! Rules, in the order they apply:
//!
//! - The encoding is detected by [`super::decode`] and the text decoded while streaming.
//! - When the first 64 KiB of text contain a `\r` and no `\n` (classic Mac OS line ends),
//!   every `\r` is read as `\n`.
//! - An Excel `sep=X` first line sets the delimiter and is not part of the data.
//! - Otherwise the delimiter is sniffed among `,` `;` tab `|` on the first 50 records of the
//!   first 64 KiB, parsed with quotes. The winner splits the most records into one common
//!   field count above one, and then gives the most fields. A candidate that does not split
//!   the first record scores nothing. Ties go to tab for `.tsv` and UTF-16 files (Excel
//!   "Unicode text"), else to the order above. When no candidate scores, the file has one
//!   column and the first candidate absent from the sample is used.
//! - Leading records whose fields are all blank are skipped; the next record is the header.
//! - Header names are cleaned and made unique by [`super::column_names`]: an empty name
//!   becomes `column_N` (N = 1-based position) and a repeated name gets a suffix `_2`,
//!   `_3`... (`Name`, `Name_2`); each renaming is reported.
//! - A record with fewer fields than the header is padded with nulls and reported. Fields
//!   beyond the header are not added as columns, because columns are fixed when the table
//!   starts: they are reported with their line and values (`extra_fields`).
//! - Every value is text, and an empty field is null. Numbers are not guessed, because codes
//!   such as `00123` or account numbers must keep their leading zeros and exact digits.
//! - Reported lines are 1-based physical lines of the file where the record starts, so a
//!   quoted field spanning lines does not shift the lines of later records.

use super::column_names::unique_column_names;
use super::decode::{DecodingReader, TextEncoding};
use super::line_ends::{cr_to_lf, has_cr_only_line_ends, LineEnds};
use super::{Format, IngestError, IngestOptions, TableInfo, TableSink, Warning};
use crate::Value;
use std::io::{self, Cursor, Read};

/// Delimiters tried by the sniffer, in tie-break order.
const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Records inspected by the sniffer.
const SNIFF_RECORDS: usize = 50;

/// Maximum characters of extra-field text quoted in one warning.
const MAX_QUOTED_CHARS: usize = 200;

/// Reads one delimited text file into `sink` as one table.
pub(crate) fn read_delimited(
    path: &str,
    reader: &mut dyn Read,
    prefer_tab: bool,
    _options: &IngestOptions,
    sink: &mut dyn TableSink,
) -> Result<(), IngestError> {
    let csv_error = |line: u64, message: String| IngestError::Csv {
        path: path.to_owned(),
        line,
        message,
    };

    let mut decoder =
        DecodingReader::new(reader).map_err(|error| csv_error(1, read_failed(&error)))?;
    let encoding = decoder.encoding();
    let mut sample = Vec::with_capacity(super::decode::SAMPLE_BYTES);
    (&mut decoder)
        .take(super::decode::SAMPLE_BYTES as u64)
        .read_to_end(&mut sample)
        .map_err(|error| csv_error(1, read_failed(&error)))?;

    let cr_only = has_cr_only_line_ends(&sample);
    if cr_only {
        cr_to_lf(&mut sample);
    }

    let (sep_line, skipped_bytes) = excel_separator(&sample);
    let body = &sample[skipped_bytes..];
    let prefer_tab =
        prefer_tab || matches!(encoding, TextEncoding::Utf16Le | TextEncoding::Utf16Be);
    let delimiter = sep_line.unwrap_or_else(|| sniff_delimiter(body, prefer_tab));
    let line_offset = u64::from(skipped_bytes > 0);

    let mut sample_cursor = Cursor::new(sample);
    sample_cursor.set_position(skipped_bytes as u64);
    let source = LineEnds::new(sample_cursor.chain(decoder), cr_only);
    // NOTE: memory is bounded per record, not per file. The csv crate grows its buffer to
    // hold the longest record, so one huge unterminated quoted field is held whole.
    let mut csv_reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .terminator(csv::Terminator::Any(b'\n'))
        .has_headers(false)
        .flexible(true)
        .from_reader(source);

    let mut record = csv::StringRecord::new();
    let mut last_line = 1 + line_offset;
    let header_line = loop {
        let more = csv_reader.read_record(&mut record).map_err(|error| {
            csv_error(
                error_line(&error, last_line, line_offset),
                error.to_string(),
            )
        })?;
        if !more {
            return empty_table(sink, encoding, delimiter);
        }
        last_line = record_line(&record, &csv_reader, line_offset);
        if fields(&record).any(|field| !field.trim().is_empty()) {
            break last_line;
        }
    };

    let (columns, header_warnings) = make_columns(&record, header_line);
    let column_count = columns.len();
    sink.begin_table(TableInfo {
        format: Format::Csv,
        encoding: Some(encoding.name().to_owned()),
        delimiter: Some(char::from(delimiter)),
        sheet: None,
        columns,
    });
    for warning in header_warnings {
        sink.warning(warning);
    }

    loop {
        match csv_reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => {
                let line = error_line(&error, last_line, line_offset);
                return Err(csv_error(line, error.to_string()));
            }
        }
        let line = record_line(&record, &csv_reader, line_offset);
        last_line = line;
        if is_blank_line(&record) {
            continue;
        }

        let values = record_values(&record, column_count, line, sink);
        if sink.record(line, values).is_break() {
            return Ok(());
        }
    }

    // NOTE: the decoder counts `\n` to place the first invalid byte, so in a file with
    // CR-only line ends it reports line 1.
    let (invalid, first_line) = csv_reader.get_ref().get_ref().get_ref().1.invalid_bytes();
    if invalid > 0 {
        let action = match encoding {
            TextEncoding::Utf8 => "decoded as windows-1252",
            _ => "replaced with U+FFFD",
        };
        sink.warning(Warning {
            line: first_line,
            kind: "invalid_encoding".to_owned(),
            message: format!(
                "{invalid} bytes are not valid {}, the first at line {}; {action}",
                encoding.name(),
                first_line.unwrap_or(0)
            ),
        });
    }
    Ok(())
}

fn read_failed(error: &io::Error) -> String {
    format!("read failed: {error}")
}

/// Starts a table with no columns for a file without any non-blank record.
fn empty_table(
    sink: &mut dyn TableSink,
    encoding: TextEncoding,
    delimiter: u8,
) -> Result<(), IngestError> {
    sink.begin_table(TableInfo {
        format: Format::Csv,
        encoding: Some(encoding.name().to_owned()),
        delimiter: Some(char::from(delimiter)),
        sheet: None,
        columns: Vec::new(),
    });
    sink.warning(Warning {
        line: None,
        kind: "empty_file".to_owned(),
        message: "the file has no header and no records".to_owned(),
    });
    Ok(())
}

/// Iterates over the fields of a record without the `\r` of a CRLF line end.
///
/// Records end at `\n` only, because with CRLF terminators the csv crate starts the next
/// record before the `\n` and reports it one line too early. Files with lone `\r` line ends
/// (classic Mac OS) are turned into `\n` line ends by [`LineEnds`] before parsing.
fn fields(record: &csv::StringRecord) -> impl Iterator<Item = &str> {
    let last = record.len().saturating_sub(1);
    record.iter().enumerate().map(move |(index, field)| {
        if index == last {
            field.strip_suffix('\r').unwrap_or(field)
        } else {
            field
        }
    })
}

/// Returns true for an empty line, which the csv crate returns as one field when the line
/// is `\r\n`.
fn is_blank_line(record: &csv::StringRecord) -> bool {
    record.len() == 1 && matches!(record.get(0), Some("" | "\r"))
}

/// Returns the 1-based physical line where `record`, just read, starts.
///
/// The csv crate's record position is where the previous record ended, before any empty
/// lines it skipped. So the start is counted back from the position after the record. It
/// subtracts the line breaks inside the fields and the record's own line end, which only the
/// last record of a file without a final line end lacks.
fn record_line<R: Read>(
    record: &csv::StringRecord,
    reader: &csv::Reader<LineEnds<R>>,
    line_offset: u64,
) -> u64 {
    let after = reader.position();
    // The record's fields, concatenated without delimiters.
    let inner_breaks = memchr::memchr_iter(b'\n', record.as_slice().as_bytes()).count();
    let own_line_end = !reader.get_ref().ends_without_line_end_at(after.byte());

    let start = after
        .line()
        .saturating_sub(inner_breaks as u64)
        .saturating_sub(u64::from(own_line_end))
        .max(1);
    start + line_offset
}

fn error_line(error: &csv::Error, last_line: u64, line_offset: u64) -> u64 {
    error
        .position()
        .map_or(last_line, |position| position.line() + line_offset)
}

/// Converts one record to values: empty fields are null, missing fields are padded with
/// null, and fields beyond the header are reported.
fn record_values(
    record: &csv::StringRecord,
    column_count: usize,
    line: u64,
    sink: &mut dyn TableSink,
) -> Vec<Value> {
    let mut values: Vec<Value> = fields(record)
        .take(column_count)
        .map(|field| {
            if field.is_empty() {
                Value::Null
            } else {
                Value::Text(field.to_owned())
            }
        })
        .collect();

    if record.len() < column_count {
        sink.warning(Warning {
            line: Some(line),
            kind: "ragged_row".to_owned(),
            message: format!(
                "line {line} has {} fields and the header has {column_count}; \
                 the missing fields are null",
                record.len()
            ),
        });
        values.resize(column_count, Value::Null);
    } else if record.len() > column_count {
        let extra: Vec<&str> = fields(record).skip(column_count).collect();
        let mut quoted = format!("{extra:?}");
        if quoted.chars().count() > MAX_QUOTED_CHARS {
            quoted = quoted.chars().take(MAX_QUOTED_CHARS).collect::<String>() + "...";
        }
        sink.warning(Warning {
            line: Some(line),
            kind: "extra_fields".to_owned(),
            message: format!(
                "line {line} has {} fields and the header has {column_count}; \
                 fields beyond the header are not read: {quoted}",
                record.len()
            ),
        });
    }
    values
}

/// Returns the delimiter of an Excel `sep=X` first line and the bytes to skip past it.
fn excel_separator(sample: &[u8]) -> (Option<u8>, usize) {
    let line_end = memchr::memchr(b'\n', sample).unwrap_or(sample.len());
    let line = String::from_utf8_lossy(&sample[..line_end]);
    let line = line.trim_start_matches('\u{FEFF}').trim_end_matches('\r');
    let line = line.trim_matches('"');

    let Some(rest) = line
        .get(..4)
        .filter(|start| start.eq_ignore_ascii_case("sep="))
    else {
        return (None, 0);
    };
    let separator = &line[rest.len()..];
    let mut chars = separator.chars();
    match (chars.next(), chars.next()) {
        (Some(delimiter), None) if delimiter.is_ascii() && delimiter != '"' => {
            let skip = if line_end < sample.len() {
                line_end + 1
            } else {
                line_end
            };
            (Some(delimiter as u8), skip)
        }
        _ => (None, 0),
    }
}

/// Picks the delimiter by the rule in the module docs.
fn sniff_delimiter(sample: &[u8], prefer_tab: bool) -> u8 {
    // Only complete lines are parsed, so a record cut by the sample end does not count.
    let complete = match memchr::memrchr(b'\n', sample) {
        Some(end) => &sample[..=end],
        None => sample,
    };

    let mut candidates = CANDIDATES.to_vec();
    if prefer_tab {
        candidates.retain(|&candidate| candidate != b'\t');
        candidates.insert(0, b'\t');
    }

    let mut best = (candidates[0], 0usize, 0usize);
    for &candidate in &candidates {
        let (agreeing, fields) = score(complete, candidate);
        if (agreeing, fields) > (best.1, best.2) {
            best = (candidate, agreeing, fields);
        }
    }
    if best.1 > 0 {
        return best.0;
    }

    // A single-column file: pick a delimiter that never occurs, so values such as
    // "Pago, factura" are not split.
    candidates
        .iter()
        .copied()
        .find(|&candidate| memchr::memchr(candidate, sample).is_none())
        .unwrap_or(candidates[0])
}

/// Returns how many records share the most common field count above one, and that count.
fn score(sample: &[u8], delimiter: u8) -> (usize, usize) {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .terminator(csv::Terminator::Any(b'\n'))
        .has_headers(false)
        .flexible(true)
        .from_reader(sample);

    let mut counts: Vec<usize> = Vec::new();
    let mut record = csv::ByteRecord::new();
    while counts.len() < SNIFF_RECORDS {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {
                if record.iter().any(|field| !field.is_empty()) {
                    counts.push(record.len());
                }
            }
            Ok(false) | Err(_) => break,
        }
    }

    // The header must be split too, or the candidate only occurs inside values.
    if counts.first().is_none_or(|&header| header < 2) {
        return (0, 0);
    }

    let mut best = (0, 0);
    for &count in counts.iter().filter(|&&count| count > 1) {
        let agreeing = counts.iter().filter(|&&other| other == count).count();
        if (agreeing, count) > best {
            best = (agreeing, count);
        }
    }
    best
}

/// Cleans header names and makes them unique with the rule shared by every format.
fn make_columns(header: &csv::StringRecord, line: u64) -> (Vec<String>, Vec<Warning>) {
    let raw: Vec<String> = fields(header).map(str::to_owned).collect();
    unique_column_names(&raw, Some(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_prefers_consistent_semicolon() {
        let sample = b"a;b;c\n1,5;2;x\n3,5;4;y\n";
        assert_eq!(sniff_delimiter(sample, false), b';');
    }

    #[test]
    fn sniff_respects_quotes() {
        let sample = b"name,desc\n\"a;b;c\",x\n\"d;e;f\",y\n";
        assert_eq!(sniff_delimiter(sample, false), b',');
    }

    #[test]
    fn sniff_single_column_keeps_commas() {
        let sample = "Descripción\nPago, factura\nOtro, más\n".as_bytes();
        assert_eq!(sniff_delimiter(sample, false), b';');
    }

    #[test]
    fn sniff_detects_tab_and_pipe() {
        assert_eq!(sniff_delimiter(b"a\tb\n1\t2\n", false), b'\t');
        assert_eq!(sniff_delimiter(b"a|b|c\n1|2|3\n", false), b'|');
    }

    #[test]
    fn excel_sep_line_is_read() {
        assert_eq!(excel_separator(b"sep=;\r\na;b\n"), (Some(b';'), 7));
        assert_eq!(excel_separator(b"\"sep=|\"\na|b\n"), (Some(b'|'), 8));
        assert_eq!(excel_separator(b"separator;b\n"), (None, 0));
    }

    #[test]
    fn header_names_made_unique() {
        let header =
            csv::StringRecord::from(vec!["\u{FEFF}Name", "", "Name", " \u{A0}\"Code\" ", "Name"]);
        let (columns, warnings) = make_columns(&header, 1);
        assert_eq!(columns, ["Name", "column_2", "Name_2", "Code", "Name_3"]);
        assert_eq!(warnings.len(), 3);
    }
}
