//! Ingest throughput through `read_path`: a Windows-1252 CSV with `;` and a JSONL file of
//! 50,000 generated Spanish ledger rows, and an XLSX workbook of 10,000 of them.
//!
//! Run: `cargo bench -p dgs-benches --bench ingest`. Files are written to a temporary
//! folder during setup; each iteration reads one file whole, visiting every row.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use dgs_core::ingest::{read_path, IngestEvent, IngestOptions};
use std::hint::black_box;
use std::ops::ControlFlow;
use std::path::Path;

/// Rows in the CSV and JSONL files.
const TEXT_ROWS: usize = 50_000;

/// Rows in the XLSX workbook, kept smaller because the workbook is built in memory.
const XLSX_ROWS: usize = 10_000;

const DESCRIPTIONS: [&str; 12] = [
    "Pago factura proveedor Ñandú Ltda.",
    "Compra de papelería y artículos de oficina",
    "Arriendo oficina central, mes de marzo",
    "Cuota leasing camioneta año 2024",
    "Servicio de aseo y mantención",
    "Honorarios asesoría contable",
    "Reembolso gastos de viaje a Concepción",
    "Consumo eléctrico sucursal Viña del Mar",
    "Suscripción software de gestión",
    "Compra café, azúcar y té para cafetería",
    "Reparación aire acondicionado",
    "Pago patente municipal ¿segundo semestre?",
];

const COST_CENTRES: [&str; 5] = ["ADM-01", "LOG-05", "MKT-03", "TI-04", "VEN-02"];

/// One generated ledger line.
struct LedgerRow {
    date: (u32, u32),
    account: u32,
    description: String,
    amount: f64,
    cost_centre: &'static str,
}

/// Generates `count` rows from a fixed linear congruential sequence, so every run reads
/// the same files.
fn ledger_rows(count: usize) -> Vec<LedgerRow> {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 33
    };

    (0..count)
        .map(|index| {
            let description = DESCRIPTIONS[next() as usize % DESCRIPTIONS.len()];
            LedgerRow {
                date: (1 + next() as u32 % 28, 1 + next() as u32 % 12),
                account: 4_100_000 + next() as u32 % 90_000,
                description: format!("{description} N° {index}"),
                amount: (next() % 10_000_000) as f64 / 100.0,
                cost_centre: COST_CENTRES[next() as usize % COST_CENTRES.len()],
            }
        })
        .collect()
}

/// Writes the rows as an Excel-style Spanish CSV: Windows-1252, `;`, decimal comma.
fn write_csv(path: &Path, rows: &[LedgerRow]) {
    let mut text = String::from("Fecha;Cuenta;Descripción;Importe;Centro de costo\r\n");
    for row in rows {
        let amount = format!("{:.2}", row.amount).replace('.', ",");
        text.push_str(&format!(
            "{:02}/{:02}/2024;{};{};{};{}\r\n",
            row.date.0, row.date.1, row.account, row.description, amount, row.cost_centre
        ));
    }
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable, "generated text fits Windows-1252");
    std::fs::write(path, bytes).expect("write CSV");
}

/// Writes the rows as JSON lines with a nested object, as exported by treasury systems.
fn write_jsonl(path: &Path, rows: &[LedgerRow]) {
    let mut text = String::new();
    for row in rows {
        let line = serde_json::json!({
            "fecha": format!("2024-{:02}-{:02}", row.date.1, row.date.0),
            "cuenta": row.account,
            "descripcion": row.description,
            "importe": row.amount,
            "centro": { "codigo": row.cost_centre },
        });
        text.push_str(&line.to_string());
        text.push('\n');
    }
    std::fs::write(path, text).expect("write JSONL");
}

/// Writes the rows as a workbook with a title row, dates and numbers.
fn write_xlsx(path: &Path, rows: &[LedgerRow]) {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let date_format = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    let sheet = workbook.add_worksheet();
    sheet
        .write_string(0, 0, "Libro auxiliar 2024")
        .expect("title");
    let header = [
        "Fecha",
        "Cuenta",
        "Descripción",
        "Importe",
        "Centro de costo",
    ];
    for (column, name) in header.iter().enumerate() {
        sheet.write_string(2, column as u16, *name).expect("header");
    }

    for (index, row) in rows.iter().enumerate() {
        let line = 3 + index as u32;
        let date =
            rust_xlsxwriter::ExcelDateTime::from_ymd(2024, row.date.1 as u8, row.date.0 as u8)
                .expect("valid date");
        sheet
            .write_datetime_with_format(line, 0, &date, &date_format)
            .expect("date");
        sheet
            .write_number(line, 1, f64::from(row.account))
            .expect("account");
        sheet
            .write_string(line, 2, &row.description)
            .expect("description");
        sheet.write_number(line, 3, row.amount).expect("amount");
        sheet
            .write_string(line, 4, row.cost_centre)
            .expect("cost centre");
    }
    workbook.save(path).expect("write XLSX");
}

/// Reads `path` whole and returns the number of rows, failing on any file error.
fn read_all(path: &Path, options: &IngestOptions) -> u64 {
    let summary = read_path(path, options, |event| {
        if let IngestEvent::Row(row) = event {
            black_box(row);
        }
        ControlFlow::Continue(())
    })
    .expect("input exists");
    assert!(!summary.has_errors(), "{:#?}", summary.files);
    summary.rows
}

fn ingest(c: &mut Criterion) {
    let folder = tempfile::tempdir().expect("temporary folder");
    let text_rows = ledger_rows(TEXT_ROWS);
    let files = [
        ("csv_windows1252_50k", "libro.csv", TEXT_ROWS),
        ("jsonl_50k", "movimientos.jsonl", TEXT_ROWS),
        ("xlsx_10k", "auxiliar.xlsx", XLSX_ROWS),
    ];
    write_csv(&folder.path().join(files[0].1), &text_rows);
    write_jsonl(&folder.path().join(files[1].1), &text_rows);
    write_xlsx(&folder.path().join(files[2].1), &text_rows[..XLSX_ROWS]);

    let options = IngestOptions::default();
    let mut group = c.benchmark_group("ingest");
    for (name, file, rows) in files {
        let path = folder.path().join(file);
        let bytes = std::fs::metadata(&path).expect("file written").len();
        assert_eq!(read_all(&path, &options), rows as u64, "{file} reads whole");

        group.throughput(Throughput::Bytes(bytes));
        group.bench_function(name, |bencher| bencher.iter(|| read_all(&path, &options)));
    }
    group.finish();
}

criterion_group!(benches, ingest);
criterion_main!(benches);
