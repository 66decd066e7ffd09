//! XLSX export read back with calamine, and its sheet XML checked inside the ZIP container.

mod export_support;

use calamine::{open_workbook, Data, DataType, Range, Reader, Xlsx};
use dgs_core::export::{ExportOptions, ExportReport};
use export_support::{date, expected_header, export, fixture, Fixture};
use std::collections::{BTreeSet, HashMap};
use std::io::Read;
use std::path::Path;

fn open(path: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    open_workbook(path).unwrap()
}

fn header_of(range: &Range<Data>) -> Vec<String> {
    range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|cell| cell.to_string())
        .collect()
}

fn sheet_xml(path: &Path, number: usize) -> String {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut entry = archive
        .by_name(&format!("xl/worksheets/sheet{number}.xml"))
        .unwrap();
    let mut xml = String::new();
    entry.read_to_string(&mut xml).unwrap();
    xml
}

fn write_fixture(
    fixture: &Fixture,
    options: ExportOptions,
) -> (tempfile::TempDir, std::path::PathBuf, ExportReport) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("salida.xlsx");
    let report = export(fixture, &path, None, options);
    (dir, path, report)
}

#[test]
fn xlsx_sheets_and_header() {
    let (_dir, path, report) = write_fixture(&fixture(), ExportOptions::default());

    let mut workbook = open(&path);
    assert_eq!(workbook.sheet_names(), ["clasificacion", "resumen"]);
    assert_eq!(report.sheets, ["clasificacion"]);

    let range = workbook.worksheet_range("clasificacion").unwrap();
    assert_eq!(header_of(&range), expected_header());
    assert_eq!(range.height(), 10);
    assert_eq!(range.width(), 18);
}

#[test]
fn xlsx_every_row_once() {
    let (_dir, path, _) = write_fixture(&fixture(), ExportOptions::default());

    let range = open(&path).worksheet_range("clasificacion").unwrap();
    let indexes: Vec<u64> = range
        .rows()
        .skip(1)
        .map(|row| row[0].as_f64().unwrap() as u64)
        .collect();
    let unique: BTreeSet<u64> = indexes.iter().copied().collect();
    assert_eq!(indexes.len(), 9);
    assert_eq!(unique, (0..9).collect());
}

#[test]
fn xlsx_cell_types() {
    let (_dir, path, _) = write_fixture(&fixture(), ExportOptions::default());

    let range = open(&path).worksheet_range("clasificacion").unwrap();
    let cell = |row: usize, column: usize| range.get((row + 1, column)).unwrap().clone();

    // Source columns: numbers for row_index and line, text for file and sheet.
    assert_eq!(cell(3, 0).as_f64(), Some(3.0));
    assert_eq!(cell(3, 1), Data::String("compras.xlsx".to_string()));
    assert_eq!(cell(3, 2), Data::String("Hoja1".to_string()));
    assert_eq!(cell(0, 2), Data::Empty);
    assert_eq!(cell(3, 3).as_f64(), Some(5.0));

    // Dates are Excel dates, not text.
    assert!(matches!(cell(0, 4), Data::DateTime(_)));
    assert_eq!(cell(0, 4).as_date(), Some(date(2024, 3, 31)));
    assert!(matches!(cell(3, 4), Data::DateTime(_)));
    assert_eq!(
        cell(3, 4).as_datetime(),
        Some(date(2024, 5, 6).and_hms_opt(14, 30, 15).unwrap())
    );
    // Before 1900 Excel has no dates, so the ISO text is kept.
    assert_eq!(cell(4, 4), Data::String("1850-01-01".to_string()));

    assert_eq!(cell(0, 5), Data::String("Señalética vial".to_string()));
    assert_eq!(cell(3, 5), Data::String("Combustible\nflota".to_string()));
    assert_eq!(cell(0, 6).as_f64(), Some(1234.5));
    assert_eq!(cell(3, 6).as_f64(), Some(-7.0));
    // Integers past 15 digits keep every digit as text.
    assert_eq!(cell(4, 6), Data::String("1234567890123456789".to_string()));
    assert_eq!(cell(0, 7).as_f64(), Some(2024.0));

    // Nulls, empty text and columns of other tables are empty cells.
    assert_eq!(cell(1, 7), Data::Empty);
    assert_eq!(cell(0, 8), Data::Empty);
    assert_eq!(cell(5, 8), Data::Empty);
    assert_eq!(
        cell(3, 8),
        Data::String("Petróleos del Año S.A.".to_string())
    );
    assert_eq!(cell(6, 9), Data::Bool(true));
    assert_eq!(cell(7, 9), Data::Bool(false));
    assert_eq!(cell(8, 9), Data::Empty);
}

#[test]
fn xlsx_clean_and_result_columns() {
    let fixture = fixture();
    let (_dir, path, _) = write_fixture(&fixture, ExportOptions::default());

    let range = open(&path).worksheet_range("clasificacion").unwrap();
    let row = |index: usize| range.rows().nth(index + 1).unwrap().to_vec();

    let first = row(0);
    assert_eq!(first[10], Data::String(fixture.cases[0].clean[0].clone()));
    assert_eq!(first[11].as_f64(), Some(0.0));
    assert_eq!(first[12], Data::String("Señalética".to_string()));
    assert_eq!(first[13].as_f64(), Some(0.85));
    assert_eq!(
        first[14],
        Data::String("Coincide con Señalética".to_string())
    );
    assert_eq!(first[15], Data::String("ok".to_string()));
    assert_eq!(first[16].as_f64(), Some(3.0));
    assert_eq!(first[17].as_f64(), Some(1.0));

    let fallback = row(4);
    assert_eq!(fallback[11].as_f64(), Some(4.0));
    assert_eq!(fallback[12], Data::String("Indeterminado".to_string()));
    assert_eq!(fallback[13].as_f64(), Some(-1.0));
    assert_eq!(fallback[15], Data::String("missing".to_string()));
}

#[test]
fn xlsx_frozen_header_and_autofilter() {
    let (_dir, path, _) = write_fixture(&fixture(), ExportOptions::default());

    let xml = sheet_xml(&path, 1);
    assert!(
        xml.contains(
            "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"
        ),
        "{xml}"
    );
    assert!(xml.contains("<autoFilter ref=\"A1:R10\"/>"));
    assert!(xml.contains("<cols>"));
    assert!(xml.contains("customWidth=\"1\""));
}

#[test]
fn xlsx_header_style() {
    let (_dir, path, _) = write_fixture(&fixture(), ExportOptions::default());

    let mut archive = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut styles = String::new();
    archive
        .by_name("xl/styles.xml")
        .unwrap()
        .read_to_string(&mut styles)
        .unwrap();
    assert!(styles.contains("<b/>"));
    assert!(styles.contains("FFDDEBF7"));
    assert!(styles.contains("formatCode=\"yyyy-mm-dd\""));
    assert!(styles.contains("formatCode=\"yyyy-mm-dd hh:mm:ss\""));
}

#[test]
fn xlsx_summary_sheet() {
    let (_dir, path, _) = write_fixture(&fixture(), ExportOptions::default());

    let range = open(&path).worksheet_range("resumen").unwrap();
    let mut fields = HashMap::new();
    for row in range.rows().skip(1) {
        if row[0].is_empty() {
            break;
        }
        fields.insert(row[0].to_string(), row[1].clone());
    }

    assert_eq!(fields["rows"].as_f64(), Some(9.0));
    assert_eq!(fields["rows_written"].as_f64(), Some(9.0));
    assert_eq!(fields["groups"].as_f64(), Some(6.0));
    assert_eq!(fields["chunks"].as_f64(), Some(2.0));
    assert_eq!(fields["cache_hits"].as_f64(), Some(1.0));
    assert_eq!(fields["tokens_in"].as_f64(), Some(1200.0));
    assert_eq!(fields["tokens_out"].as_f64(), Some(340.0));
    assert_eq!(fields["fallback_rows"].as_f64(), Some(2.0));
    assert_eq!(fields["fallback_groups"].as_f64(), Some(2.0));
    assert_eq!(fields["truncated_cells"].as_f64(), Some(0.0));
    assert_eq!(fields["cost"].as_f64(), Some(0.0123));
    assert_eq!(fields["prompt_id"], Data::String("contable-es".to_string()));
    assert_eq!(fields["prompt_version"].as_f64(), Some(3.0));
    assert_eq!(fields["provider"], Data::String("keyword".to_string()));
    assert_eq!(fields["model"], Data::String("offline".to_string()));
    assert_eq!(fields["duration_seconds"].as_f64(), Some(1.5));
    assert_eq!(
        fields["created_at"],
        Data::String("2026-12-04T20:00:00Z".to_string())
    );
    assert_eq!(
        fields["data_sheets"],
        Data::String("clasificacion".to_string())
    );

    let categories: Vec<Vec<Data>> = range
        .rows()
        .skip_while(|row| row[0] != Data::String("category".to_string()))
        .map(<[Data]>::to_vec)
        .collect();
    assert_eq!(categories.len(), 3);
    assert_eq!(categories[1][0], Data::String("Señalética".to_string()));
    assert_eq!(categories[1][1].as_f64(), Some(3.0));
    assert_eq!(categories[1][2].as_f64(), Some(1.0));
    assert_eq!(categories[2][0], Data::String("Indeterminado".to_string()));
    assert_eq!(categories[2][2].as_f64(), Some(2.0));
}

#[test]
fn xlsx_splits_at_row_limit() {
    // Four rows per sheet: the header and three data rows.
    let options = ExportOptions {
        xlsx_max_rows_per_sheet: 4,
        ..ExportOptions::default()
    };
    let (_dir, path, report) = write_fixture(&fixture(), options);

    let data_sheets = ["clasificacion", "clasificacion_2", "clasificacion_3"];
    assert_eq!(report.sheets, data_sheets);
    let mut workbook = open(&path);
    assert_eq!(
        workbook.sheet_names(),
        [
            "clasificacion",
            "clasificacion_2",
            "clasificacion_3",
            "resumen"
        ]
    );

    let mut indexes = Vec::new();
    for (number, name) in data_sheets.iter().enumerate() {
        let range = workbook.worksheet_range(name).unwrap();
        assert_eq!(header_of(&range), expected_header(), "{name}");
        assert_eq!(range.height(), 4, "{name}");
        indexes.extend(
            range
                .rows()
                .skip(1)
                .map(|row| row[0].as_f64().unwrap() as u64),
        );

        let xml = sheet_xml(&path, number + 1);
        assert!(xml.contains("state=\"frozen\""), "{name}");
        assert!(xml.contains("<autoFilter ref=\"A1:R4\"/>"), "{name}");
    }
    assert_eq!(indexes, (0..9).collect::<Vec<u64>>());
}

#[test]
fn xlsx_split_with_partial_last_sheet() {
    let options = ExportOptions {
        xlsx_max_rows_per_sheet: 5,
        ..ExportOptions::default()
    };
    let (_dir, path, report) = write_fixture(&fixture(), options);

    assert_eq!(
        report.sheets,
        ["clasificacion", "clasificacion_2", "clasificacion_3"]
    );
    let range = open(&path).worksheet_range("clasificacion_3").unwrap();
    assert_eq!(range.height(), 2);
    assert_eq!(range.get((1, 0)).unwrap().as_f64(), Some(8.0));
    assert!(sheet_xml(&path, 3).contains("<autoFilter ref=\"A1:R2\"/>"));
}

#[test]
fn xlsx_custom_sheet_names() {
    let options = ExportOptions {
        xlsx_data_sheet: "results".to_string(),
        xlsx_summary_sheet: "summary".to_string(),
        xlsx_max_rows_per_sheet: 6,
        ..ExportOptions::default()
    };
    let (_dir, path, _) = write_fixture(&fixture(), options);

    assert_eq!(
        open(&path).sheet_names(),
        ["results", "results_2", "summary"]
    );
}

#[test]
fn xlsx_truncates_long_text() {
    let mut fixture = fixture();
    let long = "ñ".repeat(40_000);
    fixture.cases[2].row.values[1] = dgs_core::Value::Text(long.clone());
    let (_dir, path, report) = write_fixture(&fixture, ExportOptions::default());

    assert_eq!(report.truncated_cells, 1);
    let mut workbook = open(&path);
    let range = workbook.worksheet_range("clasificacion").unwrap();
    let cell = range.get((3, 5)).unwrap().to_string();
    assert_eq!(cell.chars().count(), 32_767);
    assert!(long.starts_with(&cell));

    let summary = workbook.worksheet_range("resumen").unwrap();
    let truncated = summary
        .rows()
        .find(|row| row[0] == Data::String("truncated_cells".to_string()))
        .unwrap();
    assert_eq!(truncated[1].as_f64(), Some(1.0));
}
