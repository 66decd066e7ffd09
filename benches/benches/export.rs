//! Export throughput: 100,000 rows from two tables with different columns, written as CSV,
//! JSONL and XLSX into a temporary directory.
//!
//! Run with `cargo bench -p dgs-benches --bench export`.

use chrono::{NaiveDate, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use dgs_core::classify::{Classification, ClassificationStatus};
use dgs_core::export::{
    ExportFormat, ExportLayout, ExportOptions, ExportSummary, Exporter, OutputRow,
};
use dgs_core::ingest::Row;
use dgs_core::Value;
use std::hint::black_box;
use std::sync::Arc;

const ROWS: usize = 100_000;

/// Rows and the data derived for them, built once per benchmark run.
struct Input {
    rows: Vec<Row>,
    clean: Vec<Vec<String>>,
    groups: Vec<u64>,
    classifications: Vec<Classification>,
    layout: ExportLayout,
}

fn input() -> Input {
    let ledger: Arc<[String]> = [
        "Fecha",
        "Cuenta",
        "Descripción",
        "Importe",
        "Centro de costo",
    ]
    .map(String::from)
    .into();
    let purchases: Arc<[String]> = ["Descripción", "Proveedor", "Fecha", "Importe", "Pagado"]
        .map(String::from)
        .into();
    let descriptions = [
        "Señalética vial zona norte",
        "Papelería y útiles de oficina",
        "Combustible flota camiones",
        "Servicio de aseo mensual",
        "Mantención de ascensores Año 2024",
    ];
    let categories = ["Señalética", "Oficina", "Combustible", "Aseo", "Mantención"];
    let first_date = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();

    let mut rows = Vec::with_capacity(ROWS);
    let mut clean = Vec::with_capacity(ROWS);
    let mut groups = Vec::with_capacity(ROWS);
    for index in 0..ROWS {
        let description = format!("{} {}", descriptions[index % 5], index % 997);
        let date = Value::Date(first_date + chrono::Days::new((index % 365) as u64));
        let amount = Value::Float((index % 10_000) as f64 * 1.25);

        let (file, columns, values) = if index % 3 == 0 {
            let values = vec![
                Value::Text(description.clone()),
                Value::Text(format!("Proveedor {}", index % 50)),
                date,
                amount,
                Value::Bool(index % 2 == 0),
            ];
            ("compras.csv", Arc::clone(&purchases), values)
        } else {
            let values = vec![
                date,
                Value::Int(4_100_000 + (index % 300) as i64),
                Value::Text(description.clone()),
                amount,
                if index % 7 == 0 {
                    Value::Null
                } else {
                    Value::Text(format!("CC-{}", index % 40))
                },
            ];
            ("libro_mayor.xlsx", Arc::clone(&ledger), values)
        };

        rows.push(Row {
            row_index: index as u64,
            file: Arc::from(file),
            sheet: None,
            line: index as u64 + 2,
            columns,
            values,
        });
        clean.push(vec![description.to_lowercase()]);
        groups.push((index % 4_985) as u64);
    }

    let classifications = (0..5)
        .map(|index| Classification {
            id: index as u64,
            category: categories[index].to_string(),
            score: 0.8,
            reason: format!("La descripción corresponde a {}", categories[index]),
            status: ClassificationStatus::Ok,
            attempts: 1,
        })
        .collect();

    let layout = ExportLayout::union_of(
        [ledger.iter(), purchases.iter()],
        vec!["cleanDescripción".to_string()],
    );

    Input {
        rows,
        clean,
        groups,
        classifications,
        layout,
    }
}

fn summary() -> ExportSummary {
    ExportSummary {
        rows: ROWS as u64,
        groups: 4_985,
        created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        ..ExportSummary::default()
    }
}

fn export_all(input: &Input, path: &std::path::Path, format: ExportFormat) {
    let mut exporter = Exporter::create(
        path,
        Some(format),
        ExportOptions::default(),
        input.layout.clone(),
    )
    .unwrap();

    for (index, row) in input.rows.iter().enumerate() {
        let output = OutputRow {
            row,
            clean: &input.clean[index],
            group: input.groups[index],
            classification: &input.classifications[index % 5],
            prompt_version: 1,
            iteration: 1,
        };
        exporter.write(&output).unwrap();
    }

    black_box(exporter.finish(&summary()).unwrap());
}

fn bench_export(criterion: &mut Criterion) {
    let input = input();
    let dir = tempfile::tempdir().unwrap();

    let mut group = criterion.benchmark_group("export_100k_rows");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ROWS as u64));
    for format in [ExportFormat::Csv, ExportFormat::Jsonl, ExportFormat::Xlsx] {
        let path = dir.path().join(format!("salida.{}", format.extension()));
        group.bench_function(format.extension(), |bencher| {
            bencher.iter(|| export_all(&input, &path, format));
        });
    }
    group.finish();
}

criterion_group!(benches, bench_export);
criterion_main!(benches);
