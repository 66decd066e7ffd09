//! JSONL export read back with serde_json.

mod export_support;

use dgs_core::export::ExportOptions;
use export_support::{export, fixture};
use serde_json::{json, Value as Json};
use std::collections::BTreeSet;

fn read_lines(path: &std::path::Path) -> Vec<Json> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn jsonl_one_object_per_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("salida.jsonl");
    let report = export(&fixture(), &path, None, ExportOptions::default());

    let bytes = std::fs::read(&path).unwrap();
    assert!(!bytes.starts_with(b"\xEF\xBB\xBF"));
    assert!(bytes.ends_with(b"\n"));

    let lines = read_lines(&path);
    assert_eq!(lines.len(), 9);
    assert_eq!(report.rows_written, 9);

    let indexes: Vec<u64> = lines
        .iter()
        .map(|line| line["row_index"].as_u64().unwrap())
        .collect();
    let unique: BTreeSet<u64> = indexes.iter().copied().collect();
    assert_eq!(indexes.len(), unique.len());
    assert_eq!(unique, (0..9).collect());
}

#[test]
fn jsonl_keys_in_documented_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("salida.jsonl");
    export(&fixture(), &path, None, ExportOptions::default());

    let first_line = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    let keys = [
        "row_index",
        "file",
        "sheet",
        "line",
        "fields",
        "clean",
        "group",
        "category",
        "score",
        "reason",
        "status",
        "prompt_version",
        "iteration",
    ];
    let mut last = 0;
    for key in keys {
        let position = first_line.find(&format!("\"{key}\":")).unwrap();
        assert!(position >= last, "{key} out of order in {first_line}");
        last = position;
    }
}

#[test]
fn jsonl_typed_fields_of_own_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("salida.jsonl");
    export(&fixture(), &path, None, ExportOptions::default());

    let lines = read_lines(&path);
    assert_eq!(
        lines[0]["fields"],
        json!({"Fecha": "2024-03-31", "Descripción": "Señalética vial", "Importe": 1234.5, "Año": 2024})
    );
    // A null cell of the table's own column stays as null.
    assert_eq!(lines[1]["fields"]["Año"], Json::Null);
    assert!(lines[1]["fields"].as_object().unwrap().contains_key("Año"));
    // Columns of other tables are left out.
    assert!(!lines[1]["fields"]
        .as_object()
        .unwrap()
        .contains_key("Proveedor"));

    assert_eq!(
        lines[3]["fields"],
        json!({
            "Descripción": "Combustible\nflota",
            "Proveedor": "Petróleos del Año S.A.",
            "Fecha": "2024-05-06T14:30:15",
            "Importe": -7
        })
    );
    assert_eq!(
        lines[4]["fields"]["Importe"],
        json!(1_234_567_890_123_456_789_i64)
    );
    assert_eq!(
        lines[6]["fields"],
        json!({"Descripción": "Servicio de aseo", "Activo": true})
    );
}

#[test]
fn jsonl_source_clean_and_result() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("salida.jsonl");
    let fixture = fixture();
    export(&fixture, &path, None, ExportOptions::default());

    let lines = read_lines(&path);
    let mut first = lines[0].clone();
    first.as_object_mut().unwrap().remove("fields");
    assert_eq!(
        first,
        json!({
            "row_index": 0,
            "file": "ventas/2024.csv",
            "sheet": null,
            "line": 2,
            "clean": {"cleanDescripción": "señalética vial"},
            "group": 0,
            "category": "Señalética",
            "score": 0.85,
            "reason": "Coincide con Señalética",
            "status": "ok",
            "prompt_version": 3,
            "iteration": 1
        })
    );

    assert_eq!(lines[3]["sheet"], "Hoja1");
    assert_eq!(lines[4]["category"], "Indeterminado");
    assert_eq!(lines[4]["score"], -1.0);
    assert_eq!(lines[4]["status"], "missing");
    assert_eq!(lines[8]["group"], 8);
    assert_eq!(
        lines[3]["clean"]["cleanDescripción"],
        fixture.cases[3].clean[0]
    );
}

#[test]
fn jsonl_non_finite_score_is_null() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("salida.jsonl");
    let mut fixture = fixture();
    fixture.classifications[0].score = f64::NAN;
    export(&fixture, &path, None, ExportOptions::default());

    let lines = read_lines(&path);
    assert_eq!(lines[0]["score"], Json::Null);
    assert_eq!(lines[1]["score"], 1.0);
}
