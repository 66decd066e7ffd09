//! Tests of the XLSX reader on workbooks generated with rust_xlsxwriter, some patched inside
//! their ZIP to reach cases the writer cannot produce.

use super::collect::{CollectedTable, CollectingSink};
use super::xlsx::read_xlsx;
use super::{IngestError, IngestOptions};
use crate::Value;
use chrono::NaiveDate;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
use std::io::{Cursor, Read, Write};

fn read(data: Vec<u8>) -> (CollectingSink, Result<(), IngestError>) {
    let mut sink = CollectingSink::default();
    let result = read_xlsx("in/ledger.xlsx", data, &IngestOptions::default(), &mut sink);
    (sink, result)
}

fn text(value: &str) -> Value {
    Value::Text(value.to_owned())
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Rewrites one entry of a ZIP archive with `patch`.
fn patch_zip(data: &[u8], entry: &str, patch: impl Fn(String) -> String) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(data)).unwrap();
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let mut found = false;

    for index in 0..archive.len() {
        let mut file = archive.by_index(index).unwrap();
        let name = file.name().unwrap().into_owned();
        let mut contents = Vec::new();
        file.read_to_end(&mut contents).unwrap();
        if name == entry {
            found = true;
            contents = patch(String::from_utf8(contents).unwrap()).into_bytes();
        }
        writer
            .start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(&contents).unwrap();
    }

    assert!(found, "no entry {entry} in the workbook");
    writer.finish().unwrap().into_inner()
}

/// Two sheets. "Ventas" has a merged title in B1:E1, a blank row 2, the header in row 3
/// starting at column B (column A is empty), an empty and a duplicate header name, dates,
/// numbers stored as text, booleans, formulas with cached results, an error result, a
/// vertical merge C4:C5 and a blank row 6. "Compras" is a plain table.
fn ledger_workbook() -> Vec<u8> {
    let mut workbook = Workbook::new();
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    let datetime_format = Format::new().set_num_format("dd/mm/yyyy hh:mm");

    let sheet = workbook.add_worksheet();
    sheet.set_name("Ventas").unwrap();
    sheet
        .merge_range(0, 1, 0, 4, "Informe de ventas 2024", &Format::new())
        .unwrap();
    for (column, name) in [
        (1, "Fecha"),
        (2, " Cuenta "),
        (3, "Cuenta"),
        (5, "Importe"),
        (6, "\"Código\""),
    ] {
        sheet.write_string(2, column, name).unwrap();
    }

    sheet
        .write_datetime_with_format(
            3,
            1,
            ExcelDateTime::from_ymd(2024, 3, 31).unwrap(),
            &date_format,
        )
        .unwrap();
    sheet
        .merge_range(3, 2, 4, 2, "Caja", &Format::new())
        .unwrap();
    sheet.write_string(3, 3, "00123").unwrap();
    sheet.write_boolean(3, 4, true).unwrap();
    sheet.write_number(3, 5, 1500.0).unwrap();
    sheet
        .write_formula(3, 6, Formula::new("=F4*2").set_result("3000"))
        .unwrap();

    let morning = ExcelDateTime::from_ymd(2024, 3, 31)
        .unwrap()
        .and_hms(8, 15, 0)
        .unwrap();
    sheet
        .write_datetime_with_format(4, 1, morning, &datetime_format)
        .unwrap();
    sheet.write_string(4, 3, "00456").unwrap();
    sheet.write_boolean(4, 4, false).unwrap();
    sheet.write_number(4, 5, 12.5).unwrap();
    sheet
        .write_formula(4, 6, Formula::new("=1/0").set_result("#DIV/0!"))
        .unwrap();

    sheet
        .write_datetime_with_format(
            6,
            1,
            ExcelDateTime::from_ymd(2024, 4, 2).unwrap(),
            &date_format,
        )
        .unwrap();
    sheet.write_string(6, 2, "Bancos").unwrap();
    sheet.write_string(6, 3, "789").unwrap();
    sheet.write_number(6, 5, -3.0).unwrap();
    sheet
        .write_formula(6, 6, Formula::new("=C7").set_result("Bancos"))
        .unwrap();

    let sheet = workbook.add_worksheet();
    sheet.set_name("Compras").unwrap();
    sheet.write_string(0, 0, "Proveedor").unwrap();
    sheet.write_string(0, 1, "Total").unwrap();
    sheet.write_string(1, 0, "Acme").unwrap();
    sheet.write_number(1, 1, 10.0).unwrap();
    sheet.write_string(2, 0, "Globex").unwrap();
    sheet.write_number(2, 1, 20.25).unwrap();

    workbook.save_to_buffer().unwrap()
}

fn ventas(sink: &CollectingSink) -> &CollectedTable {
    &sink.tables[0]
}

#[test]
fn sheets_read_in_workbook_order() {
    let (sink, result) = read(ledger_workbook());
    result.unwrap();

    let sheets: Vec<_> = sink
        .tables
        .iter()
        .map(|t| t.info.sheet.clone().unwrap())
        .collect();
    assert_eq!(sheets, ["Ventas", "Compras"]);

    let compras = &sink.tables[1];
    assert_eq!(compras.info.columns, ["Proveedor", "Total"]);
    assert_eq!(
        compras.column("Total"),
        [Value::Int(10), Value::Float(20.25)]
    );
    let lines: Vec<u64> = compras.records.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, [2, 3]);
}

#[test]
fn header_found_below_title_and_blank_row() {
    let (sink, _) = read(ledger_workbook());
    let table = ventas(&sink);

    assert_eq!(
        table.info.columns,
        ["Fecha", "Cuenta", "Cuenta_2", "column_4", "Importe", "Código"]
    );

    let titles = table.warnings_of("title_row");
    assert_eq!(titles.len(), 1);
    assert_eq!(titles[0].line, Some(1));
    assert!(
        titles[0].message.contains("Informe de ventas 2024"),
        "{}",
        titles[0].message
    );
    assert_eq!(table.warnings_of("duplicate_header").len(), 1);
    assert_eq!(table.warnings_of("empty_header").len(), 1);
}

#[test]
fn blank_rows_skipped_lines_are_rows() {
    let (sink, _) = read(ledger_workbook());
    let lines: Vec<u64> = ventas(&sink)
        .records
        .iter()
        .map(|(line, _)| *line)
        .collect();
    assert_eq!(lines, [4, 5, 7]);
}

#[test]
fn cell_types_converted() {
    let (sink, _) = read(ledger_workbook());
    let table = ventas(&sink);

    assert_eq!(
        table.column("Fecha"),
        [
            Value::Date(date(2024, 3, 31)),
            Value::DateTime(date(2024, 3, 31).and_hms_opt(8, 15, 0).unwrap()),
            Value::Date(date(2024, 4, 2)),
        ]
    );
    assert_eq!(
        table.column("Cuenta_2"),
        [text("00123"), text("00456"), text("789")]
    );
    assert_eq!(
        table.column("column_4"),
        [Value::Bool(true), Value::Bool(false), Value::Null]
    );
    assert_eq!(
        table.column("Importe"),
        [Value::Int(1500), Value::Float(12.5), Value::Int(-3)]
    );
}

#[test]
fn formulas_give_cached_values() {
    let (sink, _) = read(ledger_workbook());
    let table = ventas(&sink);

    assert_eq!(
        table.column("Código"),
        [Value::Int(3000), text("#DIV/0!"), text("Bancos")]
    );

    let errors = table.warnings_of("cell_error");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, Some(5));
    assert!(errors[0].message.contains("G5"), "{}", errors[0].message);
    assert!(
        errors[0].message.contains("#DIV/0!"),
        "{}",
        errors[0].message
    );
}

#[test]
fn merged_range_value_propagated() {
    let (sink, _) = read(ledger_workbook());
    let table = ventas(&sink);

    assert_eq!(
        table.column("Cuenta"),
        [text("Caja"), text("Caja"), text("Bancos")]
    );

    let merged = table.warnings_of("merged_cells");
    assert_eq!(merged.len(), 1, "{merged:?}");
    assert_eq!(merged[0].line, Some(4));
    assert!(merged[0].message.contains("C4:C5"), "{}", merged[0].message);
}

/// Builds a sheet of date-formatted serial numbers in the 1904 date system.
fn workbook_1904() -> Vec<u8> {
    let mut workbook = Workbook::new();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "Fecha").unwrap();
    // 43920 days after 1904-01-01 is 2024-03-31; in the 1900 system it would be 2020-03-30.
    sheet
        .write_number_with_format(1, 0, 43920.0, &date_format)
        .unwrap();
    sheet
        .write_number_with_format(2, 0, 43920.5, &date_format)
        .unwrap();
    let data = workbook.save_to_buffer().unwrap();

    patch_zip(&data, "xl/workbook.xml", |xml| {
        assert!(xml.contains("<workbookPr"), "{xml}");
        xml.replace("<workbookPr", "<workbookPr date1904=\"1\"")
    })
}

#[test]
fn dates_in_1904_system() {
    let (sink, result) = read(workbook_1904());
    result.unwrap();

    assert_eq!(
        sink.single().column("Fecha"),
        [
            Value::Date(date(2024, 3, 31)),
            Value::DateTime(date(2024, 3, 31).and_hms_opt(12, 0, 0).unwrap()),
        ]
    );
}

#[test]
fn lying_dimension_ignored() {
    let data = patch_zip(&ledger_workbook(), "xl/worksheets/sheet2.xml", |xml| {
        let start = xml.find("<dimension ref=\"").expect("dimension element");
        let end = start + xml[start..].find("/>").unwrap() + 2;
        format!(
            "{}<dimension ref=\"A1:XFD1048576\"/>{}",
            &xml[..start],
            &xml[end..]
        )
    });

    let (sink, result) = read(data);
    result.unwrap();

    let compras = &sink.tables[1];
    assert_eq!(compras.info.columns, ["Proveedor", "Total"]);
    assert_eq!(compras.records.len(), 2);
}

#[test]
fn corrupt_workbook_names_path() {
    let (sink, result) = read(b"PK\x03\x04 not really a workbook".to_vec());

    match result {
        Err(IngestError::Workbook { path, sheet, .. }) => {
            assert_eq!(path, "in/ledger.xlsx");
            assert_eq!(sheet, None);
        }
        other => panic!("expected a workbook error, got {other:?}"),
    }
    assert!(sink.tables.is_empty());
}

#[test]
fn broken_sheet_fails_alone() {
    // Cut the first sheet's XML right after worksheet row 4.
    let data = patch_zip(&ledger_workbook(), "xl/worksheets/sheet1.xml", |xml| {
        let cut = xml.find("<row r=\"5\"").expect("row 5");
        xml[..cut].to_owned()
    });

    let (sink, result) = read(data);

    match result {
        Err(IngestError::Workbook {
            path,
            sheet,
            message,
        }) => {
            assert_eq!(path, "in/ledger.xlsx");
            assert_eq!(sheet.as_deref(), Some("Ventas"));
            assert!(message.contains("row 4"), "{message}");
        }
        other => panic!("expected a sheet error, got {other:?}"),
    }

    let ventas = ventas(&sink);
    assert_eq!(ventas.records.len(), 1, "rows before the error are kept");
    assert_eq!(ventas.warnings_of("sheet_error").len(), 1);
    assert_eq!(
        sink.tables[1].records.len(),
        2,
        "the other sheet is still read"
    );
}

#[test]
fn malformed_sheet_keeps_rows_before() {
    // An unclosed comment is an XML syntax error that hides the merged ranges too.
    let data = patch_zip(&ledger_workbook(), "xl/worksheets/sheet1.xml", |xml| {
        xml.replace("<row r=\"5\"", "<!-- <row r=\"5\"")
    });

    let (sink, result) = read(data);

    let Err(IngestError::Workbook { sheet, message, .. }) = result else {
        panic!("expected a sheet error, got {result:?}");
    };
    assert_eq!(sheet.as_deref(), Some("Ventas"));
    assert!(message.contains("row 4"), "{message}");

    let ventas = ventas(&sink);
    assert_eq!(ventas.records.len(), 1);
    assert_eq!(ventas.warnings_of("merged_cells_unread").len(), 1);
    assert_eq!(ventas.warnings_of("sheet_error").len(), 1);
    assert_eq!(sink.tables[1].records.len(), 2);
}

#[test]
fn empty_sheet_reported() {
    let mut workbook = Workbook::new();
    workbook.add_worksheet().set_name("Vacia").unwrap();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "Cuenta").unwrap();
    sheet.write_string(1, 0, "Caja").unwrap();

    let (sink, result) = read(workbook.save_to_buffer().unwrap());
    result.unwrap();

    assert_eq!(sink.tables.len(), 2);
    assert!(sink.tables[0].info.columns.is_empty());
    assert!(sink.tables[0].records.is_empty());
    assert_eq!(sink.tables[0].warnings_of("empty_sheet").len(), 1);
    assert_eq!(sink.tables[1].records.len(), 1);
}

#[test]
fn data_right_of_header_kept() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "Cuenta").unwrap();
    sheet.write_string(0, 1, "Nombre").unwrap();
    sheet.write_string(1, 0, "100").unwrap();
    sheet.write_string(1, 1, "Caja").unwrap();
    for row in 2..30 {
        sheet.write_string(row, 0, "200").unwrap();
        sheet.write_string(row, 1, "Bancos").unwrap();
    }
    sheet.write_string(29, 2, "nota tardía").unwrap();

    let (sink, _) = read(workbook.save_to_buffer().unwrap());
    let table = sink.single();

    assert_eq!(table.info.columns, ["Cuenta", "Nombre", "column_3"]);
    assert_eq!(table.records.len(), 29);
    assert_eq!(table.records[28].1[2], text("nota tardía"));
}

#[test]
fn consumer_break_stops_reading() {
    let mut sink = CollectingSink::stopping_after(1);
    read_xlsx(
        "in/ledger.xlsx",
        ledger_workbook(),
        &IngestOptions::default(),
        &mut sink,
    )
    .unwrap();

    assert_eq!(sink.tables.len(), 1);
    assert_eq!(sink.tables[0].records.len(), 1);
}

#[test]
fn repeated_errors_capped() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "Ratio").unwrap();
    for row in 1..=150 {
        sheet
            .write_formula(row, 0, Formula::new("=1/0").set_result("#DIV/0!"))
            .unwrap();
    }

    let (sink, _) = read(workbook.save_to_buffer().unwrap());
    let table = sink.single();

    assert_eq!(table.records.len(), 150);
    assert_eq!(table.warnings_of("cell_error").len(), 100);
    let truncated = table.warnings_of("warnings_truncated");
    assert_eq!(truncated.len(), 1);
    assert!(
        truncated[0].message.contains("50 more"),
        "{}",
        truncated[0].message
    );
}

#[test]
fn merged_title_counts_as_one_cell() {
    // Filled in, the title would span as many text cells as the header and win as the first.
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet
        .merge_range(0, 0, 0, 2, "Libro mayor", &Format::new())
        .unwrap();
    sheet.write_string(1, 0, "Cuenta").unwrap();
    sheet.write_string(1, 1, "Nombre").unwrap();
    sheet.write_string(1, 2, "Saldo").unwrap();
    sheet.write_number(2, 0, 100.0).unwrap();
    sheet.write_string(2, 1, "Caja").unwrap();
    sheet.write_number(2, 2, 5.0).unwrap();

    let (sink, _) = read(workbook.save_to_buffer().unwrap());
    let table = sink.single();

    assert_eq!(table.info.columns, ["Cuenta", "Nombre", "Saldo"]);
    assert_eq!(table.records.len(), 1);
    assert_eq!(table.warnings_of("title_row").len(), 1);
    assert!(table.warnings_of("merged_cells").is_empty());
}

#[test]
fn merged_header_cell_named_twice() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "Cuenta").unwrap();
    sheet
        .merge_range(0, 1, 0, 2, "Importe", &Format::new())
        .unwrap();
    sheet.write_string(1, 0, "Caja").unwrap();
    sheet.write_number(1, 1, 1.0).unwrap();
    sheet.write_number(1, 2, 2.0).unwrap();

    let (sink, _) = read(workbook.save_to_buffer().unwrap());
    let table = sink.single();

    assert_eq!(table.info.columns, ["Cuenta", "Importe", "Importe_2"]);
    assert_eq!(table.warnings_of("merged_cells").len(), 1);
}
