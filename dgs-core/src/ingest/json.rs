//! JSON arrays of objects and JSONL/NDJSON files.
//!
//! A JSON document is buffered whole (up to [`IngestOptions::max_workbook_bytes`]) and read
//! in two passes. The first finds the array of objects and the union of their flattened keys,
//! in first-seen order, which become the columns; the second pushes one record per object,
//! at the line of its opening brace. Memory is the document plus one element at a time.
//!
//! Accepted shapes:
//! - an array of objects; elements that are not objects are skipped with a warning;
//! - an object wrapping arrays of objects (`{"data": [...]}`): the member array holding the
//!   most objects is read (the first one on a tie) and the others are reported;
//! - objects one per line in a `.json` file, which is read as JSONL with a warning.
//!
//! A trailing comma before `]` or `}` is accepted with a warning. A syntax error stops the
//! file with [`IngestError::Json`] after the objects before it were pushed. Flattening rules
//! are in `json_value`, JSONL rules in `json_lines`.

use super::json_columns::{quote_keys, KeyOrder};
use super::json_encoding::{decode_json, Utf16Reader};
use super::json_lines::{big_integer_warning, duplicate_key_warning, read_lines};
use super::json_scan::{ArrayEvent, ScanError, Scanner};
use super::json_value::{flatten_object, JsonValue};
use super::warning_budget::WarningBudget;
use super::{Format, IngestError, IngestOptions, TableInfo, TableSink, Warning};
use serde::de::IgnoredAny;
use std::io::{BufRead, BufReader, Read};
use std::ops::ControlFlow;

/// Reads a JSON array of objects, or an object wrapping one array of objects.
pub(crate) fn read_json(
    path: &str,
    reader: &mut dyn Read,
    options: &IngestOptions,
    sink: &mut dyn TableSink,
) -> Result<(), IngestError> {
    // NOTE: the workbook size limit also bounds JSON documents, which are buffered whole too.
    let limit = options.max_workbook_bytes;
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| IngestError::Io {
            path: path.to_owned(),
            source,
        })?;
    if bytes.len() as u64 > limit {
        return Err(IngestError::TooLarge {
            path: path.to_owned(),
            limit,
        });
    }

    let decoded = decode_json(path, &bytes)?;
    let text: &[u8] = &decoded.text;
    let json_error = |error: ScanError| IngestError::Json {
        path: path.to_owned(),
        line: error.line,
        column: error.column,
        message: error.message,
    };

    let mut scanner = Scanner::new(text);
    let plan = plan_document(&mut scanner);

    if plan.lines {
        let warning = Warning {
            line: None,
            kind: "jsonl_content".to_owned(),
            message: "the file contains one JSON object per line, read as JSONL".to_owned(),
        };
        let encoding = decoded.encoding;
        return read_lines(
            path,
            &mut &text[..],
            Format::Json,
            encoding,
            vec![warning],
            sink,
        );
    }

    let Some(chosen) = plan.chosen else {
        return Err(json_error(plan.error.unwrap_or(ScanError {
            line: 1,
            column: 1,
            message: "no array of objects found".to_owned(),
        })));
    };

    let (columns, column_warnings) = chosen.keys.column_names();
    sink.begin_table(TableInfo {
        format: Format::Json,
        encoding: Some(decoded.encoding.to_owned()),
        delimiter: None,
        sheet: None,
        columns,
    });
    let mut budget = WarningBudget::default();
    for warning in column_warnings.into_iter().chain(plan.warnings) {
        budget.push(sink, warning);
    }

    scanner.seek(chosen.offset);
    let walked = scanner.walk_array(&mut |scanner, event| {
        push_event(scanner, event, &chosen.keys, &mut budget, sink)
    });
    budget.finish_table(sink);

    match walked {
        Err(error) => Err(json_error(error)),
        Ok(ControlFlow::Break(())) => Ok(()),
        Ok(ControlFlow::Continue(())) => plan.error.map_or(Ok(()), |error| Err(json_error(error))),
    }
}

/// Reads one JSON object per line; a bad line is reported and the other lines are read.
pub(crate) fn read_jsonl(
    path: &str,
    reader: &mut dyn Read,
    options: &IngestOptions,
    sink: &mut dyn TableSink,
) -> Result<(), IngestError> {
    let _ = options;
    let mut reader = BufReader::with_capacity(64 << 10, reader);
    let start = reader.fill_buf().map_err(|source| IngestError::Io {
        path: path.to_owned(),
        source,
    })?;

    let utf16 = match start {
        [0xFF, 0xFE, ..] => Some((encoding_rs::UTF_16LE, "UTF-16LE")),
        [0xFE, 0xFF, ..] => Some((encoding_rs::UTF_16BE, "UTF-16BE")),
        _ => None,
    };
    match utf16 {
        Some((encoding, name)) => {
            let decoded = Utf16Reader::new(reader, encoding);
            let mut decoded = BufReader::with_capacity(64 << 10, decoded);
            read_lines(path, &mut decoded, Format::Jsonl, name, Vec::new(), sink)
        }
        None => read_lines(path, &mut reader, Format::Jsonl, "UTF-8", Vec::new(), sink),
    }
}

/// Second pass: turns one array event into a record or a warning.
fn push_event(
    scanner: &mut Scanner<'_>,
    event: ArrayEvent,
    keys: &KeyOrder,
    budget: &mut WarningBudget,
    sink: &mut dyn TableSink,
) -> ControlFlow<()> {
    match event {
        ArrayEvent::Element {
            offset,
            value: JsonValue::Object(members),
        } => {
            let (line, _) = scanner.line_and_column(offset);
            let (fields, big_integers) = flatten_object(members);
            if !big_integers.is_empty() {
                budget.push(sink, big_integer_warning(line, &big_integers));
            }
            let placed = keys.place(fields);
            if !placed.duplicate_keys.is_empty() {
                budget.push(sink, duplicate_key_warning(line, &placed.duplicate_keys));
            }
            sink.record(line, placed.values)
        }
        ArrayEvent::Element { offset, value } => {
            let (line, column) = scanner.line_and_column(offset);
            budget.push(
                sink,
                Warning {
                    line: Some(line),
                    kind: "not_an_object".to_owned(),
                    message: format!(
                        "array element at column {column} is {}, not an object; skipped",
                        value.kind_name()
                    ),
                },
            );
            ControlFlow::Continue(())
        }
        ArrayEvent::TrailingComma { offset } => {
            let (line, column) = scanner.line_and_column(offset);
            budget.push(sink, trailing_comma_warning(line, column, ']'));
            ControlFlow::Continue(())
        }
    }
}

fn trailing_comma_warning(line: u64, column: u64, closing: char) -> Warning {
    Warning {
        line: Some(line),
        kind: "trailing_comma".to_owned(),
        message: format!("trailing comma at column {column} before '{closing}' ignored"),
    }
}

/// An array found by the first pass.
struct ArrayPlan {
    /// Member name when the array is wrapped in an object.
    member: Option<String>,
    /// Offset of the array's `[`.
    offset: usize,
    keys: KeyOrder,
    objects: u64,
    elements: u64,
}

/// Result of the first pass.
#[derive(Default)]
struct Plan {
    chosen: Option<ArrayPlan>,
    warnings: Vec<Warning>,
    /// First syntax error; the second pass meets it again when it lies in the chosen array.
    error: Option<ScanError>,
    /// The document is objects one per line.
    lines: bool,
}

/// First pass over the document.
fn plan_document(scanner: &mut Scanner<'_>) -> Plan {
    let mut plan = Plan::default();
    scanner.skip_whitespace();

    let outcome = match scanner.peek() {
        Some(b'[') => {
            let (array, walked) = scan_array(scanner, None);
            if walked.is_ok() && array.objects == 0 && array.elements > 0 {
                plan.error =
                    Some(scanner.error_at(array.offset, "the array holds no objects".to_owned()));
                return plan;
            }
            plan.chosen = Some(array);
            walked
        }
        Some(b'{') => scan_wrapper(scanner, &mut plan),
        _ => Err(scanner.unexpected("an array of objects, or an object wrapping one")),
    };
    if let Err(error) = outcome {
        plan.error = Some(error);
        return plan;
    }

    scanner.skip_whitespace();
    let top_level_object = plan
        .chosen
        .as_ref()
        .is_none_or(|array| array.member.is_some());
    match scanner.peek() {
        None => {}
        Some(b'{') if top_level_object => plan.lines = true,
        Some(_) => {
            plan.error = Some(scanner.unexpected("the end of the file after the JSON document"))
        }
    }

    if plan.chosen.is_none() && !plan.lines && plan.error.is_none() {
        let message = "the object has no member holding an array of objects".to_owned();
        plan.error = Some(scanner.error_at(0, message));
    }
    plan
}

/// Scans an array, collecting the keys of its objects. The keys of the objects before a
/// syntax error are kept, so the second pass can push those objects.
fn scan_array(
    scanner: &mut Scanner<'_>,
    member: Option<String>,
) -> (ArrayPlan, Result<(), ScanError>) {
    let mut array = ArrayPlan {
        member,
        offset: scanner.offset(),
        keys: KeyOrder::default(),
        objects: 0,
        elements: 0,
    };

    let walked = scanner.walk_array(&mut |_, event| {
        if let ArrayEvent::Element { value, .. } = event {
            array.elements += 1;
            if let JsonValue::Object(members) = value {
                let (fields, _) = flatten_object(members);
                array
                    .keys
                    .add_keys(fields.iter().map(|(key, _)| key.as_str()));
                array.objects += 1;
            }
        }
        ControlFlow::Continue(())
    });

    (array, walked.map(|_| ()))
}

/// Scans a top-level object for member arrays and chooses the one with the most objects.
// NOTE: only members of the top-level object are searched, so `{"d": {"results": [...]}}`
// is rejected.
fn scan_wrapper(scanner: &mut Scanner<'_>, plan: &mut Plan) -> Result<(), ScanError> {
    let mut candidates = Vec::new();
    let scanned = scan_members(scanner, &mut candidates, &mut plan.warnings);

    let mut best: Option<ArrayPlan> = None;
    for candidate in candidates.into_iter().filter(|array| array.objects > 0) {
        match &best {
            Some(current) if current.objects >= candidate.objects => plan
                .warnings
                .push(ignored_array_warning(&candidate, current)),
            Some(_) => {
                let replaced = best.replace(candidate);
                if let (Some(old), Some(new)) = (replaced, &best) {
                    plan.warnings.push(ignored_array_warning(&old, new));
                }
            }
            None => best = Some(candidate),
        }
    }
    plan.chosen = best;

    scanned
}

fn scan_members(
    scanner: &mut Scanner<'_>,
    candidates: &mut Vec<ArrayPlan>,
    warnings: &mut Vec<Warning>,
) -> Result<(), ScanError> {
    scanner.expect(b'{', "'{'")?;
    scanner.skip_whitespace();
    if scanner.peek() == Some(b'}') {
        scanner.expect(b'}', "'}'")?;
        return Ok(());
    }

    loop {
        scanner.skip_whitespace();
        if scanner.peek() != Some(b'"') {
            return Err(scanner.unexpected("a member name in double quotes"));
        }
        let member: String = scanner.parse_value()?;
        scanner.skip_whitespace();
        scanner.expect(b':', "':' after a member name")?;
        scanner.skip_whitespace();

        if scanner.peek() == Some(b'[') {
            let (array, walked) = scan_array(scanner, Some(member));
            candidates.push(array);
            walked?;
        } else {
            scanner.parse_value::<IgnoredAny>()?;
        }

        scanner.skip_whitespace();
        match scanner.peek() {
            Some(b',') => {
                let comma = scanner.offset();
                scanner.expect(b',', "','")?;
                scanner.skip_whitespace();
                if scanner.peek() == Some(b'}') {
                    let (line, column) = scanner.line_and_column(comma);
                    warnings.push(trailing_comma_warning(line, column, '}'));
                    scanner.expect(b'}', "'}'")?;
                    return Ok(());
                }
            }
            Some(b'}') => {
                scanner.expect(b'}', "'}'")?;
                return Ok(());
            }
            _ => return Err(scanner.unexpected("',' or '}' after an object member")),
        }
    }
}

fn ignored_array_warning(ignored: &ArrayPlan, chosen: &ArrayPlan) -> Warning {
    let name = |array: &ArrayPlan| {
        quote_keys(std::slice::from_ref(
            array.member.as_ref().unwrap_or(&String::new()),
        ))
    };
    Warning {
        line: None,
        kind: "ignored_array".to_owned(),
        message: format!(
            "member {} ({} objects) not read: only the member array with the most objects, {} ({} objects), is read",
            name(ignored),
            ignored.objects,
            name(chosen),
            chosen.objects
        ),
    }
}
