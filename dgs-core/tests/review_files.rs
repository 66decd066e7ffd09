//! Review files written, read back with calamine, filled as a reviewer would, and imported.

use calamine::{open_workbook, Data, Reader, Xlsx};
use dgs_core::review::{
    match_category, read_verdicts, write_review_file, ImportedVerdict, ReviewFileError,
    ReviewFileOptions, ReviewFormat, ReviewItem, ReviewLanguage, VerdictImport,
};
use dgs_core::store::VerdictKind;
use rust_xlsxwriter::Workbook;
use std::io::Read;
use std::path::{Path, PathBuf};

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

fn item(group_id: u64, description: &str, category: &str, score: f64) -> ReviewItem {
    ReviewItem {
        group_id,
        group_size: group_id * 3,
        fields: pairs(&[
            ("descripcion", description),
            ("comentario", "campo del archivo"),
        ]),
        original: pairs(&[("archivo", "enero.xlsx"), ("linea", "12")]),
        category: category.to_owned(),
        score,
        reason: format!("menciona {description}"),
    }
}

fn items() -> Vec<ReviewItem> {
    vec![
        item(11, "Pago luz enero", "Energía", 0.92),
        item(12, "Pasaje aéreo", "Energía", 0.41),
        item(13, "Agua mineral", "Agua", 0.77),
    ]
}

/// Forty categories with long names, so the list is far over Excel's 255-character limit
/// for inline lists.
fn categories() -> Vec<String> {
    let mut list = vec![
        "Energía".to_owned(),
        "Agua".to_owned(),
        "Gastos de viaje".to_owned(),
    ];
    list.extend((4..=40).map(|number| format!("Categoría de gasto operativo número {number}")));
    list
}

fn zip_entry(path: &Path, name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut entry = archive.by_name(name).unwrap();
    let mut text = String::new();
    entry.read_to_string(&mut text).unwrap();
    text
}

fn cell_texts(row: &[Data]) -> Vec<String> {
    row.iter().map(|cell| cell.to_string()).collect()
}

fn write_xlsx(dir: &Path, name: &str, options: &ReviewFileOptions) -> PathBuf {
    let path = dir.join(name);
    write_review_file(&path, None, &items(), &categories(), options).unwrap();
    path
}

#[test]
fn xlsx_review_sheet_layout() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_xlsx(dir.path(), "revision.xlsx", &ReviewFileOptions::default());

    let mut workbook: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        ["revision", "instrucciones", "categorias"]
    );

    let range = workbook.worksheet_range("revision").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(
        cell_texts(rows[0]),
        [
            "grupo",
            "filas",
            "descripcion",
            "comentario (campo)",
            "original: archivo",
            "original: linea",
            "categoria_predicha",
            "puntaje",
            "razon",
            "veredicto",
            "categoria_correcta",
            "comentario",
        ]
    );
    assert_eq!(rows[1][0], Data::Float(11.0));
    assert_eq!(rows[1][1], Data::Float(33.0));
    assert_eq!(rows[1][2], Data::String("Pago luz enero".to_owned()));
    assert_eq!(rows[1][4], Data::String("enero.xlsx".to_owned()));
    assert_eq!(rows[1][6], Data::String("Energía".to_owned()));
    assert_eq!(rows[1][7], Data::Float(0.92));
    assert_eq!(
        rows[1][8],
        Data::String("menciona Pago luz enero".to_owned())
    );
    for row in &rows[1..] {
        assert_eq!(
            row[9..],
            [Data::Empty, Data::Empty, Data::Empty],
            "reviewer columns"
        );
    }

    let sheet = zip_entry(&path, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains(r#"state="frozen""#), "{sheet}");
    assert!(sheet.contains(r#"<autoFilter ref="A1:L4"/>"#), "{sheet}");
    assert_eq!(sheet.matches("<dataValidation ").count(), 2);
    assert!(sheet.contains(r#"sqref="J2:J4""#));
    assert!(sheet.contains(r#"<formula1>"correcto,incorrecto"</formula1>"#));
    assert!(sheet.contains(r#"sqref="K2:K4""#));
    assert!(sheet.contains("<formula1>categorias!$A$1:$A$41</formula1>"));
    assert!(sheet.contains(r#"errorStyle="warning""#));
    assert!(sheet.contains("<cols>"), "column widths are set");

    let workbook_xml = zip_entry(&path, "xl/workbook.xml");
    assert!(workbook_xml.contains(r#"name="categorias" sheetId="3" state="hidden""#));

    let listed = workbook.worksheet_range("categorias").unwrap();
    let listed: Vec<String> = listed.rows().map(|row| row[0].to_string()).collect();
    let mut expected = categories();
    expected.push("Indeterminado".to_owned());
    assert_eq!(listed, expected);

    let instructions = workbook.worksheet_range("instrucciones").unwrap();
    let text: Vec<String> = instructions.rows().flat_map(cell_texts).collect();
    assert_eq!(text[0], "Cómo revisar este archivo");
    assert!(text
        .iter()
        .any(|line| line.contains("cuenta como incorrecto")));
}

#[test]
fn xlsx_english_headers() {
    let dir = tempfile::tempdir().unwrap();
    let options = ReviewFileOptions {
        language: ReviewLanguage::English,
        ..ReviewFileOptions::default()
    };
    let path = write_xlsx(dir.path(), "review.xlsx", &options);

    let mut workbook: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        ["review", "instructions", "categories"]
    );
    let range = workbook.worksheet_range("review").unwrap();
    let header = cell_texts(range.rows().next().unwrap());
    assert_eq!(header[0], "group");
    assert_eq!(header[1], "rows");
    assert_eq!(header[3], "comentario (field)");
    assert_eq!(
        &header[6..],
        [
            "predicted_category",
            "score",
            "reason",
            "verdict",
            "corrected_category",
            "comment"
        ]
    );

    let sheet = zip_entry(&path, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains(r#"<formula1>"correct,incorrect"</formula1>"#));
    assert!(sheet.contains("<formula1>categories!$A$1:$A$41</formula1>"));

    // Nothing filled in yet: every row is blank.
    let import = read_verdicts(&path).unwrap();
    assert_eq!(import.table, "review");
    assert_eq!(import.rows, 3);
    assert_eq!(import.blank, 3);
    assert!(import.verdicts.is_empty());
    assert!(import.problems.is_empty());
}

/// A cell of the reviewer's sheet.
enum Cell {
    Number(f64),
    Text(&'static str),
    Bool(bool),
    Empty,
}

/// Writes a workbook as a reviewer might return it: a notes sheet first, columns reordered,
/// headers renamed, an extra column, and the given rows.
fn reviewer_workbook(path: &Path, header: &[&str], rows: &[Vec<Cell>]) {
    let mut workbook = Workbook::new();

    let notes = workbook.add_worksheet();
    notes.set_name("notas").unwrap();
    notes.write_string(0, 0, "revisado por Ana").unwrap();

    let sheet = workbook.add_worksheet();
    sheet.set_name("Revisión").unwrap();
    for (column, name) in header.iter().enumerate() {
        sheet.write_string(0, column as u16, *name).unwrap();
    }
    for (index, cells) in rows.iter().enumerate() {
        let row = index as u32 + 1;
        for (column, cell) in cells.iter().enumerate() {
            let column = column as u16;
            match cell {
                Cell::Number(value) => {
                    sheet.write_number(row, column, *value).unwrap();
                }
                Cell::Text(text) => {
                    sheet.write_string(row, column, *text).unwrap();
                }
                Cell::Bool(value) => {
                    sheet.write_boolean(row, column, *value).unwrap();
                }
                Cell::Empty => {}
            }
        }
    }
    workbook.save(path).unwrap();
}

fn verdict(
    group_id: u64,
    kind: VerdictKind,
    corrected_category: Option<&str>,
    comment: Option<&str>,
    line: u64,
) -> ImportedVerdict {
    ImportedVerdict {
        group_id,
        kind,
        corrected_category: corrected_category.map(str::to_owned),
        comment: comment.map(str::to_owned),
        line,
    }
}

/// `(line, column, value)` of each problem, with the message checked for `keyword`.
fn problem_cells(import: &VerdictImport, keywords: &[&str]) -> Vec<(u64, String, String)> {
    assert_eq!(
        import.problems.len(),
        keywords.len(),
        "{:#?}",
        import.problems
    );
    for (problem, keyword) in import.problems.iter().zip(keywords) {
        assert!(
            problem.message.contains(keyword),
            "line {}: {:?} lacks {keyword:?}",
            problem.line,
            problem.message
        );
    }
    import
        .problems
        .iter()
        .map(|problem| (problem.line, problem.column.clone(), problem.value.clone()))
        .collect()
}

#[test]
fn xlsx_filled_by_reviewer() {
    use Cell::{Bool, Empty, Number, Text};
    use VerdictKind::{Correct, Incorrect};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("revisado.xlsx");
    let header = [
        "Categoría Predicha",
        "Descripción",
        "VEREDICTO ",
        "Grupo",
        "Categoría correcta",
        "Comentarios",
        "revisor",
    ];
    let rows = vec![
        // line 2: plain correct
        vec![
            Text("Energía"),
            Text("Pago luz"),
            Text("Correcto"),
            Number(11.0),
            Empty,
            Empty,
            Text("Ana"),
        ],
        // line 3: incorrect with a category
        vec![
            Text("Energía"),
            Text("Pasaje"),
            Text("Incorrecto"),
            Number(12.0),
            Text("gastos de viaje"),
            Text("es un viaje"),
            Text("Ana"),
        ],
        // line 4: not reviewed
        vec![
            Text("Agua"),
            Text("Agua mineral"),
            Empty,
            Number(13.0),
            Empty,
            Empty,
            Text("Ana"),
        ],
        // line 5: sí
        vec![
            Text("Agua"),
            Text("Bidón"),
            Text("sí"),
            Number(14.0),
            Empty,
            Empty,
            Empty,
        ],
        // line 6: no, with the category spelled without its accent
        vec![
            Text("Agua"),
            Text("Luz"),
            Text("no"),
            Number(15.0),
            Text(" Energia "),
            Empty,
            Empty,
        ],
        // line 7: group id edited by hand
        vec![
            Text("Agua"),
            Text("Hielo"),
            Text("sí"),
            Text("G-16"),
            Empty,
            Empty,
            Empty,
        ],
        // line 8: ambiguous mark
        vec![
            Text("Agua"),
            Text("Soda"),
            Text("x"),
            Number(17.0),
            Empty,
            Empty,
            Empty,
        ],
        // line 9: corrected category without a verdict
        vec![
            Text("Energía"),
            Text("Nafta"),
            Empty,
            Number(18.0),
            Text("Combustible"),
            Empty,
            Empty,
        ],
        // line 10: repeats line 5 with a comment
        vec![
            Text("Agua"),
            Text("Bidón"),
            Text("Sí"),
            Number(14.0),
            Empty,
            Text("visto dos veces"),
            Empty,
        ],
        // line 11: contradicts line 3
        vec![
            Text("Energía"),
            Text("Pasaje"),
            Text("correcto"),
            Number(12.0),
            Empty,
            Empty,
            Empty,
        ],
        // line 12: incorrect but the correction is the prediction
        vec![
            Text("Energía"),
            Text("Gas"),
            Text("incorrecto"),
            Number(19.0),
            Text("energía"),
            Empty,
            Empty,
        ],
        // line 13: comment without a verdict
        vec![
            Text("Agua"),
            Text("Jugo"),
            Empty,
            Number(20.0),
            Empty,
            Text("revisar luego"),
            Empty,
        ],
        // line 14: group id deleted
        vec![
            Text("Agua"),
            Text("Té"),
            Text("correcto"),
            Empty,
            Empty,
            Empty,
            Empty,
        ],
        // line 15: a boolean cell, as typing VERDADERO in a Spanish Excel stores
        vec![
            Text("Agua"),
            Text("Café"),
            Bool(true),
            Number(21.0),
            Empty,
            Empty,
            Empty,
        ],
        // line 16: correct, but with another category
        vec![
            Text("Agua"),
            Text("Mate"),
            Text("ok"),
            Number(22.0),
            Text("Gastos de viaje"),
            Empty,
            Empty,
        ],
    ];
    reviewer_workbook(&path, &header, &rows);

    let import = read_verdicts(&path).unwrap();
    assert_eq!(import.table, "Revisión");
    assert_eq!(import.rows, 15);
    assert_eq!(import.blank, 1);
    assert_eq!(import.repeated, 1);
    assert_eq!(
        import.verdicts,
        [
            verdict(11, Correct, None, None, 2),
            verdict(14, Correct, None, Some("visto dos veces"), 5),
            verdict(15, Incorrect, Some("Energia"), None, 6),
            verdict(18, Incorrect, Some("Combustible"), None, 9),
            verdict(21, Correct, None, None, 15),
        ]
    );

    let cells = problem_cells(
        &import,
        &[
            "invalid group id",
            "mark alone",
            "line 3 (incorrect, gastos de viaje)",
            "is the predicted category",
            "comment without a verdict",
            "missing group id",
            "differs from the predicted category",
        ],
    );
    let expected = [
        (7, "Grupo", "G-16"),
        (8, "VEREDICTO", "x"),
        (11, "Grupo", "12"),
        (12, "Categoría correcta", "energía"),
        (13, "Comentarios", "revisar luego"),
        (14, "Grupo", ""),
        (16, "Categoría correcta", "Gastos de viaje"),
    ];
    let expected: Vec<(u64, String, String)> = expected
        .iter()
        .map(|(line, column, value)| (*line, (*column).to_owned(), (*value).to_owned()))
        .collect();
    assert_eq!(cells, expected);

    assert_eq!(
        match_category("Energia", &categories()).as_deref(),
        Some("Energía")
    );
    assert_eq!(match_category("Combustible", &categories()), None);
}

/// Encodes text as Windows-1252, as Excel for Windows saves "CSV (delimitado por comas)".
fn windows_1252(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

#[test]
fn csv_round_trip_spanish_excel() {
    let dir = tempfile::tempdir().unwrap();
    let written = dir.path().join("revision.csv");
    write_review_file(
        &written,
        None,
        &items(),
        &categories(),
        &ReviewFileOptions::default(),
    )
    .unwrap();

    let bytes = std::fs::read(&written).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 byte order mark");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "grupo;filas;descripcion;comentario (campo);original: archivo;original: linea;\
         categoria_predicha;puntaje;razon;veredicto;categoria_correcta;comentario"
    );
    assert_eq!(
        lines.next().unwrap(),
        "11;33;Pago luz enero;campo del archivo;enero.xlsx;12;Energía;0.92;\
         menciona Pago luz enero;;;"
    );

    // The reviewer fills the verdicts; Excel saves `;`-separated Windows-1252 with CRLF and
    // no byte order mark.
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(&bytes[3..]);
    let mut records: Vec<Vec<String>> = reader
        .records()
        .map(|record| record.unwrap().iter().map(str::to_owned).collect())
        .collect();
    records[0][9] = "Veredicto".to_owned();
    records[0][10] = "Categoría correcta".to_owned();
    records[1][9] = "Sí".to_owned();
    records[2][9] = "Incorrecto".to_owned();
    records[2][10] = "Gastos de viaje".to_owned();
    records[2][11] = "pasaje de avión".to_owned();
    records[3][10] = "Energía".to_owned();

    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for record in &records {
        writer.write_record(record).unwrap();
    }
    let filled = String::from_utf8(writer.into_inner().unwrap()).unwrap();
    let saved = dir.path().join("revision_completada.csv");
    std::fs::write(&saved, windows_1252(&filled)).unwrap();

    let import = read_verdicts(&saved).unwrap();
    assert_eq!(import.table, "revision_completada.csv");
    assert_eq!(import.rows, 3);
    assert_eq!(import.blank, 0);
    assert_eq!(
        import.verdicts,
        [
            verdict(11, VerdictKind::Correct, None, None, 2),
            verdict(
                12,
                VerdictKind::Incorrect,
                Some("Gastos de viaje"),
                Some("pasaje de avión"),
                3
            ),
            verdict(13, VerdictKind::Incorrect, Some("Energía"), None, 4),
        ]
    );
    assert!(import.problems.is_empty(), "{:#?}", import.problems);
}

#[test]
fn csv_english_comma_and_tab() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        (
            "comma.csv",
            "group,verdict,corrected_category,comment\n5,yes,,\n6,false,Agua,dup\n",
        ),
        (
            "tab.tsv",
            "Group\tVerdict\tCorrected Category\n5\tyes\t\n6\tfalse\tAgua\n",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();

        let import = read_verdicts(&path).unwrap();
        assert_eq!(import.verdicts.len(), 2, "{name}");
        assert_eq!(import.verdicts[0].kind, VerdictKind::Correct, "{name}");
        assert_eq!(import.verdicts[1].kind, VerdictKind::Incorrect, "{name}");
        assert_eq!(
            import.verdicts[1].corrected_category.as_deref(),
            Some("Agua"),
            "{name}"
        );
        assert!(import.problems.is_empty(), "{name}: {:?}", import.problems);
    }
}

#[test]
fn write_errors() {
    let dir = tempfile::tempdir().unwrap();
    let options = ReviewFileOptions::default();

    let error =
        write_review_file(dir.path().join("r.txt"), None, &items(), &[], &options).unwrap_err();
    assert!(
        matches!(&error, ReviewFileError::UnsupportedExtension { extension, .. } if extension == "txt"),
        "{error}"
    );

    let mut repeated = items();
    repeated.push(item(12, "otra", "Agua", 0.5));
    let error =
        write_review_file(dir.path().join("r.xlsx"), None, &repeated, &[], &options).unwrap_err();
    assert!(
        matches!(&error, ReviewFileError::InvalidInput { value, .. } if value == "12"),
        "{error}"
    );

    let bad_delimiter = ReviewFileOptions {
        csv_delimiter: '"',
        ..ReviewFileOptions::default()
    };
    let path = dir.path().join("r.csv");
    let error = write_review_file(&path, None, &items(), &[], &bad_delimiter).unwrap_err();
    assert!(matches!(
        error,
        ReviewFileError::InvalidInput {
            name: "csv_delimiter",
            ..
        }
    ));
    assert!(!path.exists());
    assert!(!dir.path().join("r.csv.partial").exists());

    let explicit = dir.path().join("sin_extension");
    write_review_file(&explicit, Some(ReviewFormat::Csv), &items(), &[], &options).unwrap();
    assert!(std::fs::read(&explicit)
        .unwrap()
        .starts_with(b"\xEF\xBB\xBF"));
}

#[test]
fn import_errors() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };

    let error = read_verdicts(write("r.json", "[]")).unwrap_err();
    assert!(
        matches!(error, ReviewFileError::UnsupportedExtension { .. }),
        "{error}"
    );

    let error = read_verdicts(dir.path().join("missing.csv")).unwrap_err();
    assert!(matches!(error, ReviewFileError::Read { .. }), "{error}");

    let error = read_verdicts(write("a.csv", "id;veredicto\n1;si\n")).unwrap_err();
    assert!(
        matches!(error, ReviewFileError::NoReviewTable { .. }),
        "{error}"
    );
    assert!(
        error.to_string().contains("a.csv: id, veredicto"),
        "{error}"
    );

    let error = read_verdicts(write("b.csv", "grupo;categoria_correcta\n1;Agua\n")).unwrap_err();
    assert!(
        matches!(error, ReviewFileError::MissingColumn { .. }),
        "{error}"
    );
    assert!(
        error.to_string().contains("veredicto or verdict"),
        "{error}"
    );

    let error = read_verdicts(write("c.csv", "grupo;veredicto;Verdict\n1;si;no\n")).unwrap_err();
    assert!(
        matches!(&error, ReviewFileError::AmbiguousColumn { first, second, .. }
            if first == "veredicto" && second == "Verdict"),
        "{error}"
    );

    let error = read_verdicts(write("e.csv", "grupo;veredicto;veredicto\n1;si;no\n")).unwrap_err();
    assert!(
        matches!(&error, ReviewFileError::AmbiguousColumn { first, second, .. }
            if first == "veredicto" && second == "veredicto_2"),
        "{error}"
    );

    let error = read_verdicts(write("d.xlsx", "not a zip")).unwrap_err();
    assert!(
        matches!(error, ReviewFileError::Unreadable { .. }),
        "{error}"
    );
}
