//! Settings given when creating an export: the file format, the format-specific options
//! and the columns of the output.

use super::error::ExportError;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;

/// Maximum number of rows in one Excel worksheet, header row included (Excel 2007 and later).
pub const XLSX_MAX_ROWS: u32 = 1_048_576;

/// Maximum length of an Excel worksheet name, in characters.
const XLSX_MAX_SHEET_NAME_CHARS: usize = 31;

/// Output file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// Comma- (or `csv_delimiter`-) separated text, UTF-8 with a byte order mark.
    Csv,
    /// One JSON object per line, UTF-8 without a byte order mark.
    Jsonl,
    /// An Excel 2007+ workbook.
    Xlsx,
}

impl ExportFormat {
    /// Extensions accepted by [`ExportFormat::from_path`], in lower case and without the dot.
    pub const SUPPORTED_EXTENSIONS: [&'static str; 3] = ["csv", "jsonl", "xlsx"];

    /// Chooses the format from the extension of `path`, ignoring ASCII case.
    ///
    /// # Errors
    ///
    /// [`ExportError::UnsupportedExtension`] when the extension is missing or is not one of
    /// [`ExportFormat::SUPPORTED_EXTENSIONS`].
    pub fn from_path(path: &Path) -> Result<ExportFormat, ExportError> {
        let extension = path
            .extension()
            .map(|extension| extension.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();

        match extension.as_str() {
            "csv" => Ok(ExportFormat::Csv),
            "jsonl" => Ok(ExportFormat::Jsonl),
            "xlsx" => Ok(ExportFormat::Xlsx),
            _ => Err(ExportError::UnsupportedExtension {
                path: path.to_path_buf(),
                extension,
            }),
        }
    }

    /// Returns the lower-case extension of the format, without the dot.
    pub fn extension(&self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Jsonl => "jsonl",
            ExportFormat::Xlsx => "xlsx",
        }
    }
}

/// Format-specific settings. Options that do not apply to the chosen format are ignored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportOptions {
    /// CSV field separator, an ASCII character other than `"`, CR and LF. Default `,`.
    ///
    /// Excel under a Spanish (or other decimal-comma) regional setting expects `;`. The
    /// delimiter does not change how numbers are written: decimals always use `.`, so such an
    /// Excel shows `0.85` as text and the XLSX format is the better choice there.
    pub csv_delimiter: char,
    /// Name of the XLSX worksheet with one row per input row. Default `clasificacion`.
    /// Overflow sheets are named `<name>_2`, `<name>_3` and so on.
    pub xlsx_data_sheet: String,
    /// Name of the XLSX worksheet with the job summary. Default `resumen`.
    pub xlsx_summary_sheet: String,
    /// Maximum rows per XLSX data sheet, header row included, in `2..=1_048_576`.
    /// Default 1,048,576, the Excel limit. Rows past the limit continue on the next sheet.
    pub xlsx_max_rows_per_sheet: u32,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            csv_delimiter: ',',
            xlsx_data_sheet: "clasificacion".to_string(),
            xlsx_summary_sheet: "resumen".to_string(),
            xlsx_max_rows_per_sheet: XLSX_MAX_ROWS,
        }
    }
}

impl ExportOptions {
    /// Checks every option, whatever the format, so a bad value fails before any file is
    /// created.
    pub(crate) fn validate(&self) -> Result<(), ExportError> {
        let delimiter = self.csv_delimiter;
        if !delimiter.is_ascii() || matches!(delimiter, '"' | '\r' | '\n') {
            return Err(ExportError::InvalidOption {
                name: "csv_delimiter",
                value: delimiter.to_string(),
                reason: "must be an ASCII character other than '\"', CR and LF".to_string(),
            });
        }

        if !(2..=XLSX_MAX_ROWS).contains(&self.xlsx_max_rows_per_sheet) {
            return Err(ExportError::InvalidOption {
                name: "xlsx_max_rows_per_sheet",
                value: self.xlsx_max_rows_per_sheet.to_string(),
                reason: format!("must be between 2 and {XLSX_MAX_ROWS}"),
            });
        }

        // The data sheet name leaves room for an overflow suffix such as `_12`.
        validate_sheet_name(
            "xlsx_data_sheet",
            &self.xlsx_data_sheet,
            XLSX_MAX_SHEET_NAME_CHARS - 4,
        )?;
        validate_sheet_name(
            "xlsx_summary_sheet",
            &self.xlsx_summary_sheet,
            XLSX_MAX_SHEET_NAME_CHARS,
        )?;

        // Excel compares sheet names without regard to case.
        if self.xlsx_data_sheet.to_lowercase() == self.xlsx_summary_sheet.to_lowercase() {
            return Err(ExportError::InvalidOption {
                name: "xlsx_summary_sheet",
                value: self.xlsx_summary_sheet.clone(),
                reason: "must differ from xlsx_data_sheet".to_string(),
            });
        }

        Ok(())
    }
}

/// Applies Excel's sheet name rules: not blank, at most `max_chars` characters, none of
/// `[]:*?/\`, no leading or trailing apostrophe.
fn validate_sheet_name(
    option: &'static str,
    name: &str,
    max_chars: usize,
) -> Result<(), ExportError> {
    let invalid = |reason: String| ExportError::InvalidOption {
        name: option,
        value: name.to_string(),
        reason,
    };

    if name.trim().is_empty() {
        return Err(invalid("must not be blank".to_string()));
    }

    if name.chars().count() > max_chars {
        return Err(invalid(format!("must have at most {max_chars} characters")));
    }

    if let Some(character) = name.chars().find(|c| "[]:*?/\\".contains(*c)) {
        return Err(invalid(format!("must not contain {character:?}")));
    }

    if name.starts_with('\'') || name.ends_with('\'') {
        return Err(invalid(
            "must not start or end with an apostrophe".to_string(),
        ));
    }

    Ok(())
}

/// The columns of the output, fixed when the exporter is created.
///
/// Every output row has, in order: `row_index`, `file`, `sheet`, `line`, the
/// `original_columns`, the `clean_columns`, then `group`, `category`, `score`, `reason`,
/// `status`, `prompt_version`, `iteration`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportLayout {
    /// Union of the column names of every input table, in first-seen order. A row whose
    /// table lacks one of them gets an empty cell there.
    pub original_columns: Vec<String>,
    /// Names of the derived columns (`clean<Name>`), matching [`OutputRow::clean`] value for
    /// value.
    ///
    /// [`OutputRow::clean`]: super::OutputRow::clean
    pub clean_columns: Vec<String>,
}

impl ExportLayout {
    /// Builds the union of the column lists in first-seen order, for example from the
    /// `columns` of the first row of every input table.
    pub fn union_of<'a, I, C>(tables: I, clean_columns: Vec<String>) -> ExportLayout
    where
        I: IntoIterator<Item = C>,
        C: IntoIterator<Item = &'a String>,
    {
        let mut seen = HashSet::new();
        let mut original_columns = Vec::new();
        for columns in tables {
            for column in columns {
                if seen.insert(column.as_str()) {
                    original_columns.push(column.clone());
                }
            }
        }

        ExportLayout {
            original_columns,
            clean_columns,
        }
    }

    /// Returns every header of the output in order.
    pub fn header(&self) -> Vec<&str> {
        let mut header = Vec::with_capacity(
            SOURCE_COLUMNS.len()
                + self.original_columns.len()
                + self.clean_columns.len()
                + RESULT_COLUMNS.len(),
        );
        header.extend(SOURCE_COLUMNS);
        header.extend(self.original_columns.iter().map(String::as_str));
        header.extend(self.clean_columns.iter().map(String::as_str));
        header.extend(RESULT_COLUMNS);
        header
    }

    /// Rejects a name listed twice in `original_columns` or in `clean_columns`, since rows
    /// are matched to output columns by name.
    ///
    /// NOTE: an original column may share its name with a clean column or a fixed column
    /// (`category`, for example, when a previous export is classified again). CSV and XLSX
    /// then have two columns with that header; JSONL keeps them apart in `fields` and `clean`.
    pub(crate) fn validate(&self) -> Result<(), ExportError> {
        for (list, columns) in [
            ("original_columns", &self.original_columns),
            ("clean_columns", &self.clean_columns),
        ] {
            let mut seen = HashSet::new();
            for column in columns {
                if !seen.insert(column.as_str()) {
                    return Err(ExportError::DuplicateColumn {
                        list,
                        column: column.clone(),
                    });
                }
            }
        }
        Ok(())
    }
}

/// Columns written before the original fields.
pub(crate) const SOURCE_COLUMNS: [&str; 4] = ["row_index", "file", "sheet", "line"];

/// Columns written after the clean fields.
pub(crate) const RESULT_COLUMNS: [&str; 7] = [
    "group",
    "category",
    "score",
    "reason",
    "status",
    "prompt_version",
    "iteration",
];
