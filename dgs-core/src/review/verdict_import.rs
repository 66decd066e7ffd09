//! Reading verdicts back from a review file the reviewer filled, in whatever state the
//! spreadsheet comes back.
//!
//! The file is read by [`crate::ingest`], so XLSX workbooks and CSV files in UTF-8 (with or
//! without a byte order mark) or Windows-1252, delimited by `;`, `,` or tab, all work. Columns
//! are found by name, so extra, reordered or renamed columns are fine (see
//! [`ReviewLanguage`](super::ReviewLanguage) for the names). Every row that carries a
//! verdict either becomes an [`ImportedVerdict`] or an [`ImportProblem`] naming its line,
//! column and value: nothing is dropped without a trace.

use super::review_columns::{fold_text, Role};
use super::verdict_values::{parse_verdict, VerdictCell};
use super::ReviewFileError;
use crate::ingest::{read_path, FileReport, IngestEvent, IngestOptions, Row};
use crate::store::{Verdict, VerdictKind};
use crate::Value;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;
use std::path::Path;

/// One verdict read from a review file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportedVerdict {
    pub group_id: u64,
    pub kind: VerdictKind,
    /// Corrected category as the reviewer wrote it, trimmed. `None` for a correct verdict.
    /// Map it to a prompt category with [`match_category`].
    pub corrected_category: Option<String>,
    pub comment: Option<String>,
    /// Spreadsheet row (XLSX) or physical line (CSV) of the row, 1-based, header included.
    pub line: u64,
}

impl ImportedVerdict {
    /// Builds the stored verdict of this row for a job.
    pub fn to_verdict(
        &self,
        job_id: &str,
        reviewer: Option<String>,
        iteration_reviewed: u32,
        recorded_at: DateTime<Utc>,
    ) -> Verdict {
        Verdict {
            job_id: job_id.to_owned(),
            group_id: self.group_id,
            verdict: self.kind,
            corrected_category: self.corrected_category.clone(),
            reviewer,
            iteration_reviewed,
            recorded_at,
        }
    }
}

/// A row of a review file that was not imported, or a value that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProblem {
    /// Spreadsheet row or CSV line, 1-based, header included.
    pub line: u64,
    /// Header of the offending column as the file spells it.
    pub column: String,
    /// The cell as text, empty for a blank cell.
    pub value: String,
    pub message: String,
}

/// Everything read from one review file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VerdictImport {
    /// Sheet the verdicts came from, or the file name for CSV.
    pub table: String,
    /// Data rows the reader returned for that table, rows with a blank verdict included.
    /// Rows without any value are skipped by the reader and not counted.
    pub rows: u64,
    /// One verdict per group, in file order.
    pub verdicts: Vec<ImportedVerdict>,
    /// Rows or values that were not imported, in file order.
    pub problems: Vec<ImportProblem>,
    /// Rows left without a verdict and without a corrected category: groups not reviewed.
    pub blank: u64,
    /// Rows that repeat an earlier row's verdict and category for the same group. Such a row
    /// adds only its comment, which is appended to the first row's comment.
    pub repeated: u64,
}

/// Reads the verdicts of a filled review file (`.xlsx`, `.xlsm`, `.csv`, `.txt`, `.tsv`).
///
/// In a workbook, the first sheet with a group column (`grupo` or `group`) is read. Rules:
///
/// - A row with neither verdict nor corrected category counts as [`VerdictImport::blank`].
///   If it has a comment, it is reported, because the comment would be lost.
/// - A corrected category with an empty verdict reads as [`VerdictKind::Incorrect`] with that
///   category, because a reviewer who names another category judges the prediction wrong.
/// - A verdict that contradicts the categories (incorrect with the predicted category as the
///   correction, or correct with a different one) is reported and not imported. A correct
///   verdict whose corrected category equals the predicted one is imported without it.
/// - A missing or invalid group id, or an unreadable verdict, is reported.
/// - Rows of the same group with the same verdict and category are merged. When rows of the
///   same group disagree, each later row is reported with the line of the first, and none of
///   them is imported.
///
/// # Errors
///
/// [`ReviewFileError::UnsupportedExtension`], [`ReviewFileError::Read`] when the file cannot
/// be opened, [`ReviewFileError::Unreadable`] when the reader fails on the file,
/// [`ReviewFileError::NoReviewTable`], [`ReviewFileError::MissingColumn`] without a verdict
/// column, and [`ReviewFileError::AmbiguousColumn`].
pub fn read_verdicts(path: impl AsRef<Path>) -> Result<VerdictImport, ReviewFileError> {
    let path = path.as_ref();
    check_extension(path)?;

    let mut rows = Vec::new();
    let summary = read_path(path, &IngestOptions::default(), |event| {
        if let IngestEvent::Row(row) = event {
            rows.push(row);
        }
        ControlFlow::Continue(())
    })
    .map_err(|source| ReviewFileError::Read {
        path: path.to_path_buf(),
        source,
    })?;

    if let Some(skipped) = summary.skipped.first() {
        return Err(ReviewFileError::Unreadable {
            path: path.to_path_buf(),
            location: skipped.path.clone(),
            message: skipped.reason.clone(),
        });
    }
    let report = review_table(path, &summary.files)?;
    let columns = ColumnMap::new(path, report)?;

    let table_rows: Vec<&Row> = rows
        .iter()
        .filter(|row| row.sheet.as_deref() == report.sheet.as_deref() && *row.file == report.path)
        .collect();
    let mut import = VerdictImport {
        table: table_name(report),
        rows: table_rows.len() as u64,
        ..VerdictImport::default()
    };
    let mut state = ImportState::default();
    for row in table_rows {
        state.read_row(&mut import, &columns, row);
    }
    state.drop_conflicts(&mut import);

    tracing::info!(
        path = %path.display(),
        table = %import.table,
        verdicts = import.verdicts.len(),
        problems = import.problems.len(),
        blank = import.blank,
        "read review file"
    );
    Ok(import)
}

/// Returns the category of `categories` that `name` names, comparing without case, accents
/// or surrounding and repeated whitespace. An exact match (after trimming) wins; a folded
/// match must be unique, so `None` is returned when two categories fold to the same text.
pub fn match_category(name: &str, categories: &[String]) -> Option<String> {
    let trimmed = name.trim();
    if let Some(exact) = categories
        .iter()
        .find(|category| category.trim() == trimmed)
    {
        return Some(exact.clone());
    }

    let key = fold_text(trimmed);
    if key.is_empty() {
        return None;
    }
    let mut matches = categories
        .iter()
        .filter(|category| fold_text(category) == key);
    let first = matches.next()?;
    match matches.next() {
        Some(_) => None,
        None => Some(first.clone()),
    }
}

fn check_extension(path: &Path) -> Result<(), ReviewFileError> {
    let extension = path
        .extension()
        .map(|extension| extension.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if matches!(extension.as_str(), "xlsx" | "xlsm" | "csv" | "txt" | "tsv") {
        return Ok(());
    }
    Err(ReviewFileError::UnsupportedExtension {
        path: path.to_path_buf(),
        extension,
        hint: " (.xlsm, .txt and .tsv are read too)",
    })
}

/// Returns the first table with a group column. A table that failed before it is an error,
/// because it may be the review sheet itself.
fn review_table<'a>(
    path: &Path,
    files: &'a [FileReport],
) -> Result<&'a FileReport, ReviewFileError> {
    for report in files {
        if let Some(message) = &report.error {
            return Err(ReviewFileError::Unreadable {
                path: path.to_path_buf(),
                location: table_name(report),
                message: message.clone(),
            });
        }
        if report
            .columns
            .iter()
            .any(|column| Role::Group.matches(column))
        {
            return Ok(report);
        }
    }

    let tables = files
        .iter()
        .map(|report| format!("{}: {}", table_name(report), report.columns.join(", ")))
        .collect::<Vec<_>>();
    Err(ReviewFileError::NoReviewTable {
        path: path.to_path_buf(),
        tables: if tables.is_empty() {
            "none".to_owned()
        } else {
            tables.join("; ")
        },
    })
}

fn table_name(report: &FileReport) -> String {
    report.sheet.clone().unwrap_or_else(|| report.path.clone())
}

/// Positions of the columns the importer reads, found by header.
struct ColumnMap {
    headers: Vec<String>,
    group: usize,
    verdict: usize,
    corrected: Option<usize>,
    comment: Option<usize>,
    predicted: Option<usize>,
}

impl ColumnMap {
    fn new(path: &Path, report: &FileReport) -> Result<Self, ReviewFileError> {
        let find =
            |role: Role, role_name: &'static str| -> Result<Option<usize>, ReviewFileError> {
                let mut found = report
                    .columns
                    .iter()
                    .enumerate()
                    .filter(|(_, column)| reads_as(role, column, &report.columns));
                let first = found.next();
                if let (Some((_, first)), Some((_, second))) = (first, found.next()) {
                    return Err(ReviewFileError::AmbiguousColumn {
                        path: path.to_path_buf(),
                        table: table_name(report),
                        role: role_name,
                        first: first.clone(),
                        second: second.clone(),
                    });
                }
                Ok(first.map(|(position, _)| position))
            };

        let group = find(Role::Group, "group id")?;
        let verdict = find(Role::Verdict, "verdict")?;
        let corrected = find(Role::CorrectedCategory, "corrected category")?;
        let comment = find(Role::Comment, "comment")?;
        let predicted = find(Role::PredictedCategory, "predicted category")?;

        let Some(verdict) = verdict else {
            return Err(ReviewFileError::MissingColumn {
                path: path.to_path_buf(),
                table: table_name(report),
                expected: Role::Verdict.aliases().join(" or "),
                columns: report.columns.join(", "),
            });
        };
        Ok(ColumnMap {
            headers: report.columns.clone(),
            // review_table only returns tables with a group column.
            group: group.unwrap_or_default(),
            verdict,
            corrected,
            comment,
            predicted,
        })
    }
}

/// Returns true when `column` names `role`, or is a repeat of such a column that the reader
/// renamed with a `_2`, `_3`... suffix. A repeated header is then reported as ambiguous
/// instead of the copy being ignored.
fn reads_as(role: Role, column: &str, columns: &[String]) -> bool {
    if role.matches(column) {
        return true;
    }

    let Some((base, suffix)) = column.rsplit_once('_') else {
        return false;
    };
    let renamed = !suffix.is_empty() && suffix.bytes().all(|byte| byte.is_ascii_digit());
    renamed && role.matches(base) && columns.iter().any(|other| other == base)
}

/// Bookkeeping across rows: where each group's verdict is, and which groups conflict.
#[derive(Default)]
struct ImportState {
    by_group: HashMap<u64, usize>,
    conflicted: HashSet<u64>,
}

impl ImportState {
    fn read_row(&mut self, import: &mut VerdictImport, columns: &ColumnMap, row: &Row) {
        let line = row.line;
        let cell = |position: usize| row.values.get(position).unwrap_or(&Value::Null);
        let text =
            |position: Option<usize>| position.and_then(|position| cell_text(cell(position)));
        let problem = |position: usize, value: String, message: String| ImportProblem {
            line,
            column: columns.headers[position].clone(),
            value,
            message,
        };

        let verdict_cell = cell(columns.verdict);
        let verdict = parse_verdict(verdict_cell);
        let corrected = text(columns.corrected);
        let comment = text(columns.comment);

        if verdict == VerdictCell::Blank && corrected.is_none() {
            match comment {
                Some(comment) => import.problems.push(problem(
                    columns.comment.unwrap_or(columns.verdict),
                    comment,
                    "comment without a verdict; fill the verdict or leave the row empty".to_owned(),
                )),
                None => import.blank += 1,
            }
            return;
        }

        let group_cell = cell(columns.group);
        let group_id = match parse_group_id(group_cell) {
            Ok(group_id) => group_id,
            Err(message) => {
                import
                    .problems
                    .push(problem(columns.group, group_cell.to_string(), message));
                return;
            }
        };

        let kind = match verdict {
            VerdictCell::Kind(kind) => kind,
            VerdictCell::Blank => VerdictKind::Incorrect,
            VerdictCell::Invalid(message) => {
                import
                    .problems
                    .push(problem(columns.verdict, verdict_cell.to_string(), message));
                return;
            }
        };

        let corrected = match check_categories(kind, corrected, text(columns.predicted)) {
            Ok(corrected) => corrected,
            Err((value, message)) => {
                let position = columns.corrected.unwrap_or(columns.verdict);
                import.problems.push(problem(position, value, message));
                return;
            }
        };

        let verdict = ImportedVerdict {
            group_id,
            kind,
            corrected_category: corrected,
            comment,
            line,
        };
        if let Some(message) = self.merge(import, verdict) {
            import
                .problems
                .push(problem(columns.group, group_id.to_string(), message));
        }
    }

    /// Adds `verdict`, or merges it into an equal earlier verdict of its group. Returns the
    /// problem message when it conflicts with an earlier row.
    fn merge(&mut self, import: &mut VerdictImport, verdict: ImportedVerdict) -> Option<String> {
        let Some(&index) = self.by_group.get(&verdict.group_id) else {
            self.by_group
                .insert(verdict.group_id, import.verdicts.len());
            import.verdicts.push(verdict);
            return None;
        };

        let earlier = &mut import.verdicts[index];
        let same_category = earlier.corrected_category.as_deref().map(fold_text)
            == verdict.corrected_category.as_deref().map(fold_text);
        if earlier.kind == verdict.kind
            && same_category
            && !self.conflicted.contains(&verdict.group_id)
        {
            import.repeated += 1;
            if let Some(comment) = verdict.comment {
                earlier.comment = match earlier.comment.take() {
                    Some(first) if first == comment => Some(first),
                    Some(first) => Some(format!("{first} | {comment}")),
                    None => Some(comment),
                };
            }
            return None;
        }

        self.conflicted.insert(verdict.group_id);
        Some(format!(
            "group {} has another verdict on line {} ({}); neither row is imported, keep one",
            verdict.group_id,
            earlier.line,
            describe(earlier),
        ))
    }

    /// Removes the verdicts of groups whose rows disagree.
    fn drop_conflicts(&self, import: &mut VerdictImport) {
        if self.conflicted.is_empty() {
            return;
        }
        import
            .verdicts
            .retain(|verdict| !self.conflicted.contains(&verdict.group_id));
    }
}

fn describe(verdict: &ImportedVerdict) -> String {
    match &verdict.corrected_category {
        Some(category) => format!("{}, {category}", verdict.kind.as_str()),
        None => verdict.kind.as_str().to_owned(),
    }
}

/// Checks the corrected category against the verdict and the predicted category. Returns the
/// category to keep, or the offending value and the problem message.
fn check_categories(
    kind: VerdictKind,
    corrected: Option<String>,
    predicted: Option<String>,
) -> Result<Option<String>, (String, String)> {
    let (Some(corrected), Some(predicted)) = (corrected.clone(), predicted) else {
        return Ok(corrected);
    };
    let same = fold_text(&corrected) == fold_text(&predicted);

    match (kind, same) {
        (VerdictKind::Incorrect, true) => Err((
            corrected,
            format!(
                "the corrected category is the predicted category {predicted:?} but the verdict \
                 is incorrect; choose another category or mark the row correcto"
            ),
        )),
        (VerdictKind::Correct, false) => Err((
            corrected.clone(),
            format!(
                "the verdict is correct but the corrected category {corrected:?} differs from \
                 the predicted category {predicted:?}; mark the row incorrecto or clear the \
                 corrected category"
            ),
        )),
        (VerdictKind::Correct, true) => Ok(None),
        (VerdictKind::Incorrect, false) => Ok(Some(corrected)),
    }
}

/// Returns the trimmed text of a cell, `None` when blank.
fn cell_text(value: &Value) -> Option<String> {
    let text = value.to_string();
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// Reads a group id from a number cell or from digits stored as text.
fn parse_group_id(value: &Value) -> Result<u64, String> {
    match value {
        Value::Int(number) if *number >= 0 => Ok(*number as u64),
        Value::Float(number) if number.fract() == 0.0 && *number >= 0.0 && *number < 9.0e15 => {
            Ok(*number as u64)
        }
        Value::Text(text) if !text.trim().is_empty() => {
            text.trim().parse::<u64>().map_err(|_| invalid_group_id())
        }
        value if value.is_blank() => Err(
            "missing group id; the row cannot be matched to a group, copy its id from the \
             review file dgs wrote"
                .to_owned(),
        ),
        _ => Err(invalid_group_id()),
    }
}

fn invalid_group_id() -> String {
    "invalid group id; expected a whole number as written by dgs".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn match_category_folds_case_and_accents() {
        let categories = names(&["Gastos de viaje", "Energía", "Indeterminado"]);
        assert_eq!(
            match_category("  gastos  DE viaje ", &categories).as_deref(),
            Some("Gastos de viaje")
        );
        assert_eq!(
            match_category("energia", &categories).as_deref(),
            Some("Energía")
        );
        assert_eq!(match_category("Agua", &categories), None);
        assert_eq!(match_category("  ", &categories), None);
    }

    #[test]
    fn match_category_rejects_ambiguous_fold() {
        let categories = names(&["Energía", "energia"]);
        assert_eq!(
            match_category("energia", &categories).as_deref(),
            Some("energia")
        );
        assert_eq!(match_category("ENERGIA", &categories), None);
    }

    #[test]
    fn group_id_cells() {
        assert_eq!(parse_group_id(&Value::Int(7)), Ok(7));
        assert_eq!(parse_group_id(&Value::Float(7.0)), Ok(7));
        assert_eq!(parse_group_id(&Value::Text(" 42 ".to_owned())), Ok(42));
        assert!(parse_group_id(&Value::Float(7.5)).is_err());
        assert!(parse_group_id(&Value::Int(-1)).is_err());
        assert!(parse_group_id(&Value::Text("G-7".to_owned())).is_err());
        assert!(parse_group_id(&Value::Null)
            .unwrap_err()
            .starts_with("missing"));
    }

    #[test]
    fn contradicting_categories() {
        let incorrect_same = check_categories(
            VerdictKind::Incorrect,
            Some("energia".to_owned()),
            Some("Energía".to_owned()),
        );
        assert!(incorrect_same.is_err());

        let correct_same = check_categories(
            VerdictKind::Correct,
            Some("Energía".to_owned()),
            Some("Energía".to_owned()),
        );
        assert_eq!(correct_same, Ok(None));

        let correct_other = check_categories(
            VerdictKind::Correct,
            Some("Agua".to_owned()),
            Some("Energía".to_owned()),
        );
        assert!(correct_other.is_err());
    }
}
