//! Every format through the public API: a ZIP mixing XLSX, JSON, JSONL and CSV, a workbook
//! with a broken sheet, and the real sample archive in `examples/data`.

mod common;

use chrono::NaiveDate;
use common::{build_zip, patch_zip, read_default, read_file_path, Entry};
use dgs_core::ingest::{Format, IngestOptions, IngestSummary};
use dgs_core::Value;
use rust_xlsxwriter::{Format as CellFormat, Workbook};
use std::path::PathBuf;

fn text(value: &str) -> Value {
    Value::Text(value.to_owned())
}

fn date(year: i32, month: u32, day: u32) -> Value {
    Value::Date(NaiveDate::from_ymd_opt(year, month, day).unwrap())
}

/// Day of month, description and amount of one ledger line.
type LedgerLine = (u32, &'static str, f64);

/// Two sheets, "Enero" with two rows and "Febrero" with one, each with a title in row 1, a
/// blank row 2 and the header in row 3.
fn two_sheet_workbook() -> Vec<u8> {
    let mut workbook = Workbook::new();
    let date_format = CellFormat::new().set_num_format("dd/mm/yyyy");
    let sheets: [(&str, &[LedgerLine]); 2] = [
        (
            "Enero",
            &[(5, "Arriendo oficina", 1500.5), (20, "Luz", 80.0)],
        ),
        ("Febrero", &[(3, "Agua", 40.25)]),
    ];

    for (name, rows) in sheets {
        let sheet = workbook.add_worksheet().set_name(name).unwrap();
        sheet
            .write_string(0, 0, format!("Libro auxiliar - {name}"))
            .unwrap();
        sheet.write_string(2, 0, "Fecha").unwrap();
        sheet.write_string(2, 1, "Glosa").unwrap();
        sheet.write_string(2, 2, "Importe").unwrap();
        for (offset, (day, description, amount)) in rows.iter().enumerate() {
            let row = 3 + offset as u32;
            let month = if name == "Enero" { 1 } else { 2 };
            let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2024, month, *day as u8).unwrap();
            sheet
                .write_datetime_with_format(row, 0, &day, &date_format)
                .unwrap();
            sheet.write_string(row, 1, *description).unwrap();
            sheet.write_number(row, 2, *amount).unwrap();
        }
    }
    workbook.save_to_buffer().unwrap()
}

/// Path, sheet, format and row count of each table report, in input order.
fn tables(summary: &IngestSummary) -> Vec<(&str, Option<&str>, Format, u64)> {
    summary
        .files
        .iter()
        .map(|report| {
            let sheet = report.sheet.as_deref();
            (report.path.as_str(), sheet, report.format, report.rows)
        })
        .collect()
}

#[test]
fn mixed_zip_rows_in_order() {
    let workbook = two_sheet_workbook();
    let json = r#"{"data": [{"id": 1, "glosa": "Papel"}, {"id": 2, "glosa": "Tinta"}]}"#;
    let jsonl = "{\"id\": 10, \"glosa\": \"Taxi\"}\n{\"id\": 11, \"glosa\": \n\n{\"id\": 12, \"glosa\": \"Bus\"}\n";
    let csv = "Fecha;Glosa\n01/03/2024;Caf\u{e9}\n02/03/2024;T\u{e9}\n";
    let zip = build_zip(&[
        Entry::File(b"libros/gastos.xlsx", &workbook),
        Entry::File(b"compras.json", json.as_bytes()),
        Entry::File(b"viajes.jsonl", jsonl.as_bytes()),
        Entry::File(b"caja.csv", csv.as_bytes()),
    ]);

    let read = read_default("entrada.zip", &zip);

    // Row indexes are checked to be 0, 1, 2... by the helper; here the order of sources.
    let sources: Vec<(String, Option<String>, u64)> = read
        .rows
        .iter()
        .map(|row| {
            let sheet = row.sheet.as_deref().map(str::to_owned);
            (row.file.to_string(), sheet, row.line)
        })
        .collect();
    let xlsx = "libros/gastos.xlsx".to_owned();
    let expected = [
        (xlsx.clone(), Some("Enero".to_owned()), 4),
        (xlsx.clone(), Some("Enero".to_owned()), 5),
        (xlsx.clone(), Some("Febrero".to_owned()), 4),
        ("compras.json".to_owned(), None, 1),
        ("compras.json".to_owned(), None, 1),
        ("viajes.jsonl".to_owned(), None, 1),
        ("viajes.jsonl".to_owned(), None, 4),
        ("caja.csv".to_owned(), None, 2),
        ("caja.csv".to_owned(), None, 3),
    ];
    assert_eq!(sources, expected);

    assert_eq!(
        tables(&read.summary),
        [
            ("libros/gastos.xlsx", Some("Enero"), Format::Xlsx, 2),
            ("libros/gastos.xlsx", Some("Febrero"), Format::Xlsx, 1),
            ("compras.json", None, Format::Json, 2),
            ("viajes.jsonl", None, Format::Jsonl, 2),
            ("caja.csv", None, Format::Csv, 2),
        ]
    );
    assert!(!read.summary.has_errors(), "{:#?}", read.summary.files);

    let enero = &read.summary.files[0];
    assert_eq!(enero.columns, ["Fecha", "Glosa", "Importe"]);
    let titles: Vec<_> = enero
        .warnings
        .iter()
        .filter(|warning| warning.kind == "title_row")
        .collect();
    assert_eq!(titles.len(), 1, "{:#?}", enero.warnings);
    assert_eq!(titles[0].line, Some(1));

    assert_eq!(read.rows[0].get("Fecha"), Some(&date(2024, 1, 5)));
    assert_eq!(read.rows[0].get("Importe"), Some(&Value::Float(1500.5)));
    assert_eq!(read.rows[2].get("Glosa"), Some(&text("Agua")));
    assert_eq!(read.rows[3].get("id"), Some(&Value::Int(1)));
    assert_eq!(read.rows[6].get("glosa"), Some(&text("Bus")));
    assert_eq!(read.rows[8].get("Glosa"), Some(&text("T\u{e9}")));

    let jsonl_report = read.report("viajes.jsonl");
    assert_eq!(jsonl_report.error, None);
    let bad: Vec<_> = jsonl_report
        .warnings
        .iter()
        .filter(|warning| warning.kind == "invalid_json")
        .collect();
    assert_eq!(bad.len(), 1, "{:#?}", jsonl_report.warnings);
    assert_eq!(bad[0].line, Some(2));
}

/// Three sheets of two data rows each; the XML of the middle one is cut after its first
/// data row.
fn workbook_with_broken_middle_sheet() -> Vec<u8> {
    let mut workbook = Workbook::new();
    for name in ["Enero", "Febrero", "Marzo"] {
        let sheet = workbook.add_worksheet().set_name(name).unwrap();
        sheet.write_string(0, 0, "Glosa").unwrap();
        sheet.write_string(1, 0, format!("{name} 1")).unwrap();
        sheet.write_string(2, 0, format!("{name} 2")).unwrap();
    }
    let data = workbook.save_to_buffer().unwrap();

    patch_zip(&data, "xl/worksheets/sheet2.xml", |xml| {
        let cut = xml.find("<row r=\"3\"").expect("row 3 in the sheet XML");
        xml[..cut].to_owned()
    })
}

#[test]
fn broken_sheet_error_on_its_report() {
    let read = read_default("libro.xlsx", &workbook_with_broken_middle_sheet());

    let files = &read.summary.files;
    let sheets: Vec<Option<&str>> = files.iter().map(|report| report.sheet.as_deref()).collect();
    assert_eq!(sheets, [Some("Enero"), Some("Febrero"), Some("Marzo")]);

    assert_eq!(files[0].error, None);
    assert_eq!(files[2].error, None);
    let error = files[1]
        .error
        .as_deref()
        .expect("the broken sheet has an error");
    assert!(error.contains("libro.xlsx"), "{error}");
    assert!(error.contains("\"Febrero\""), "{error}");
    assert!(error.contains("row 2"), "{error}");
    assert!(read.summary.has_errors());

    assert_eq!(
        read.texts("Glosa"),
        [
            Some("Enero 1".into()),
            Some("Enero 2".into()),
            Some("Febrero 1".into()),
            Some("Marzo 1".into()),
            Some("Marzo 2".into()),
        ],
        "good sheets are read whole and the broken one up to the error"
    );
    assert_eq!(files[1].rows, 1);
}

#[test]
fn warnings_capped_per_kind_xlsx() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "Ratio").unwrap();
    for row in 1..=150 {
        let formula = rust_xlsxwriter::Formula::new("=1/0").set_result("#DIV/0!");
        sheet.write_formula(row, 0, formula).unwrap();
    }

    let read = read_default("ratios.xlsx", &workbook.save_to_buffer().unwrap());
    let report = read.report("ratios.xlsx");

    assert_eq!(read.rows.len(), 150);
    let errors = report
        .warnings
        .iter()
        .filter(|w| w.kind == "cell_error")
        .count();
    assert_eq!(errors, 100);
    let truncated: Vec<_> = report
        .warnings
        .iter()
        .filter(|w| w.kind == "warnings_truncated")
        .collect();
    assert_eq!(truncated.len(), 1);
    assert!(
        truncated[0].message.contains("50 more"),
        "{}",
        truncated[0].message
    );
}

fn sample_zip() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/data/auxiliares.zip")
}

#[test]
fn sample_archive_read_whole() {
    let read = read_file_path(&sample_zip(), &IngestOptions::default());
    let summary = &read.summary;

    assert_eq!(summary.rows, 6_262);
    assert_eq!(read.rows.len(), 6_262);
    assert!(!summary.has_errors(), "{:#?}", summary.files);
    assert_eq!(summary.skipped.len(), 2, "{:#?}", summary.skipped);

    let workbook = "contabilidad/auxiliar_servicios_2024.xlsx";
    assert_eq!(
        tables(summary),
        [
            (
                "contabilidad/auxiliar_compras_a\u{f1}o_2024.csv",
                None,
                Format::Csv,
                2_087
            ),
            (workbook, Some("Enero-Junio"), Format::Xlsx, 1_043),
            (workbook, Some("Julio-Diciembre"), Format::Xlsx, 1_044),
            (
                "tesorer\u{ed}a/movimientos_2024.jsonl",
                None,
                Format::Jsonl,
                2_088
            ),
        ]
    );

    let csv = &summary.files[0];
    assert_eq!(csv.encoding.as_deref(), Some("windows-1252"));
    assert_eq!(csv.delimiter, Some(';'));

    let first_xlsx_row = read
        .rows
        .iter()
        .find(|row| row.sheet.is_some())
        .expect("rows from the workbook");
    assert!(
        matches!(first_xlsx_row.get("Fecha"), Some(Value::Date(_))),
        "{:?}",
        first_xlsx_row.get("Fecha")
    );

    let jsonl = &summary.files[3];
    assert!(
        jsonl
            .columns
            .iter()
            .any(|column| column == "proveedor.nombre"),
        "{:?}",
        jsonl.columns
    );
}
