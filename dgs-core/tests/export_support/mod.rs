//! Input rows, classifications and a summary shared by the export tests: three tables with
//! different columns, typed values, nulls and accented text.

#![allow(dead_code)]

use chrono::{NaiveDate, TimeZone, Utc};
use dgs_core::classify::{Classification, ClassificationStatus, FALLBACK_CATEGORY, MISSING_REASON};
use dgs_core::export::{
    CategoryCount, ExportFormat, ExportLayout, ExportOptions, ExportReport, ExportSummary,
    Exporter, OutputRow,
};
use dgs_core::ingest::Row;
use dgs_core::Value;
use std::path::Path;
use std::sync::Arc;

/// One input row with what the job derived for it.
pub struct Case {
    pub row: Row,
    pub clean: Vec<String>,
    pub group: u64,
    /// Index into [`Fixture::classifications`].
    pub classification: usize,
}

pub struct Fixture {
    pub cases: Vec<Case>,
    pub classifications: Vec<Classification>,
    pub layout: ExportLayout,
}

/// Column union of the three tables in first-seen order.
pub const UNION: [&str; 6] = [
    "Fecha",
    "Descripción",
    "Importe",
    "Año",
    "Proveedor",
    "Activo",
];

pub fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

fn text(value: &str) -> Value {
    Value::Text(value.to_string())
}

fn columns(names: &[&str]) -> Arc<[String]> {
    names.iter().map(|name| name.to_string()).collect()
}

/// Builds nine rows from a CSV file, a workbook sheet and a JSONL file.
pub fn fixture() -> Fixture {
    let ventas = columns(&["Fecha", "Descripción", "Importe", "Año"]);
    let compras = columns(&["Descripción", "Proveedor", "Fecha", "Importe"]);
    let extra = columns(&["Descripción", "Activo"]);

    let ventas_file: Arc<str> = Arc::from("ventas/2024.csv");
    let compras_file: Arc<str> = Arc::from("compras.xlsx");
    let extra_file: Arc<str> = Arc::from("extra.jsonl");
    let hoja: Arc<str> = Arc::from("Hoja1");

    let mut rows = Vec::new();
    let mut add =
        |file: &Arc<str>, sheet: Option<&Arc<str>>, line, names: &Arc<[String]>, values| {
            rows.push(Row {
                row_index: rows.len() as u64,
                file: Arc::clone(file),
                sheet: sheet.cloned(),
                line,
                columns: Arc::clone(names),
                values,
            });
        };

    add(
        &ventas_file,
        None,
        2,
        &ventas,
        vec![
            Value::Date(date(2024, 3, 31)),
            text("Señalética vial"),
            Value::Float(1234.5),
            Value::Int(2024),
        ],
    );
    add(
        &ventas_file,
        None,
        3,
        &ventas,
        vec![
            Value::Date(date(2024, 4, 1)),
            text("Papelería; oficina \"central\""),
            Value::Float(12.0),
            Value::Null,
        ],
    );
    add(
        &ventas_file,
        None,
        4,
        &ventas,
        vec![
            Value::Null,
            text("Señalética vial"),
            Value::Float(-0.25),
            Value::Int(2023),
        ],
    );
    add(
        &compras_file,
        Some(&hoja),
        5,
        &compras,
        vec![
            text("Combustible\nflota"),
            text("Petróleos del Año S.A."),
            Value::DateTime(date(2024, 5, 6).and_hms_opt(14, 30, 15).unwrap()),
            Value::Int(-7),
        ],
    );
    add(
        &compras_file,
        Some(&hoja),
        6,
        &compras,
        vec![
            text("Mantención"),
            Value::Null,
            Value::Date(date(1850, 1, 1)),
            Value::Int(1_234_567_890_123_456_789),
        ],
    );
    add(
        &compras_file,
        Some(&hoja),
        7,
        &compras,
        vec![
            text("Combustible flota"),
            text(""),
            Value::Date(date(2023, 12, 31)),
            Value::Float(99.99),
        ],
    );
    add(
        &extra_file,
        None,
        1,
        &extra,
        vec![text("Servicio de aseo"), Value::Bool(true)],
    );
    add(
        &extra_file,
        None,
        2,
        &extra,
        vec![text("Señalética vial"), Value::Bool(false)],
    );
    add(&extra_file, None, 4, &extra, vec![text("???"), Value::Null]);

    let classifications = vec![
        classification(0, "Señalética", 0.85, ClassificationStatus::Ok),
        classification(1, "Oficina", 1.0, ClassificationStatus::Cached),
        classification(3, "Combustible", 0.7, ClassificationStatus::Ok),
        Classification {
            id: 4,
            category: FALLBACK_CATEGORY.to_string(),
            score: -1.0,
            reason: MISSING_REASON.to_string(),
            status: ClassificationStatus::Missing,
            attempts: 2,
        },
        classification(6, "Aseo", 0.5, ClassificationStatus::Ok),
    ];

    // Rows 0, 2 and 7 share the description, so they share group 0.
    let plan: [(u64, usize); 9] = [
        (0, 0),
        (1, 1),
        (0, 0),
        (3, 2),
        (4, 3),
        (3, 2),
        (6, 4),
        (0, 0),
        (8, 3),
    ];
    let cases = rows
        .into_iter()
        .zip(plan)
        .map(|(row, (group, classification))| {
            let description = row
                .get("Descripción")
                .map(|value| value.to_string())
                .unwrap_or_default();
            Case {
                clean: vec![description.to_lowercase().replace('\n', " ")],
                row,
                group,
                classification,
            }
        })
        .collect();

    let layout = ExportLayout {
        original_columns: UNION.iter().map(|name| name.to_string()).collect(),
        clean_columns: vec!["cleanDescripción".to_string()],
    };

    Fixture {
        cases,
        classifications,
        layout,
    }
}

fn classification(
    id: u64,
    category: &str,
    score: f64,
    status: ClassificationStatus,
) -> Classification {
    Classification {
        id,
        category: category.to_string(),
        score,
        reason: format!("Coincide con {category}"),
        status,
        attempts: 1,
    }
}

impl Fixture {
    /// Pairs a case with its classification, prompt version 3, iteration 1.
    pub fn output<'a>(&'a self, case: &'a Case) -> OutputRow<'a> {
        OutputRow {
            row: &case.row,
            clean: &case.clean,
            group: case.group,
            classification: &self.classifications[case.classification],
            prompt_version: 3,
            iteration: 1,
        }
    }
}

pub fn summary(rows: u64) -> ExportSummary {
    ExportSummary {
        rows,
        groups: 6,
        chunks: 2,
        cache_hits: 1,
        tokens_in: 1200,
        tokens_out: 340,
        cost: Some(0.0123),
        fallback_rows: 2,
        fallback_groups: 2,
        categories: vec![
            CategoryCount {
                category: "Señalética".to_string(),
                rows: 3,
                groups: 1,
            },
            CategoryCount {
                category: FALLBACK_CATEGORY.to_string(),
                rows: 2,
                groups: 2,
            },
        ],
        prompt_id: "contable-es".to_string(),
        prompt_version: 3,
        provider: "keyword".to_string(),
        model: "offline".to_string(),
        duration_seconds: 1.5,
        created_at: Utc.with_ymd_and_hms(2026, 12, 4, 20, 0, 0).unwrap(),
    }
}

/// Writes every case of the fixture and finishes the export.
pub fn export(
    fixture: &Fixture,
    path: &Path,
    format: Option<ExportFormat>,
    options: ExportOptions,
) -> ExportReport {
    let mut exporter = Exporter::create(path, format, options, fixture.layout.clone()).unwrap();
    for case in &fixture.cases {
        exporter.write(&fixture.output(case)).unwrap();
    }
    exporter
        .finish(&summary(fixture.cases.len() as u64))
        .unwrap()
}

/// The original fields of each fixture row as CSV text, in [`UNION`] order.
pub const EXPECTED_TEXT: [[&str; 6]; 9] = [
    ["2024-03-31", "Señalética vial", "1234.5", "2024", "", ""],
    [
        "2024-04-01",
        "Papelería; oficina \"central\"",
        "12",
        "",
        "",
        "",
    ],
    ["", "Señalética vial", "-0.25", "2023", "", ""],
    [
        "2024-05-06T14:30:15",
        "Combustible\nflota",
        "-7",
        "",
        "Petróleos del Año S.A.",
        "",
    ],
    [
        "1850-01-01",
        "Mantención",
        "1234567890123456789",
        "",
        "",
        "",
    ],
    ["2023-12-31", "Combustible flota", "99.99", "", "", ""],
    ["", "Servicio de aseo", "", "", "", "true"],
    ["", "Señalética vial", "", "", "", "false"],
    ["", "???", "", "", "", ""],
];

/// Returns every header of the fixture's output, in order.
pub fn expected_header() -> Vec<&'static str> {
    let mut header = vec!["row_index", "file", "sheet", "line"];
    header.extend(UNION);
    header.push("cleanDescripción");
    header.extend([
        "group",
        "category",
        "score",
        "reason",
        "status",
        "prompt_version",
        "iteration",
    ]);
    header
}
