//! Delimited text through the ingest driver: encodings, dialects, headers, ragged rows and
//! failures, on files generated here.

mod common;

use common::{read_default, read_file_path, read_memory};
use dgs_core::ingest::{
    collect_columns, read_path, IngestError, IngestEvent, IngestOptions, RowStream,
};
use dgs_core::Value;
use std::ops::ControlFlow;

fn utf16(text: &str, little_endian: bool) -> Vec<u8> {
    let mut bytes = if little_endian {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for unit in text.encode_utf16() {
        let pair = if little_endian {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        };
        bytes.extend_from_slice(&pair);
    }
    bytes
}

#[test]
fn utf8_bom_semicolon_file() {
    let read = read_default(
        "a.csv",
        "\u{FEFF}Código;Descripción\n001;Lápiz\n002;Café\n".as_bytes(),
    );
    let report = read.report("a.csv");
    assert_eq!(report.columns, ["Código", "Descripción"]);
    assert_eq!(report.encoding.as_deref(), Some("UTF-8"));
    assert_eq!(report.delimiter, Some(';'));
    assert_eq!(
        read.texts("Descripción"),
        [Some("Lápiz".into()), Some("Café".into())]
    );
    assert_eq!(read.rows[0].line, 2);
}

#[test]
fn utf8_without_bom_comma_file() {
    let read = read_default("a.csv", "name,amount\nÑandú,\"1,5\"\n".as_bytes());
    assert_eq!(read.report("a.csv").delimiter, Some(','));
    assert_eq!(read.texts("name"), [Some("Ñandú".into())]);
    assert_eq!(read.texts("amount"), [Some("1,5".into())]);
}

#[test]
fn utf16le_unicode_text_is_tab_separated() {
    let bytes = utf16("Cuenta\tDescripción\n4100\tAñejo, \"fino\"\n", true);
    let read = read_default("export.txt", &bytes);
    let report = read.report("export.txt");
    assert_eq!(report.encoding.as_deref(), Some("UTF-16LE"));
    assert_eq!(report.delimiter, Some('\t'));
    assert_eq!(report.columns, ["Cuenta", "Descripción"]);
    assert_eq!(read.texts("Descripción"), [Some("Añejo, \"fino\"".into())]);
}

#[test]
fn utf16be_with_bom() {
    let read = read_default("b.csv", &utf16("a;b\nñ;ü\n", false));
    assert_eq!(read.report("b.csv").encoding.as_deref(), Some("UTF-16BE"));
    assert_eq!(read.texts("b"), [Some("ü".into())]);
}

#[test]
fn windows_1252_when_not_utf8() {
    let bytes = b"Descripci\xf3n;Importe\nCaf\xe9 \x80 5;10\n";
    let read = read_default("w.csv", bytes);
    let report = read.report("w.csv");
    assert_eq!(report.encoding.as_deref(), Some("windows-1252"));
    assert_eq!(report.columns, ["Descripción", "Importe"]);
    assert_eq!(read.texts("Descripción"), [Some("Café € 5".into())]);
}

#[test]
fn invalid_utf8_after_sample_is_reported() {
    let mut bytes = b"a;b\n".to_vec();
    for index in 0..10_000 {
        bytes.extend_from_slice(format!("{index};ñandú\n").as_bytes());
    }
    bytes.extend_from_slice(b"last;caf\xe9\n");
    let read = read_default("late.csv", &bytes);
    let report = read.report("late.csv");
    assert_eq!(report.encoding.as_deref(), Some("UTF-8"));
    assert_eq!(
        read.rows.last().unwrap().get("b"),
        Some(&Value::Text("café".into()))
    );
    let warning = report
        .warnings
        .iter()
        .find(|w| w.kind == "invalid_encoding")
        .unwrap();
    assert_eq!(warning.line, Some(10_002));
}

#[test]
fn excel_sep_line_sets_delimiter() {
    let read = read_default("s.csv", b"sep=|\r\nname|note\r\nA|x,y;z\r\n");
    let report = read.report("s.csv");
    assert_eq!(report.delimiter, Some('|'));
    assert_eq!(report.columns, ["name", "note"]);
    assert_eq!(read.texts("note"), [Some("x,y;z".into())]);
    assert_eq!(read.rows[0].line, 3, "the sep line counts as line 1");
}

#[test]
fn sniffing_picks_each_delimiter() {
    for (delimiter, text) in [
        (',', "a,b,c\n1,2,3\n4,5,6\n"),
        (';', "a;b;c\n1,5;2;3\n4,5;5;6\n"),
        ('\t', "a\tb\n1\t2\n"),
        ('|', "a|b|c\n1|2|3\n"),
    ] {
        let read = read_default("d.csv", text.as_bytes());
        assert_eq!(read.report("d.csv").delimiter, Some(delimiter), "{text:?}");
    }
}

#[test]
fn sniffing_ignores_quoted_delimiters() {
    let read = read_default("q.csv", b"id;text\n1;\"a, b, c, d\"\n2;\"e, f, g, h\"\n");
    assert_eq!(read.report("q.csv").delimiter, Some(';'));
}

#[test]
fn tsv_extension_prefers_tab() {
    let read = read_default("t.tsv", b"a\tb,c\n1\t2,3\n");
    assert_eq!(read.report("t.tsv").delimiter, Some('\t'));
}

#[test]
fn quoted_newline_reports_start_line() {
    let read = read_default("n.csv", b"id,text\n1,\"first\nsecond\nthird\"\n2,plain\n");
    assert_eq!(read.rows.len(), 2);
    assert_eq!(read.rows[0].line, 2);
    assert_eq!(
        read.texts("text")[0].as_deref(),
        Some("first\nsecond\nthird")
    );
    assert_eq!(read.rows[1].line, 5);
}

#[test]
fn short_rows_padded_with_null() {
    let read = read_default("r.csv", b"a;b;c\n1;2;3\n4\n5;6;7\n");
    assert_eq!(read.rows.len(), 3, "ragged rows are not dropped");
    assert_eq!(
        read.rows[1].values,
        [Value::Text("4".into()), Value::Null, Value::Null]
    );
    let warning = &read.report("r.csv").warnings[0];
    assert_eq!(warning.kind, "ragged_row");
    assert_eq!(warning.line, Some(3));
}

#[test]
fn extra_fields_reported_with_values() {
    let read = read_default("x.csv", b"a;b\n1;2;surplus;more\n");
    assert_eq!(read.rows.len(), 1);
    assert_eq!(read.report("x.csv").columns, ["a", "b"]);
    let warning = &read.report("x.csv").warnings[0];
    assert_eq!(warning.kind, "extra_fields");
    assert_eq!(warning.line, Some(2));
    assert!(warning.message.contains("surplus"), "{}", warning.message);
}

#[test]
fn empty_and_duplicate_headers_made_unique() {
    let read = read_default("h.csv", b"Name;;Name;Name;\n1;2;3;4;5\n");
    let report = read.report("h.csv");
    assert_eq!(
        report.columns,
        ["Name", "column_2", "Name_2", "Name_3", "column_5"]
    );
    let kinds: Vec<&str> = report.warnings.iter().map(|w| w.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "empty_header",
            "duplicate_header",
            "duplicate_header",
            "empty_header"
        ]
    );
    assert_eq!(read.rows[0].get("column_5"), Some(&Value::Text("5".into())));
}

#[test]
fn header_names_trimmed() {
    let read = read_default(
        "t.csv",
        "\u{FEFF}\" Nombre \";\u{A0}Monto\u{A0}\nA;1\n".as_bytes(),
    );
    assert_eq!(read.report("t.csv").columns, ["Nombre", "Monto"]);
}

#[test]
fn leading_blank_lines_skipped() {
    let read = read_default("l.csv", b"\n\n;;\nA;B;C\n1;2;3\n");
    assert_eq!(read.report("l.csv").columns, ["A", "B", "C"]);
    assert_eq!(read.rows.len(), 1);
    assert_eq!(read.rows[0].line, 5);
}

#[test]
fn values_are_text_and_empty_is_null() {
    let read = read_default("v.csv", b"code;amount;note\n00123;1.500,25;\n");
    let row = &read.rows[0];
    assert_eq!(row.get("code"), Some(&Value::Text("00123".into())));
    assert_eq!(row.get("amount"), Some(&Value::Text("1.500,25".into())));
    assert_eq!(row.get("note"), Some(&Value::Null));
}

#[test]
fn empty_file_gives_empty_report() {
    let read = read_default("e.csv", b"");
    let report = read.report("e.csv");
    assert_eq!(report.rows, 0);
    assert!(report.columns.is_empty());
    assert!(report.error.is_none());
    assert_eq!(report.warnings[0].kind, "empty_file");
}

#[test]
fn warnings_capped_per_kind() {
    let mut text = String::from("a;b\n");
    for _ in 0..150 {
        text.push_str("1\n");
    }
    let read = read_default("c.csv", text.as_bytes());
    let report = read.report("c.csv");
    assert_eq!(read.rows.len(), 150);
    let ragged = report
        .warnings
        .iter()
        .filter(|w| w.kind == "ragged_row")
        .count();
    assert_eq!(ragged, 100);
    let summary = report
        .warnings
        .iter()
        .find(|w| w.kind == "warnings_truncated")
        .unwrap();
    assert!(summary.message.contains("50 more"), "{}", summary.message);
}

#[test]
fn folder_sorted_and_broken_file_fails_alone() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::create_dir(folder.path().join("sub")).unwrap();
    std::fs::write(folder.path().join("b.csv"), "x\nb1\nb2\n").unwrap();
    std::fs::write(folder.path().join("a.csv"), "x\na1\n").unwrap();
    std::fs::write(folder.path().join("sub/c.csv"), "x\nc1\n").unwrap();
    std::fs::write(folder.path().join("broken.json"), "{\"rows\": [ {\"x\": ").unwrap();
    std::fs::write(folder.path().join("notes.pdf"), "%PDF").unwrap();
    std::fs::write(folder.path().join("old.xls"), "bytes").unwrap();
    std::fs::write(folder.path().join(".DS_Store"), "junk").unwrap();

    let read = read_file_path(folder.path(), &IngestOptions::default());
    assert_eq!(read.files(), ["a.csv", "b.csv", "sub/c.csv"]);
    assert_eq!(
        read.texts("x"),
        [
            Some("a1".into()),
            Some("b1".into()),
            Some("b2".into()),
            Some("c1".into())
        ]
    );

    let broken = read.report("broken.json");
    assert!(broken.error.as_deref().unwrap().contains("broken.json"));
    assert!(read.summary.has_errors());
    assert!(read
        .skip_reason("notes.pdf")
        .unwrap()
        .contains("unsupported"));
    assert!(read.skip_reason("old.xls").unwrap().contains(".xls"));
    assert!(read.skip_reason(".DS_Store").is_some());
}

#[test]
fn same_input_same_row_indexes() {
    let folder = tempfile::tempdir().unwrap();
    for name in ["z.csv", "m.csv", "a.csv"] {
        std::fs::write(folder.path().join(name), format!("f\n{name}-1\n{name}-2\n")).unwrap();
    }
    let first = read_file_path(folder.path(), &IngestOptions::default());
    let second = read_file_path(folder.path(), &IngestOptions::default());
    assert_eq!(first.rows, second.rows);
    assert_eq!(first.rows[4].get("f"), Some(&Value::Text("z.csv-1".into())));
}

#[test]
fn missing_input_is_an_error() {
    let result = read_path("/nonexistent/input.zip", &IngestOptions::default(), |_| {
        ControlFlow::Continue(())
    });
    assert!(matches!(result, Err(IngestError::InputNotFound { .. })));
}

#[test]
fn visitor_break_stops_reading() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("a.csv"), "x\n1\n2\n3\n").unwrap();
    std::fs::write(folder.path().join("b.csv"), "x\n4\n").unwrap();
    let mut seen = 0;
    let summary = read_path(folder.path(), &IngestOptions::default(), |event| {
        if matches!(event, IngestEvent::Row(_)) {
            seen += 1;
            if seen == 2 {
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(seen, 2);
    assert!(summary.stopped_early);
    assert!(summary.files.iter().all(|report| report.path != "b.csv"));
}

#[test]
fn row_stream_matches_visitor() {
    let folder = tempfile::tempdir().unwrap();
    let mut text = String::from("id;name\n");
    for index in 0..5_000 {
        text.push_str(&format!("{index};item {index}\n"));
    }
    std::fs::write(folder.path().join("big.csv"), &text).unwrap();
    std::fs::write(folder.path().join("small.csv"), "id;name\nx;y\n").unwrap();

    let expected = read_file_path(folder.path(), &IngestOptions::default());
    let mut stream = RowStream::open(folder.path(), IngestOptions::default());
    let rows: Vec<_> = stream.by_ref().collect();
    let summary = stream.finish().unwrap();
    assert_eq!(rows, expected.rows);
    assert_eq!(summary, expected.summary);
}

#[test]
fn row_stream_finish_early_stops() {
    let mut text = String::from("id\n");
    for index in 0..20_000 {
        text.push_str(&format!("{index}\n"));
    }
    let mut stream = RowStream::from_bytes(
        "big.csv".into(),
        text.into_bytes(),
        IngestOptions::default(),
    );
    let first: Vec<_> = stream.by_ref().take(3).collect();
    let summary = stream.finish().unwrap();
    assert_eq!(first.len(), 3);
    assert!(summary.stopped_early);
    assert!(summary.rows < 20_000);
}

#[test]
fn collect_columns_union_in_first_seen_order() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("a.csv"), "id;name\n1;x\n").unwrap();
    std::fs::write(folder.path().join("b.csv"), "name;amount;id\n2;y;3\n").unwrap();
    let columns = collect_columns(folder.path(), &IngestOptions::default()).unwrap();
    assert_eq!(columns, ["id", "name", "amount"]);
}

#[test]
fn real_chilecompra_sample() {
    let path = std::path::Path::new("/work/shared/data/chilecompra/rubros_onu_muestra.csv");
    if !path.exists() {
        eprintln!("skipped: {} not present", path.display());
        return;
    }
    let read = read_file_path(path, &IngestOptions::default());
    let report = read.report("rubros_onu_muestra.csv");
    assert_eq!(read.rows.len(), 4_709);
    assert_eq!(report.delimiter, Some(';'));
    assert_eq!(
        report.columns,
        [
            "idproducto_onu",
            "nombreproducto_onu",
            "id_nivel3",
            "nombre_nivel3",
            "nombre_nivel2",
            "nombre_nivel1"
        ]
    );
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

#[test]
fn memory_input_matches_file_input() {
    let folder = tempfile::tempdir().unwrap();
    let bytes = b"a;b\n1;2\n".to_vec();
    std::fs::write(folder.path().join("m.csv"), &bytes).unwrap();
    let from_file = read_file_path(&folder.path().join("m.csv"), &IngestOptions::default());
    let from_memory = read_memory("m.csv", bytes, &IngestOptions::default());
    assert_eq!(from_file.rows, from_memory.rows);
}

#[test]
fn crlf_lines_numbered_and_stripped() {
    let read = read_default(
        "w.csv",
        b"a;b\r\n1;2\r\n\r\n3;\"x\"\r\n4;\"y\r\nz\"\r\n5;6\r\n",
    );
    let lines: Vec<u64> = read.rows.iter().map(|row| row.line).collect();
    assert_eq!(lines, [2, 4, 5, 7]);
    assert_eq!(
        read.texts("b"),
        [
            Some("2".into()),
            Some("x".into()),
            Some("y\r\nz".into()),
            Some("6".into())
        ]
    );
    assert_eq!(read.report("w.csv").columns, ["a", "b"]);
}

#[test]
fn events_serialise_with_tag() {
    let mut events = Vec::new();
    dgs_core::ingest::read_bytes(
        "e.csv",
        b"a\n1\n".to_vec(),
        &IngestOptions::default(),
        |event| {
            events.push(serde_json::to_value(&event).unwrap());
            ControlFlow::Continue(())
        },
    );
    assert_eq!(events[0]["event"], "row");
    assert_eq!(events[0]["fields"]["a"], "1");
    assert_eq!(events[1]["event"], "table_finished");
    assert_eq!(events[1]["rows"], 1);
}

#[test]
fn single_column_values_not_split() {
    let read = read_default(
        "one.csv",
        "Descripción\nPago, factura 12\nCuota, leasing\n".as_bytes(),
    );
    let report = read.report("one.csv");
    assert_eq!(report.columns, ["Descripción"]);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_eq!(
        read.texts("Descripción")[0].as_deref(),
        Some("Pago, factura 12")
    );
}
