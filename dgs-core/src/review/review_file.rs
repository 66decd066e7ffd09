//! Writing the spreadsheet a reviewer fills: one row per sampled group with its fields and
//! classification, then empty columns for the verdict, the corrected category and a comment.
//!
//! The XLSX file carries everything a reviewer needs without dgs: a bold frozen header with
//! an autofilter, drop-down lists on the verdict and corrected category columns, an
//! instructions sheet, and a hidden sheet with the category list. The list lives on a sheet
//! because Excel limits an inline list to 255 characters, which a prompt's categories exceed.
//! The CSV file has the same columns, but CSV cannot carry drop-downs or instructions.

use super::review_columns::{header_key, InfoHeaders, ReviewLanguage, Role};
use super::review_instructions::instruction_lines;
use super::ReviewFileError;
use crate::classify::FALLBACK_CATEGORY;
use crate::export::{XLSX_MAX_CELL_CHARS, XLSX_MAX_ROWS};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, Format, Formula, Workbook, Worksheet,
    XlsxError,
};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// UTF-8 byte order mark, which makes Excel read a CSV file as UTF-8.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Maximum width of a column, in characters, so a long reason does not push the verdict
/// columns off screen.
const MAX_COLUMN_WIDTH: usize = 60;

/// File format of a review file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewFormat {
    /// An Excel workbook with drop-down lists and an instructions sheet.
    Xlsx,
    /// Delimited text, UTF-8 with a byte order mark.
    Csv,
}

/// One sampled group, as shown to the reviewer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub group_id: u64,
    /// Number of input rows in the group, which the verdict covers.
    pub group_size: u64,
    /// Clean fields of the group's representative, as `(column, value)`.
    pub fields: Vec<(String, String)>,
    /// Original columns of the representative row to show beside the clean fields, such as
    /// the file, line and raw description, as `(column, value)`. May be empty.
    pub original: Vec<(String, String)>,
    /// Predicted category.
    pub category: String,
    /// Model confidence from 0 to 1. A non-finite score is written as an empty cell.
    pub score: f64,
    pub reason: String,
}

/// Options of [`write_review_file`]. `Default` gives the documented defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReviewFileOptions {
    /// Language of headers, sheet names, drop-down values and instructions. The importer
    /// reads files in either language. Default: Spanish.
    pub language: ReviewLanguage,
    /// Field delimiter of CSV files. Default: `;`, which Excel splits on when its regional
    /// settings use the decimal comma, as Spanish locales do.
    pub csv_delimiter: char,
    /// Category offered last in the corrected category list, unless `categories` already
    /// has it. Default: [`FALLBACK_CATEGORY`].
    pub fallback_category: String,
}

impl Default for ReviewFileOptions {
    fn default() -> Self {
        ReviewFileOptions {
            language: ReviewLanguage::Spanish,
            csv_delimiter: ';',
            fallback_category: FALLBACK_CATEGORY.to_owned(),
        }
    }
}

/// Writes a review file of `items` to `path`, in `format` or else the format named by the
/// path's extension (`.xlsx` or `.csv`).
///
/// Columns: group id, group size, each clean field, each original column (prefixed
/// `original: `), predicted category, score, reason, then the empty reviewer columns verdict,
/// corrected category and comment. `categories` fill the corrected category drop-down of
/// XLSX files, followed by the fallback category.
///
/// The file is written under `<path>.partial` and renamed into place, so a failure never
/// leaves a file that looks complete.
///
/// # Errors
///
/// [`ReviewFileError::UnsupportedExtension`] when `format` is `None` and the extension is
/// neither, [`ReviewFileError::InvalidInput`] for a repeated group id, too many items for one
/// sheet or an invalid delimiter, and the I/O, XLSX and CSV variants when writing fails.
pub fn write_review_file(
    path: impl AsRef<Path>,
    format: Option<ReviewFormat>,
    items: &[ReviewItem],
    categories: &[String],
    options: &ReviewFileOptions,
) -> Result<(), ReviewFileError> {
    let path = path.as_ref();
    let format = match format {
        Some(format) => format,
        None => format_from_extension(path)?,
    };
    check_items(items, format)?;

    let layout = Layout::new(items, options.language);
    let bytes = match format {
        ReviewFormat::Xlsx => {
            let categories = category_list(categories, &options.fallback_category);
            xlsx_bytes(&layout, items, &categories, options.language).map_err(|source| {
                ReviewFileError::Xlsx {
                    path: path.to_path_buf(),
                    source,
                }
            })?
        }
        ReviewFormat::Csv => csv_bytes(&layout, items, options.csv_delimiter, path)?,
    };

    write_atomically(path, &bytes)?;
    tracing::info!(
        path = %path.display(),
        ?format,
        groups = items.len(),
        "wrote review file"
    );
    Ok(())
}

fn format_from_extension(path: &Path) -> Result<ReviewFormat, ReviewFileError> {
    let extension = path
        .extension()
        .map(|extension| extension.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "xlsx" => Ok(ReviewFormat::Xlsx),
        "csv" => Ok(ReviewFormat::Csv),
        _ => Err(ReviewFileError::UnsupportedExtension {
            path: path.to_path_buf(),
            extension,
            hint: ", or choose the format explicitly",
        }),
    }
}

fn check_items(items: &[ReviewItem], format: ReviewFormat) -> Result<(), ReviewFileError> {
    let mut seen = HashSet::with_capacity(items.len());
    for item in items {
        if !seen.insert(item.group_id) {
            return Err(ReviewFileError::InvalidInput {
                name: "items",
                value: item.group_id.to_string(),
                reason: "group id appears twice; each group must be reviewed once".to_owned(),
            });
        }
    }

    let max_items = XLSX_MAX_ROWS as usize - 1;
    if format == ReviewFormat::Xlsx && items.len() > max_items {
        return Err(ReviewFileError::InvalidInput {
            name: "items",
            value: items.len().to_string(),
            reason: format!("an XLSX sheet holds at most {max_items} rows below its header"),
        });
    }
    Ok(())
}

/// Returns the categories of the drop-down: trimmed, without blanks or repeats, and the
/// fallback category last unless the list has it.
fn category_list(categories: &[String], fallback: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut list = Vec::with_capacity(categories.len() + 1);
    for category in categories.iter().map(|name| name.trim()) {
        if !category.is_empty() && seen.insert(category.to_lowercase()) {
            list.push(category.to_owned());
        }
    }

    let fallback = fallback.trim();
    if !fallback.is_empty() && seen.insert(fallback.to_lowercase()) {
        list.push(fallback.to_owned());
    }
    list
}

/// The columns of a review file: the union of the items' field names and original column
/// names, in first-seen order, between the fixed columns.
struct Layout {
    headers: Vec<String>,
    field_names: Vec<String>,
    original_names: Vec<String>,
    language: ReviewLanguage,
}

impl Layout {
    fn new(items: &[ReviewItem], language: ReviewLanguage) -> Self {
        let field_names = union_of_names(items.iter().map(|item| &item.fields));
        let original_names = union_of_names(items.iter().map(|item| &item.original));
        let info = InfoHeaders::new(language);

        let mut headers = vec![
            Role::Group.header(language).to_owned(),
            info.group_size.to_owned(),
        ];
        headers.extend(field_names.iter().map(|name| field_header(name, &info)));
        headers.extend(
            original_names
                .iter()
                .map(|name| format!("{}{name}", info.original_prefix)),
        );
        headers.push(Role::PredictedCategory.header(language).to_owned());
        headers.push(info.score.to_owned());
        headers.push(info.reason.to_owned());
        headers.push(Role::Verdict.header(language).to_owned());
        headers.push(Role::CorrectedCategory.header(language).to_owned());
        headers.push(Role::Comment.header(language).to_owned());

        Layout {
            headers,
            field_names,
            original_names,
            language,
        }
    }

    /// 0-based column of the verdict; the corrected category and comment follow it.
    fn verdict_column(&self) -> usize {
        self.headers.len() - 3
    }

    /// Returns the cells of one item in header order, reviewer columns excluded.
    fn cells(&self, item: &ReviewItem) -> Vec<Cell> {
        let mut cells = Vec::with_capacity(self.headers.len() - 3);
        cells.push(Cell::Number(item.group_id as f64));
        cells.push(Cell::Number(item.group_size as f64));
        cells.extend(
            self.field_names
                .iter()
                .map(|name| Cell::Text(lookup(&item.fields, name))),
        );
        cells.extend(
            self.original_names
                .iter()
                .map(|name| Cell::Text(lookup(&item.original, name))),
        );
        cells.push(Cell::Text(item.category.clone()));
        cells.push(if item.score.is_finite() {
            Cell::Score(item.score)
        } else {
            Cell::Text(String::new())
        });
        cells.push(Cell::Text(item.reason.clone()));
        cells
    }
}

/// Returns the header of a clean field, with a suffix when the name would be read back as
/// one of the columns the importer looks for or repeat a fixed column.
fn field_header(name: &str, info: &InfoHeaders) -> String {
    let key = header_key(name);
    let taken_by_role = Role::ALL.iter().any(|role| role.matches(name));
    let fixed = [info.group_size, info.score, info.reason];
    let taken_by_fixed = fixed.iter().any(|header| header_key(header) == key);

    if taken_by_role || taken_by_fixed {
        format!("{name}{}", info.field_suffix)
    } else {
        name.to_owned()
    }
}

fn union_of_names<'a>(lists: impl Iterator<Item = &'a Vec<(String, String)>>) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut names = Vec::new();
    for (name, _) in lists.flatten() {
        if seen.insert(name.as_str()) {
            names.push(name.clone());
        }
    }
    names
}

fn lookup(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(column, _)| column == name)
        .map(|(_, value)| value.clone())
        .unwrap_or_default()
}

enum Cell {
    Number(f64),
    Score(f64),
    Text(String),
}

impl Cell {
    fn display(&self) -> String {
        match self {
            Cell::Number(value) => format!("{value}"),
            Cell::Score(value) => format!("{value}"),
            Cell::Text(text) => text.clone(),
        }
    }
}

/// Sheet names and drop-down values of one language.
struct Names {
    review_sheet: &'static str,
    instructions_sheet: &'static str,
    categories_sheet: &'static str,
    correct: &'static str,
    incorrect: &'static str,
}

impl Names {
    fn new(language: ReviewLanguage) -> Self {
        match language {
            ReviewLanguage::Spanish => Names {
                review_sheet: "revision",
                instructions_sheet: "instrucciones",
                categories_sheet: "categorias",
                correct: "correcto",
                incorrect: "incorrecto",
            },
            ReviewLanguage::English => Names {
                review_sheet: "review",
                instructions_sheet: "instructions",
                categories_sheet: "categories",
                correct: "correct",
                incorrect: "incorrect",
            },
        }
    }
}

fn xlsx_bytes(
    layout: &Layout,
    items: &[ReviewItem],
    categories: &[String],
    language: ReviewLanguage,
) -> Result<Vec<u8>, XlsxError> {
    let names = Names::new(language);
    let mut workbook = Workbook::new();

    let review = workbook.add_worksheet();
    review.set_name(names.review_sheet)?;
    write_review_sheet(review, layout, items, categories.len(), &names)?;

    let instructions = workbook.add_worksheet();
    instructions.set_name(names.instructions_sheet)?;
    write_instructions(instructions, language)?;

    let category_sheet = workbook.add_worksheet();
    category_sheet.set_name(names.categories_sheet)?;
    for (row, category) in categories.iter().enumerate() {
        category_sheet.write_string(row as u32, 0, category)?;
    }
    category_sheet.set_hidden(true);

    workbook.save_to_buffer()
}

fn write_review_sheet(
    sheet: &mut Worksheet,
    layout: &Layout,
    items: &[ReviewItem],
    category_count: usize,
    names: &Names,
) -> Result<(), XlsxError> {
    let header_format = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2));
    let reviewer_header_format = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xFFF2CC));
    let score_format = Format::new().set_num_format("0.00");
    let verdict_column = layout.verdict_column();

    for (column, header) in layout.headers.iter().enumerate() {
        let format = if column >= verdict_column {
            &reviewer_header_format
        } else {
            &header_format
        };
        sheet.write_string_with_format(0, column as u16, header, format)?;
    }

    let mut widths: Vec<usize> = layout
        .headers
        .iter()
        .map(|header| header.chars().count())
        .collect();
    for (index, item) in items.iter().enumerate() {
        let row = index as u32 + 1;
        for (column, cell) in layout.cells(item).into_iter().enumerate() {
            let col = column as u16;
            match &cell {
                Cell::Number(value) => {
                    sheet.write_number(row, col, *value)?;
                }
                Cell::Score(value) => {
                    sheet.write_number_with_format(row, col, *value, &score_format)?;
                }
                Cell::Text(text) => {
                    sheet.write_string(row, col, truncate_for_cell(text, item.group_id))?;
                }
            }
            widths[column] = widths[column].max(cell.display().chars().count());
        }
    }

    let last_row = items.len() as u32;
    let last_column = (layout.headers.len() - 1) as u16;
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, last_row, last_column)?;
    for (column, width) in widths.iter().enumerate() {
        // Two more characters leave room for the autofilter button.
        let width = (*width).clamp(8, MAX_COLUMN_WIDTH) + 2;
        sheet.set_column_width(column as u16, width as f64)?;
    }

    if !items.is_empty() {
        add_validations(sheet, layout, last_row, category_count, names)?;
    }
    Ok(())
}

/// Adds the drop-down lists: verdict values inline, categories from the hidden sheet. A
/// category outside the list raises a warning the reviewer may accept, because the reviewer
/// may name a category the prompt lacks. A verdict outside the list is rejected.
fn add_validations(
    sheet: &mut Worksheet,
    layout: &Layout,
    last_row: u32,
    category_count: usize,
    names: &Names,
) -> Result<(), XlsxError> {
    let verdict_column = layout.verdict_column() as u16;
    let (title, message) = match layout.language {
        ReviewLanguage::Spanish => (
            "Veredicto",
            "Elija correcto si la categoría predicha es la adecuada, o incorrecto si no.",
        ),
        ReviewLanguage::English => (
            "Verdict",
            "Choose correct if the predicted category is right, or incorrect if not.",
        ),
    };
    let verdict = DataValidation::new()
        .allow_list_strings(&[names.correct, names.incorrect])?
        .set_input_title(title)?
        .set_input_message(message)?;
    sheet.add_data_validation(1, verdict_column, last_row, verdict_column, &verdict)?;

    if category_count == 0 {
        return Ok(());
    }
    let (title, message, error) = match layout.language {
        ReviewLanguage::Spanish => (
            "Categoría correcta",
            "Si el veredicto es incorrecto, elija la categoría adecuada.",
            "Esa categoría no está en la lista. ¿Mantenerla de todos modos?",
        ),
        ReviewLanguage::English => (
            "Corrected category",
            "If the verdict is incorrect, choose the right category.",
            "That category is not in the list. Keep it anyway?",
        ),
    };
    let range = format!("={}!$A$1:$A${category_count}", names.categories_sheet);
    let category = DataValidation::new()
        .allow_list_formula(Formula::new(range))
        .set_input_title(title)?
        .set_input_message(message)?
        .set_error_message(error)?
        .set_error_style(DataValidationErrorStyle::Warning);
    sheet.add_data_validation(
        1,
        verdict_column + 1,
        last_row,
        verdict_column + 1,
        &category,
    )?;
    Ok(())
}

/// Cuts text at Excel's cell limit. The cell is for reading only, so the cut loses nothing
/// the import needs.
fn truncate_for_cell(text: &str, group_id: u64) -> &str {
    match text.char_indices().nth(XLSX_MAX_CELL_CHARS) {
        Some((cut, _)) => {
            tracing::warn!(
                group_id,
                "review file cell cut at the XLSX limit of 32,767 characters"
            );
            &text[..cut]
        }
        None => text,
    }
}

fn write_instructions(sheet: &mut Worksheet, language: ReviewLanguage) -> Result<(), XlsxError> {
    let title_format = Format::new().set_bold().set_font_size(14);
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let (title, lines) = instruction_lines(language);

    sheet.write_string_with_format(0, 0, title, &title_format)?;
    for (index, (column, text)) in lines.iter().enumerate() {
        let row = index as u32 + 2;
        sheet.write_string_with_format(row, 0, *column, &bold)?;
        sheet.write_string_with_format(row, 1, *text, &wrap)?;
    }
    sheet.set_column_width(0, 22)?;
    sheet.set_column_width(1, 100)?;
    Ok(())
}

fn csv_bytes(
    layout: &Layout,
    items: &[ReviewItem],
    delimiter: char,
    path: &Path,
) -> Result<Vec<u8>, ReviewFileError> {
    if !delimiter.is_ascii() || matches!(delimiter, '"' | '\r' | '\n') {
        return Err(ReviewFileError::InvalidInput {
            name: "csv_delimiter",
            value: delimiter.to_string(),
            reason: "use one ASCII character other than a quote or a line break".to_owned(),
        });
    }

    let csv_error = |source: csv::Error| ReviewFileError::Csv {
        path: path.to_path_buf(),
        source,
    };
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter as u8)
        .from_writer(UTF8_BOM.to_vec());

    // NOTE: a text starting with `=`, `+`, `-` or `@` is written as is, and Excel reads it as
    // a formula when it opens the CSV file. The XLSX format stores it as text.
    writer.write_record(&layout.headers).map_err(csv_error)?;
    for item in items {
        let mut record: Vec<String> = layout.cells(item).iter().map(Cell::display).collect();
        record.extend([String::new(), String::new(), String::new()]);
        writer.write_record(&record).map_err(csv_error)?;
    }

    writer.into_inner().map_err(|error| ReviewFileError::Io {
        operation: "write",
        path: path.to_path_buf(),
        source: error.into_error(),
    })
}

/// Writes `bytes` to `<path>.partial` and renames it to `path`, removing the partial file
/// when a step fails.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ReviewFileError> {
    let io_error = |operation: &'static str| {
        move |source: std::io::Error| ReviewFileError::Io {
            operation,
            path: path.to_path_buf(),
            source,
        }
    };

    let Some(file_name) = path.file_name() else {
        return Err(io_error("create")(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the path has no file name",
        )));
    };
    let mut partial_name = file_name.to_os_string();
    partial_name.push(".partial");
    let partial_path: PathBuf = path.with_file_name(partial_name);

    let result = std::fs::File::create(&partial_path)
        .map_err(io_error("create"))
        .and_then(|mut file| {
            file.write_all(bytes)
                .and_then(|()| file.sync_all())
                .map_err(io_error("write"))
        })
        .and_then(|()| std::fs::rename(&partial_path, path).map_err(io_error("rename into place")));

    if result.is_err() {
        let _ = std::fs::remove_file(&partial_path);
    }
    result
}
