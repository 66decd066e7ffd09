//! Tests of the JSON and JSONL readers.

use super::collect::CollectingSink;
use super::json::{read_json, read_jsonl};
use super::json_lines::DISCOVERY_RECORDS;
use super::{IngestError, IngestOptions};
use crate::Value;

fn json(text: &[u8]) -> (CollectingSink, Result<(), IngestError>) {
    let mut sink = CollectingSink::default();
    let result = read_json(
        "in/data.json",
        &mut &text[..],
        &IngestOptions::default(),
        &mut sink,
    );
    (sink, result)
}

fn jsonl(text: &[u8]) -> (CollectingSink, Result<(), IngestError>) {
    let mut sink = CollectingSink::default();
    let result = read_jsonl(
        "in/data.jsonl",
        &mut &text[..],
        &IngestOptions::default(),
        &mut sink,
    );
    (sink, result)
}

fn text(value: &str) -> Value {
    Value::Text(value.to_owned())
}

fn lines(sink: &CollectingSink) -> Vec<u64> {
    sink.single()
        .records
        .iter()
        .map(|(line, _)| *line)
        .collect()
}

fn json_error(result: Result<(), IngestError>) -> (u64, u64, String) {
    match result {
        Err(IngestError::Json {
            path,
            line,
            column,
            message,
        }) => {
            assert!(path.starts_with("in/data.json"), "{path}");
            (line, column, message)
        }
        other => panic!("expected a JSON error, got {other:?}"),
    }
}

const LEDGER: &str = r#"[
  {"fecha": "2024-03-31", "proveedor": {"nombre": "Acme", "pais": "CO"}, "total": 1500, "tags": ["a", "b"]},
  {"fecha": "2024-04-01", "total": 12.5, "pagado": true, "nota": null}
]"#;

#[test]
fn array_columns_in_first_seen_order() {
    let (sink, result) = json(LEDGER.as_bytes());
    result.unwrap();
    let table = sink.single();

    assert_eq!(
        table.info.columns,
        [
            "fecha",
            "proveedor.nombre",
            "proveedor.pais",
            "total",
            "tags",
            "pagado",
            "nota"
        ]
    );
    assert_eq!(table.info.encoding.as_deref(), Some("UTF-8"));
    assert_eq!(lines(&sink), [2, 3]);
}

#[test]
fn array_values_typed_and_flattened() {
    let (sink, _) = json(LEDGER.as_bytes());
    let table = sink.single();

    assert_eq!(
        table.column("fecha"),
        [text("2024-03-31"), text("2024-04-01")]
    );
    assert_eq!(
        table.column("proveedor.nombre"),
        [text("Acme"), Value::Null]
    );
    assert_eq!(
        table.column("total"),
        [Value::Int(1500), Value::Float(12.5)]
    );
    assert_eq!(table.column("tags"), [text(r#"["a","b"]"#), Value::Null]);
    assert_eq!(table.column("pagado"), [Value::Null, Value::Bool(true)]);
    assert_eq!(table.column("nota"), [Value::Null, Value::Null]);
}

#[test]
fn trailing_comma_tolerated() {
    let (sink, result) = json(b"[\n{\"a\": 1},\n{\"a\": 2},\n]");
    result.unwrap();

    assert_eq!(lines(&sink), [2, 3]);
    let warnings = sink.single().warnings_of("trailing_comma");
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].line, Some(3));
}

#[test]
fn wrapper_object_picks_largest_array() {
    let document = br#"{
  "meta": {"count": 2, "items": [1, 2, 3]},
  "errors": [{"code": 7}],
  "data": [
    {"id": 1},
    {"id": 2}
  ],
}"#;
    let (sink, result) = json(document);
    result.unwrap();
    let table = sink.single();

    assert_eq!(table.info.columns, ["id"]);
    assert_eq!(table.column("id"), [Value::Int(1), Value::Int(2)]);
    assert_eq!(lines(&sink), [5, 6]);

    let ignored = table.warnings_of("ignored_array");
    assert_eq!(ignored.len(), 1);
    assert!(
        ignored[0].message.contains("\"errors\""),
        "{}",
        ignored[0].message
    );
    assert_eq!(table.warnings_of("trailing_comma").len(), 1);
}

#[test]
fn wrapper_without_array_is_error() {
    let (_, result) = json(br#"{"id": 1, "nombre": "Acme"}"#);
    let (_, _, message) = json_error(result);
    assert!(
        message.contains("no member holding an array of objects"),
        "{message}"
    );
}

#[test]
fn truncated_array_keeps_rows_before() {
    let (sink, result) = json(b"[\n{\"a\": 1},\n{\"a\": 2},\n{\"a\": ");
    let (line, column, _) = json_error(result);

    assert_eq!(line, 4);
    assert!(column >= 6, "column {column}");
    assert_eq!(lines(&sink), [2, 3]);
}

#[test]
fn garbage_is_error_with_position() {
    let (sink, result) = json(b"\n\n  hello");
    let (line, column, message) = json_error(result);

    assert_eq!((line, column), (3, 3));
    assert!(message.contains("'h'"), "{message}");
    assert!(sink.tables.is_empty());
}

#[test]
fn garbage_after_array_is_error() {
    let (sink, result) = json(b"[{\"a\": 1}] trailing");
    let (line, column, _) = json_error(result);

    assert_eq!((line, column), (1, 12));
    assert_eq!(sink.single().records.len(), 1);
}

#[test]
fn non_objects_skipped_with_warning() {
    let (sink, result) = json(b"[{\"a\": 1}, 5, \"x\", {\"a\": 2}]");
    result.unwrap();
    let table = sink.single();

    assert_eq!(table.column("a"), [Value::Int(1), Value::Int(2)]);
    assert_eq!(table.warnings_of("not_an_object").len(), 2);
}

#[test]
fn array_without_objects_is_error() {
    let (_, result) = json(b"[1, 2, 3]");
    let (_, _, message) = json_error(result);
    assert!(message.contains("no objects"), "{message}");
}

#[test]
fn empty_array_yields_empty_table() {
    let (sink, result) = json(b"[]");
    result.unwrap();
    assert!(sink.single().info.columns.is_empty());
    assert!(sink.single().records.is_empty());
}

#[test]
fn utf16_document_decoded() {
    let bytes: Vec<u8> = "\u{feff}[{\"razón\": \"Compañía\"}]"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let (sink, result) = json(&bytes);
    result.unwrap();

    assert_eq!(sink.single().info.encoding.as_deref(), Some("UTF-16LE"));
    assert_eq!(sink.single().column("razón"), [text("Compañía")]);
}

#[test]
fn utf8_bom_tolerated() {
    let (sink, result) = json(b"\xEF\xBB\xBF[{\"a\": 1}]");
    result.unwrap();
    assert_eq!(sink.single().info.columns, ["a"]);
}

#[test]
fn windows_1252_rejected() {
    let (_, result) = json(b"[{\"a\": \"Compa\xF1ia\"}]");
    let (line, _, message) = json_error(result);
    assert_eq!(line, 1);
    assert!(message.contains("UTF-8"), "{message}");
}

#[test]
fn objects_per_line_read_as_jsonl() {
    let (sink, result) = json(b"{\"a\": 1}\n{\"a\": 2}\n");
    result.unwrap();

    assert_eq!(lines(&sink), [1, 2]);
    assert_eq!(sink.single().warnings_of("jsonl_content").len(), 1);
}

#[test]
fn flattened_key_collision_reported() {
    let (sink, result) = json(br#"[{"a.b": 1, "a": {"b": 2}}]"#);
    result.unwrap();
    let table = sink.single();

    assert_eq!(table.column("a.b"), [Value::Int(2)]);
    assert_eq!(table.warnings_of("duplicate_key").len(), 1);
}

#[test]
fn empty_and_padded_keys_renamed() {
    let (sink, result) = json(br#"[{"": 1, " x ": 2, "x": 3}]"#);
    result.unwrap();
    let table = sink.single();

    assert_eq!(table.info.columns, ["column_1", "x", "x_2"]);
    assert_eq!(
        table.records[0].1,
        [Value::Int(1), Value::Int(2), Value::Int(3)]
    );
    assert_eq!(table.warnings_of("empty_header").len(), 1);
    assert_eq!(table.warnings_of("duplicate_header").len(), 1);
}

#[test]
fn huge_integer_kept_as_text() {
    let (sink, _) = json(br#"[{"id": 18446744073709551615}]"#);
    let table = sink.single();
    assert_eq!(table.column("id"), [text("18446744073709551615")]);
    assert_eq!(table.warnings_of("integer_too_large").len(), 1);
}

#[test]
fn document_over_limit_rejected() {
    let options = IngestOptions {
        max_workbook_bytes: 8,
        ..IngestOptions::default()
    };
    let mut sink = CollectingSink::default();
    let result = read_json(
        "in/data.json",
        &mut &LEDGER.as_bytes()[..],
        &options,
        &mut sink,
    );
    assert!(
        matches!(result, Err(IngestError::TooLarge { limit: 8, .. })),
        "{result:?}"
    );
}

#[test]
fn json_break_stops_reading() {
    let mut sink = CollectingSink::stopping_after(1);
    read_json(
        "in/data.json",
        &mut LEDGER.as_bytes(),
        &IngestOptions::default(),
        &mut sink,
    )
    .unwrap();
    assert_eq!(sink.single().records.len(), 1);
}

#[test]
fn jsonl_blank_lines_crlf_and_bom() {
    let (sink, result) = jsonl(b"\xEF\xBB\xBF{\"a\": 1}\r\n\r\n   \n{\"a\": 2, \"b\": \"x\"}\r\n");
    result.unwrap();
    let table = sink.single();

    assert_eq!(table.info.columns, ["a", "b"]);
    assert_eq!(lines(&sink), [1, 4]);
    assert_eq!(table.column("b"), [Value::Null, text("x")]);
    assert!(table.warnings.is_empty(), "{:?}", table.warnings);
}

#[test]
fn jsonl_bad_lines_reported_others_read() {
    let long = format!("{{\"a\": \"{}", "x".repeat(500));
    let input = format!("{{\"a\": 1}}\n{{not json}}\n[1, 2]\n{long}\n{{\"a\": 2}}");
    let (sink, result) = jsonl(input.as_bytes());
    result.unwrap();
    let table = sink.single();

    assert_eq!(lines(&sink), [1, 5]);

    let invalid = table.warnings_of("invalid_json");
    assert_eq!(invalid.len(), 2);
    assert_eq!(invalid[0].line, Some(2));
    assert!(
        invalid[0].message.contains("{not json}"),
        "{}",
        invalid[0].message
    );
    assert_eq!(invalid[1].line, Some(4));
    assert!(
        invalid[1].message.len() < 300,
        "text not truncated: {}",
        invalid[1].message
    );

    let not_objects = table.warnings_of("not_an_object");
    assert_eq!(not_objects.len(), 1);
    assert_eq!(not_objects[0].line, Some(3));
}

#[test]
fn jsonl_all_bad_lines_is_error() {
    let (sink, result) = jsonl(b"\nnope\n[1]\n");
    let (line, _, message) = json_error(result);

    assert_eq!(line, 2);
    assert!(
        message.contains("no line contains a JSON object"),
        "{message}"
    );
    assert_eq!(sink.single().warnings.len(), 2);
}

#[test]
fn jsonl_empty_file_is_empty_table() {
    let (sink, result) = jsonl(b"\n\n");
    result.unwrap();
    assert!(sink.single().info.columns.is_empty());
}

#[test]
fn jsonl_late_keys_reported() {
    let mut input = String::new();
    for index in 0..DISCOVERY_RECORDS {
        input.push_str(&format!("{{\"id\": {index}}}\n"));
    }
    input.push_str("{\"id\": -1, \"extra\": {\"x\": 1}}\n");
    let (sink, result) = jsonl(input.as_bytes());
    result.unwrap();
    let table = sink.single();

    assert_eq!(table.info.columns, ["id"]);
    assert_eq!(table.records.len(), DISCOVERY_RECORDS + 1);
    let unknown = table.warnings_of("unknown_key");
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0].line, Some(DISCOVERY_RECORDS as u64 + 1));
    assert!(
        unknown[0].message.contains("\"extra.x\""),
        "{}",
        unknown[0].message
    );
}

#[test]
fn jsonl_keys_from_early_lines_are_columns() {
    let (sink, _) = jsonl(b"{\"a\": 1}\n{\"b\": {\"c\": [1]}}\n");
    assert_eq!(sink.single().info.columns, ["a", "b.c"]);
    assert_eq!(sink.single().column("b.c"), [Value::Null, text("[1]")]);
}

#[test]
fn jsonl_utf16_decoded() {
    let text = format!(
        "\u{feff}{{\"razón\": \"{}\"}}\r\n\r\n{{\"razón\": \"Compañía\"}}\r\n",
        "ñ".repeat(40_000)
    );
    for (bytes, encoding) in [
        (
            text.encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect::<Vec<u8>>(),
            "UTF-16LE",
        ),
        (
            text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            "UTF-16BE",
        ),
    ] {
        let (sink, result) = jsonl(&bytes);
        result.unwrap();
        let table = sink.single();

        assert_eq!(table.info.encoding.as_deref(), Some(encoding));
        assert_eq!(table.info.columns, ["razón"]);
        assert_eq!(lines(&sink), [1, 3]);
        assert_eq!(table.column("razón")[1], Value::Text("Compañía".into()));
    }
}

#[test]
fn jsonl_break_stops_reading() {
    let mut sink = CollectingSink::stopping_after(2);
    read_jsonl(
        "in/data.jsonl",
        &mut &b"{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n"[..],
        &IngestOptions::default(),
        &mut sink,
    )
    .unwrap();
    assert_eq!(sink.single().records.len(), 2);
}
