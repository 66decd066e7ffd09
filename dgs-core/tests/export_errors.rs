//! Export errors: bad paths, extensions, options and rows.

mod export_support;

use calamine::{open_workbook, Reader, Xlsx};
use dgs_core::export::{ExportError, ExportFormat, ExportLayout, ExportOptions, Exporter};
use export_support::{fixture, summary};
use std::sync::Arc;

#[test]
fn missing_directory_names_path() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["salida.csv", "salida.jsonl", "salida.xlsx"] {
        let path = dir.path().join("no-such-dir").join(name);
        let error = Exporter::create(&path, None, ExportOptions::default(), fixture().layout)
            .err()
            .unwrap();

        assert!(
            matches!(
                error,
                ExportError::Io {
                    operation: "create",
                    ..
                }
            ),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
    }
}

#[test]
fn parent_is_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("archivo");
    std::fs::write(&blocker, "not a directory").unwrap();
    let path = blocker.join("salida.csv");

    let error = Exporter::create(&path, None, ExportOptions::default(), fixture().layout)
        .err()
        .unwrap();
    assert!(
        error.to_string().contains(&path.display().to_string()),
        "{error}"
    );
}

#[test]
fn unknown_extension_lists_supported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("salida.xls");
    let error = Exporter::create(&path, None, ExportOptions::default(), fixture().layout)
        .err()
        .unwrap();

    assert!(
        matches!(&error, ExportError::UnsupportedExtension { extension, .. } if extension == "xls")
    );
    let message = error.to_string();
    assert!(message.contains("\"xls\""), "{message}");
    assert!(message.contains(".csv, .jsonl or .xlsx"), "{message}");
    assert!(!path.exists());
}

#[test]
fn missing_extension_rejected() {
    let error = ExportFormat::from_path(std::path::Path::new("salida")).unwrap_err();
    assert!(
        matches!(&error, ExportError::UnsupportedExtension { extension, .. } if extension.is_empty())
    );
}

#[test]
fn format_from_extension() {
    let cases = [
        ("a.csv", ExportFormat::Csv),
        ("a.JSONL", ExportFormat::Jsonl),
        ("dir.v2/a.Xlsx", ExportFormat::Xlsx),
    ];
    for (path, expected) in cases {
        let format = ExportFormat::from_path(std::path::Path::new(path)).unwrap();
        assert_eq!(format, expected, "{path}");
    }
}

#[test]
fn invalid_options_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ExportOptions {
            csv_delimiter: '"',
            ..ExportOptions::default()
        },
        ExportOptions {
            csv_delimiter: 'ñ',
            ..ExportOptions::default()
        },
        ExportOptions {
            xlsx_max_rows_per_sheet: 1,
            ..ExportOptions::default()
        },
        ExportOptions {
            xlsx_max_rows_per_sheet: 1_048_577,
            ..ExportOptions::default()
        },
        ExportOptions {
            xlsx_data_sheet: "a/b".to_string(),
            ..ExportOptions::default()
        },
        ExportOptions {
            xlsx_data_sheet: "x".repeat(28),
            ..ExportOptions::default()
        },
        ExportOptions {
            xlsx_summary_sheet: " ".to_string(),
            ..ExportOptions::default()
        },
        ExportOptions {
            xlsx_summary_sheet: "CLASIFICACION".to_string(),
            ..ExportOptions::default()
        },
    ];

    for options in cases {
        let path = dir.path().join("salida.xlsx");
        let error = Exporter::create(&path, None, options.clone(), fixture().layout)
            .err()
            .unwrap();
        assert!(
            matches!(error, ExportError::InvalidOption { .. }),
            "{options:?}: {error:?}"
        );
        assert!(!path.exists());
    }
}

#[test]
fn duplicate_layout_column_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let layout = ExportLayout {
        original_columns: vec!["Año".to_string(), "Año".to_string()],
        clean_columns: vec![],
    };
    let error = Exporter::create(
        dir.path().join("a.csv"),
        None,
        ExportOptions::default(),
        layout,
    )
    .err()
    .unwrap();

    assert!(
        matches!(&error, ExportError::DuplicateColumn { list: "original_columns", column } if column == "Año")
    );
}

#[test]
fn unknown_column_names_row() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = fixture();
    let mut layout = fixture.layout.clone();
    layout
        .original_columns
        .retain(|column| column != "Proveedor");
    let mut exporter = Exporter::create(
        dir.path().join("a.jsonl"),
        None,
        ExportOptions::default(),
        layout,
    )
    .unwrap();

    exporter.write(&fixture.output(&fixture.cases[0])).unwrap();
    let error = exporter
        .write(&fixture.output(&fixture.cases[3]))
        .unwrap_err();

    let message = error.to_string();
    assert!(message.contains("row 3"), "{message}");
    assert!(message.contains("compras.xlsx"), "{message}");
    assert!(message.contains("line 5"), "{message}");
    assert!(message.contains("\"Proveedor\""), "{message}");

    // The rejected row wrote nothing and the exporter goes on.
    exporter.write(&fixture.output(&fixture.cases[6])).unwrap();
    let report = exporter.finish(&summary(2)).unwrap();
    assert_eq!(report.rows_written, 2);
    let text = std::fs::read_to_string(dir.path().join("a.jsonl")).unwrap();
    assert_eq!(text.lines().count(), 2);
}

#[test]
fn clean_value_count_checked() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = fixture();
    let mut exporter = Exporter::create(
        dir.path().join("a.csv"),
        None,
        ExportOptions::default(),
        fixture.layout.clone(),
    )
    .unwrap();

    let case = &fixture.cases[1];
    let clean = vec!["a".to_string(), "b".to_string()];
    let mut output = fixture.output(case);
    output.clean = &clean;
    let error = exporter.write(&output).unwrap_err();

    assert!(matches!(
        error,
        ExportError::CleanValueCount {
            row_index: 1,
            expected: 1,
            found: 2,
            ..
        }
    ));
    assert!(error.to_string().contains("ventas/2024.csv"));
}

#[test]
fn dropped_exporter_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = fixture();
    for name in ["a.csv", "a.jsonl", "a.xlsx"] {
        let path = dir.path().join(name);
        let mut exporter = Exporter::create(
            &path,
            None,
            ExportOptions::default(),
            fixture.layout.clone(),
        )
        .unwrap();
        exporter.write(&fixture.output(&fixture.cases[0])).unwrap();
        drop(exporter);

        assert!(!path.exists(), "{name}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn output_appears_only_at_finish() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.csv");
    std::fs::write(&path, "previous export").unwrap();
    let fixture = fixture();

    let mut exporter = Exporter::create(
        &path,
        None,
        ExportOptions::default(),
        fixture.layout.clone(),
    )
    .unwrap();
    exporter.write(&fixture.output(&fixture.cases[0])).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "previous export");

    exporter.finish(&summary(1)).unwrap();
    assert!(std::fs::read(&path)
        .unwrap()
        .starts_with(b"\xEF\xBB\xBFrow_index,"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn empty_export_has_header_only() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = fixture();
    for name in ["a.csv", "a.jsonl", "a.xlsx"] {
        let path = dir.path().join(name);
        let exporter = Exporter::create(
            &path,
            None,
            ExportOptions::default(),
            fixture.layout.clone(),
        )
        .unwrap();
        let report = exporter.finish(&summary(0)).unwrap();

        assert_eq!(report.rows_written, 0, "{name}");
        assert!(path.exists(), "{name}");
    }
    let csv = std::fs::read_to_string(dir.path().join("a.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1);
    assert_eq!(std::fs::read(dir.path().join("a.jsonl")).unwrap().len(), 0);

    let mut workbook: Xlsx<_> = open_workbook(dir.path().join("a.xlsx")).unwrap();
    let range = workbook.worksheet_range("clasificacion").unwrap();
    assert_eq!(range.height(), 1);
    assert_eq!(range.width(), 18);
}

#[test]
fn layout_union_first_seen_order() {
    let fixture = fixture();
    let mut tables: Vec<Arc<[String]>> = Vec::new();
    for case in &fixture.cases {
        if !tables
            .iter()
            .any(|table| Arc::ptr_eq(table, &case.row.columns))
        {
            tables.push(Arc::clone(&case.row.columns));
        }
    }

    let layout = ExportLayout::union_of(
        tables.iter().map(|table| table.iter()),
        vec!["cleanDescripción".to_string()],
    );
    assert_eq!(layout, fixture.layout);
}
