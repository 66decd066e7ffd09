//! CSV export read back with the csv crate.

mod export_support;

use dgs_core::export::{ExportFormat, ExportOptions};
use export_support::{expected_header, export, fixture, EXPECTED_TEXT};
use std::collections::BTreeSet;

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn read_records(bytes: &[u8], delimiter: u8) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(&bytes[BOM.len()..]);
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let records = reader.records().map(Result::unwrap).collect();
    (header, records)
}

#[test]
fn csv_starts_with_utf8_bom() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("salida.csv");
    export(&fixture(), &path, None, ExportOptions::default());

    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..3], BOM);
    assert!(bytes[3..].starts_with(b"row_index,file,sheet,line,Fecha,"));
}

#[test]
fn csv_header_and_row_count() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("salida.csv");
    let report = export(&fixture(), &path, None, ExportOptions::default());

    let (header, records) = read_records(&std::fs::read(&path).unwrap(), b',');
    assert_eq!(header, expected_header());
    assert_eq!(records.len(), 9);
    assert_eq!(report.rows_written, 9);
    assert_eq!(report.path, path);
    assert!(report.sheets.is_empty());
    assert_eq!(report.truncated_cells, 0);
}

#[test]
fn csv_every_row_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("salida.csv");
    export(&fixture(), &path, None, ExportOptions::default());

    let (_, records) = read_records(&std::fs::read(&path).unwrap(), b',');
    let indexes: Vec<u64> = records
        .iter()
        .map(|record| record[0].parse().unwrap())
        .collect();
    let unique: BTreeSet<u64> = indexes.iter().copied().collect();
    assert_eq!(indexes.len(), unique.len());
    assert_eq!(unique, (0..9).collect());
}

#[test]
fn csv_values_follow_union_layout() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("salida.csv");
    let fixture = fixture();
    export(&fixture, &path, None, ExportOptions::default());

    let (_, records) = read_records(&std::fs::read(&path).unwrap(), b',');
    for (record, case) in records.iter().zip(&fixture.cases) {
        let row_index = case.row.row_index as usize;
        let originals: Vec<&str> = record.iter().skip(4).take(6).collect();
        assert_eq!(originals, EXPECTED_TEXT[row_index], "row {row_index}");
        assert_eq!(&record[10], case.clean[0], "row {row_index}");
    }
}

#[test]
fn csv_source_and_result_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("salida.csv");
    export(&fixture(), &path, None, ExportOptions::default());

    let (_, records) = read_records(&std::fs::read(&path).unwrap(), b',');
    let first: Vec<&str> = records[0].iter().collect();
    assert_eq!(&first[..4], ["0", "ventas/2024.csv", "", "2"]);
    assert_eq!(
        &first[11..],
        [
            "0",
            "Señalética",
            "0.85",
            "Coincide con Señalética",
            "ok",
            "3",
            "1"
        ]
    );

    let workbook_row: Vec<&str> = records[3].iter().collect();
    assert_eq!(&workbook_row[..4], ["3", "compras.xlsx", "Hoja1", "5"]);

    let fallback: Vec<&str> = records[4].iter().collect();
    assert_eq!(
        &fallback[11..],
        [
            "4",
            "Indeterminado",
            "-1",
            "No classification returned",
            "missing",
            "3",
            "1"
        ]
    );
    assert_eq!(&records[1][15], "cached");
    assert_eq!(&records[1][13], "1");
}

#[test]
fn csv_semicolon_delimiter() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("salida.csv");
    let options = ExportOptions {
        csv_delimiter: ';',
        ..ExportOptions::default()
    };
    export(&fixture(), &path, None, options);

    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..3], BOM);
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.starts_with("row_index;file;sheet;line;Fecha;Descripción;"));
    // The field containing the delimiter is quoted, with its quotes doubled.
    assert!(text.contains("\"Papelería; oficina \"\"central\"\"\""));

    let (header, records) = read_records(&bytes, b';');
    assert_eq!(header, expected_header());
    assert_eq!(records.len(), 9);
    assert_eq!(&records[1][5], "Papelería; oficina \"central\"");
    assert_eq!(&records[0][6], "1234.5");
}

#[test]
fn csv_explicit_format_ignores_extension() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("salida.txt");
    export(
        &fixture(),
        &path,
        Some(ExportFormat::Csv),
        ExportOptions::default(),
    );

    let (header, records) = read_records(&std::fs::read(&path).unwrap(), b',');
    assert_eq!(header, expected_header());
    assert_eq!(records.len(), 9);
}

#[test]
fn csv_uppercase_extension() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("SALIDA.CSV");
    export(&fixture(), &path, None, ExportOptions::default());

    assert_eq!(&std::fs::read(&path).unwrap()[..3], BOM);
}
