//! Applying the configured refineries to rows.

use super::config::CleanConfig;
use super::error::CleanError;
use super::name::clean_field_names;
use super::refinery::Refinery;
use crate::ingest::Row;
use crate::Value;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt::Write;
use std::sync::Arc;

/// Rows per rayon task in [`Cleaner::clean_rows`]; smaller tasks cost more in scheduling
/// than cleaning a few short strings does.
const MIN_ROWS_PER_TASK: usize = 256;

/// The clean fields and key texts of one row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CleanRow {
    /// Row index of the source row.
    pub row_index: u64,
    /// Source file of the row.
    pub file: Arc<str>,
    /// One clean value per selected column, in the order of [`Cleaner::field_names`].
    pub fields: Vec<String>,
    /// One key text per selected column (the key refinery's output), same order.
    pub keys: Vec<String>,
}

/// Cleans the selected columns of rows. Built once from a [`CleanConfig`], shared across
/// threads.
#[derive(Clone, Debug)]
pub struct Cleaner {
    columns: Vec<String>,
    field_names: Vec<String>,
    refinery: Refinery,
    key_refinery: Refinery,
    /// True when both refineries have the same steps, so the key text is the clean text.
    same_refineries: bool,
    /// Number of leading key-refinery steps that are the refinery's steps, when the key
    /// refinery starts with all of them: the key text is then refined from the clean text
    /// and those steps do not run twice.
    key_steps_done: Option<usize>,
    allow_missing_columns: bool,
}

impl Cleaner {
    /// Creates a cleaner. Fails with [`CleanError::NoColumns`] when no column is selected.
    pub fn new(config: &CleanConfig) -> Result<Self, CleanError> {
        if config.columns.is_empty() {
            return Err(CleanError::NoColumns);
        }
        let refinery = Refinery::from_preset(config.refinery, &config.extra_steps);
        let key_refinery = Refinery::from_preset(config.key_refinery.0, &config.key_extra_steps);
        Ok(Cleaner {
            columns: config.columns.clone(),
            field_names: clean_field_names(&config.columns),
            same_refineries: refinery == key_refinery,
            key_steps_done: key_refinery
                .starts_with(&refinery)
                .then_some(refinery.steps().len()),
            refinery,
            key_refinery,
            allow_missing_columns: config.allow_missing_columns,
        })
    }

    /// Returns the selected source columns, in order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Returns the `clean<Name>` field names, one per selected column, unique.
    pub fn field_names(&self) -> &[String] {
        &self.field_names
    }

    /// Returns the refinery for the LLM text.
    pub fn refinery(&self) -> &Refinery {
        &self.refinery
    }

    /// Returns the refinery for the key text.
    pub fn key_refinery(&self) -> &Refinery {
        &self.key_refinery
    }

    /// Cleans one row. Non-text values are formatted with their `Display` (dates in ISO 8601)
    /// before cleaning, and null becomes the empty string.
    ///
    /// Fails with [`CleanError::MissingColumn`] when the row's table lacks a selected column,
    /// unless the configuration allows missing columns.
    pub fn clean_row(&self, row: &Row) -> Result<CleanRow, CleanError> {
        let mut fields = Vec::with_capacity(self.columns.len());
        let mut keys = Vec::with_capacity(self.columns.len());
        let mut formatted = String::new();

        for column in &self.columns {
            let text: &str = match row.get(column) {
                Some(Value::Text(text)) => text,
                Some(Value::Null) => "",
                Some(value) => {
                    formatted.clear();
                    // Writing into a String cannot fail.
                    let _ = write!(formatted, "{value}");
                    &formatted
                }
                None if self.allow_missing_columns => "",
                None => return Err(missing_column(row, column)),
            };

            let field = self.refinery.apply_to_string(text);
            let key = if self.same_refineries {
                field.clone()
            } else if let Some(skip) = self.key_steps_done {
                let mut key = String::with_capacity(field.len());
                self.key_refinery.apply_after(skip, &field, &mut key);
                key
            } else {
                self.key_refinery.apply_to_string(text)
            };
            fields.push(field);
            keys.push(key);
        }

        Ok(CleanRow {
            row_index: row.row_index,
            file: Arc::clone(&row.file),
            fields,
            keys,
        })
    }

    /// Cleans a batch of rows in parallel; the output keeps the input order. When rows fail,
    /// returns the error of the first failing row in input order.
    pub fn clean_rows(&self, rows: &[Row]) -> Result<Vec<CleanRow>, CleanError> {
        let cleaned: Result<Vec<CleanRow>, CleanError> = rows
            .par_iter()
            .with_min_len(MIN_ROWS_PER_TASK)
            .map(|row| self.clean_row(row))
            .collect();

        // Rayon returns the error of whichever task failed first in time, so the first
        // failing row in input order is looked up again on this rare path.
        cleaned.map_err(|error| {
            rows.iter()
                .find_map(|row| self.clean_row(row).err())
                .unwrap_or(error)
        })
    }
}

fn missing_column(row: &Row, column: &str) -> CleanError {
    CleanError::MissingColumn {
        column: column.to_string(),
        file: row.file.to_string(),
        line: row.line,
        row_index: row.row_index,
        available: row.columns.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::Preset;
    use chrono::NaiveDate;

    fn row(row_index: u64, values: Vec<Value>) -> Row {
        Row {
            row_index,
            file: Arc::from("ventas.csv"),
            sheet: None,
            line: row_index + 2,
            columns: Arc::from(vec![
                "Glosa".to_string(),
                "Fecha".to_string(),
                "Monto".to_string(),
            ]),
            values,
        }
    }

    #[test]
    fn clean_row_fields_and_keys() {
        let cleaner = Cleaner::new(&CleanConfig::for_columns(["Glosa"])).unwrap();
        let cleaned = cleaner
            .clean_row(&row(
                7,
                vec![
                    Value::Text(" PAGO FACT. 00123 ".into()),
                    Value::Null,
                    Value::Int(5),
                ],
            ))
            .unwrap();
        assert_eq!(cleaner.field_names(), ["cleanGlosa"]);
        assert_eq!(cleaned.row_index, 7);
        assert_eq!(&*cleaned.file, "ventas.csv");
        assert_eq!(cleaned.fields, ["PAGO FACT. 00123"]);
        assert_eq!(cleaned.keys, ["pago fact <num>"]);
    }

    #[test]
    fn key_from_clean_text_matches_raw() {
        let config = CleanConfig {
            refinery: Preset::Basic,
            key_refinery: Preset::Ledger.into(),
            ..CleanConfig::for_columns(["Glosa"])
        };
        let cleaner = Cleaner::new(&config).unwrap();
        let ledger = Refinery::from_preset(Preset::Ledger, &[]);
        let inputs = [
            " PAGO  FACT. 00123 PROV. ACME 03/2024 ",
            "\u{93}Arriendo\u{94} oficina \u{96} marzo 2024",
            "Honorarios “Juan Pérez” – 31/03/24\r\n",
            "Cuota 2ª Año 2024 $ 1.234.567",
            "Pago 2024\u{96}03 Acme",
            "\t\u{a0}",
        ];
        for input in inputs {
            let cleaned = cleaner
                .clean_row(&row(
                    0,
                    vec![Value::Text(input.into()), Value::Null, Value::Null],
                ))
                .unwrap();
            assert_eq!(
                cleaned.keys[0],
                ledger.apply_to_string(input),
                "input {input:?}"
            );
        }
    }

    #[test]
    fn non_text_values_formatted() {
        let cleaner = Cleaner::new(&CleanConfig::for_columns(["Fecha", "Monto", "Glosa"])).unwrap();
        let date = NaiveDate::from_ymd_opt(2024, 3, 31).unwrap();
        let cleaned = cleaner
            .clean_row(&row(
                0,
                vec![Value::Null, Value::Date(date), Value::Float(1234.5)],
            ))
            .unwrap();
        assert_eq!(cleaned.fields, ["2024-03-31", "1234.5", ""]);
        assert_eq!(cleaned.keys, ["2024 03 31", "12345", ""]);
    }

    #[test]
    fn missing_column_names_columns() {
        let cleaner = Cleaner::new(&CleanConfig::for_columns(["Descripcion"])).unwrap();
        let error = cleaner
            .clean_row(&row(3, vec![Value::Null, Value::Null, Value::Null]))
            .unwrap_err();
        let message = error.to_string();
        assert_eq!(
            message,
            "ventas.csv: line 5 (row 3): column \"Descripcion\" not found; the columns are: Glosa, Fecha, Monto"
        );
    }

    #[test]
    fn missing_column_allowed_gives_empty() {
        let config = CleanConfig {
            allow_missing_columns: true,
            ..CleanConfig::for_columns(["Descripcion"])
        };
        let cleaner = Cleaner::new(&config).unwrap();
        let cleaned = cleaner
            .clean_row(&row(3, vec![Value::Null, Value::Null, Value::Null]))
            .unwrap();
        assert_eq!(cleaned.fields, [""]);
    }

    #[test]
    fn no_columns_rejected() {
        assert_eq!(
            Cleaner::new(&CleanConfig::default()).unwrap_err(),
            CleanError::NoColumns
        );
    }

    #[test]
    fn clean_rows_reports_first_failure() {
        let cleaner = Cleaner::new(&CleanConfig::for_columns(["Glosa"])).unwrap();
        let other_table: Arc<[String]> = Arc::from(vec!["Detalle".to_string()]);
        let rows: Vec<Row> = (0..5000)
            .map(|index| {
                let mut row = row(index, vec![Value::Null, Value::Null, Value::Null]);
                if index >= 1000 {
                    row.columns = Arc::clone(&other_table);
                    row.values = vec![Value::Null];
                }
                row
            })
            .collect();

        for _ in 0..20 {
            match cleaner.clean_rows(&rows).unwrap_err() {
                CleanError::MissingColumn { row_index, .. } => assert_eq!(row_index, 1000),
                other => panic!("unexpected error {other:?}"),
            }
        }
    }

    #[test]
    fn clean_rows_keeps_order() {
        let cleaner = Cleaner::new(&CleanConfig::for_columns(["Glosa"])).unwrap();
        let rows: Vec<Row> = (0..2000)
            .map(|index| {
                row(
                    index,
                    vec![
                        Value::Text(format!("Item {index}")),
                        Value::Null,
                        Value::Null,
                    ],
                )
            })
            .collect();
        let cleaned = cleaner.clean_rows(&rows).unwrap();
        assert_eq!(cleaned.len(), rows.len());
        for (index, cleaned_row) in cleaned.iter().enumerate() {
            assert_eq!(cleaned_row.row_index, index as u64);
            assert_eq!(cleaned_row.fields[0], format!("Item {index}"));
        }
    }
}
