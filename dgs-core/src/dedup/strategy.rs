//! Dedup strategies and the keys they build.

use super::error::DedupError;
use crate::clean::{CleanRow, Step};
use crate::ingest::Row;
use crate::Value;
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// Separates the parts of a key built from several columns. Each part is written as its
/// byte length, this separator and its text, so no two different part lists give the same
/// key whatever the values contain.
const PART_SEPARATOR: char = '\u{1F}';

/// The rule that builds the dedup key of a row. Serialises with a `kind` tag:
/// `{"kind":"exact"}`, `{"kind":"columns","columns":[{"column":"Glosa","source":"clean"}]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DedupStrategy {
    /// Rows whose key texts (the key refinery output of every cleaned column, see
    /// [`CleanConfig::key_refinery`](crate::clean::CleanConfig::key_refinery)) are equal.
    /// To group on the exact text the LLM reads, set the key refinery equal to the refinery.
    /// This is the default.
    #[default]
    Exact,
    /// Rows whose key texts have the same OpenRefine fingerprint (word order, case, accents,
    /// punctuation and repeated words ignored), so `acme pago` and `pago acme` merge.
    Fingerprint,
    /// Rows equal on the listed columns, each taken clean (its key text) or raw.
    Columns {
        /// Key columns, in order.
        columns: Vec<KeyColumn>,
    },
}

/// One column of a [`DedupStrategy::Columns`] key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyColumn {
    /// Source column name, as in the input header.
    pub column: String,
    /// The text of the column that goes into the key. Default: [`KeySource::Clean`].
    #[serde(default)]
    pub source: KeySource,
}

/// The text of a column that a [`KeyColumn`] uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    /// The key refinery output; the column must be one of the cleaned columns.
    #[default]
    Clean,
    /// The value as read, formatted with `Display` (null is empty).
    Raw,
}

#[derive(Clone, Debug)]
enum KeyPart {
    Clean(usize),
    Fingerprint(usize),
    Raw(String),
}

/// Builds the dedup key of a row for one strategy. Built once, shared across threads.
#[derive(Clone, Debug)]
pub struct KeyBuilder {
    parts: Vec<KeyPart>,
}

impl KeyBuilder {
    /// Creates a key builder for `strategy`, where `cleaned_columns` are the source columns the
    /// cleaner cleans ([`Cleaner::columns`](crate::clean::Cleaner::columns)), in order.
    pub fn new(strategy: &DedupStrategy, cleaned_columns: &[String]) -> Result<Self, DedupError> {
        let parts = match strategy {
            DedupStrategy::Exact => (0..cleaned_columns.len()).map(KeyPart::Clean).collect(),
            DedupStrategy::Fingerprint => (0..cleaned_columns.len())
                .map(KeyPart::Fingerprint)
                .collect(),
            DedupStrategy::Columns { columns } => {
                if columns.is_empty() {
                    return Err(DedupError::NoKeyColumns);
                }
                columns
                    .iter()
                    .map(|key_column| column_part(key_column, cleaned_columns))
                    .collect::<Result<_, _>>()?
            }
        };
        Ok(KeyBuilder { parts })
    }

    /// Returns the position of the cleaned column whose key text is the whole key, when the
    /// key has that one part, so callers can use the text without building a copy.
    pub(crate) fn single_clean_part(&self) -> Option<usize> {
        match self.parts.as_slice() {
            [KeyPart::Clean(position)] => Some(*position),
            _ => None,
        }
    }

    /// Writes the key of `row` into `out`, replacing its content. `clean` is the row's
    /// [`CleanRow`].
    ///
    /// A key of one part is that part's text, so it reads like the cleaned value.
    pub fn build(&self, row: &Row, clean: &CleanRow, out: &mut String) -> Result<(), DedupError> {
        out.clear();
        let mut part_text = String::new();

        for part in &self.parts {
            part_text.clear();
            let text: &str = match part {
                KeyPart::Clean(position) => clean.keys.get(*position).map_or("", String::as_str),
                KeyPart::Fingerprint(position) => {
                    Step::Fingerprint.apply(
                        clean.keys.get(*position).map_or("", String::as_str),
                        &mut part_text,
                    );
                    &part_text
                }
                KeyPart::Raw(column) => match row.get(column) {
                    Some(Value::Text(text)) => text,
                    Some(value) => {
                        // Writing into a String cannot fail.
                        let _ = write!(part_text, "{value}");
                        &part_text
                    }
                    None => return Err(missing_key_column(row, column)),
                },
            };

            if self.parts.len() == 1 {
                out.push_str(text);
            } else {
                let _ = write!(out, "{}{PART_SEPARATOR}{text}", text.len());
            }
        }
        Ok(())
    }
}

fn column_part(key_column: &KeyColumn, cleaned_columns: &[String]) -> Result<KeyPart, DedupError> {
    match key_column.source {
        KeySource::Raw => Ok(KeyPart::Raw(key_column.column.clone())),
        KeySource::Clean => cleaned_columns
            .iter()
            .position(|column| *column == key_column.column)
            .map(KeyPart::Clean)
            .ok_or_else(|| DedupError::KeyColumnNotCleaned {
                column: key_column.column.clone(),
                cleaned: cleaned_columns.to_vec(),
            }),
    }
}

fn missing_key_column(row: &Row, column: &str) -> DedupError {
    DedupError::MissingKeyColumn {
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
    use std::sync::Arc;

    fn row() -> (Row, CleanRow) {
        let row = Row {
            row_index: 4,
            file: Arc::from("libro.xlsx"),
            sheet: Some(Arc::from("Enero")),
            line: 9,
            columns: Arc::from(vec![
                "Glosa".to_string(),
                "Cuenta".to_string(),
                "Monto".to_string(),
            ]),
            values: vec![
                Value::Text("Pago ACME".into()),
                Value::Text("5101".into()),
                Value::Int(1200),
            ],
        };
        let clean = CleanRow {
            row_index: 4,
            file: Arc::clone(&row.file),
            fields: vec!["Pago ACME".into()],
            keys: vec!["pago acme".into()],
        };
        (row, clean)
    }

    fn key(strategy: &DedupStrategy) -> String {
        let (row, clean) = row();
        let builder = KeyBuilder::new(strategy, &["Glosa".to_string()]).unwrap();
        let mut out = String::from("stale");
        builder.build(&row, &clean, &mut out).unwrap();
        out
    }

    #[test]
    fn exact_key_is_key_text() {
        assert_eq!(key(&DedupStrategy::Exact), "pago acme");
    }

    #[test]
    fn fingerprint_key_sorts_words() {
        assert_eq!(key(&DedupStrategy::Fingerprint), "acme pago");
    }

    #[test]
    fn columns_key_mixes_clean_and_raw() {
        let strategy = DedupStrategy::Columns {
            columns: vec![
                KeyColumn {
                    column: "Glosa".into(),
                    source: KeySource::Clean,
                },
                KeyColumn {
                    column: "Monto".into(),
                    source: KeySource::Raw,
                },
            ],
        };
        assert_eq!(key(&strategy), "9\u{1f}pago acme4\u{1f}1200");
    }

    #[test]
    fn columns_key_parts_unambiguous() {
        let (row, _) = row();
        let strategy = DedupStrategy::Columns {
            columns: vec![
                KeyColumn {
                    column: "Glosa".into(),
                    source: KeySource::Raw,
                },
                KeyColumn {
                    column: "Cuenta".into(),
                    source: KeySource::Raw,
                },
            ],
        };
        let builder = KeyBuilder::new(&strategy, &[]).unwrap();
        let mut first = String::new();
        let mut second = String::new();
        let clean = CleanRow {
            row_index: 4,
            file: Arc::clone(&row.file),
            fields: vec![],
            keys: vec![],
        };
        builder.build(&row, &clean, &mut first).unwrap();
        let mut shifted = row.clone();
        shifted.values[0] = Value::Text("Pago ACME5".into());
        shifted.values[1] = Value::Text("101".into());
        builder.build(&shifted, &clean, &mut second).unwrap();
        assert_ne!(first, second);
    }

    #[test]
    fn strategy_errors_name_columns() {
        let strategy = DedupStrategy::Columns {
            columns: vec![KeyColumn {
                column: "Cuenta".into(),
                source: KeySource::Clean,
            }],
        };
        let error = KeyBuilder::new(&strategy, &["Glosa".to_string()]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "key column \"Cuenta\" is not cleaned; clean columns are: Glosa; use source \"raw\" to key on the value as read"
        );
        let empty = DedupStrategy::Columns { columns: vec![] };
        assert_eq!(
            KeyBuilder::new(&empty, &[]).unwrap_err(),
            DedupError::NoKeyColumns
        );

        let raw = DedupStrategy::Columns {
            columns: vec![KeyColumn {
                column: "Centro".into(),
                source: KeySource::Raw,
            }],
        };
        let builder = KeyBuilder::new(&raw, &[]).unwrap();
        let (row, clean) = row();
        let error = builder.build(&row, &clean, &mut String::new()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "libro.xlsx: line 9 (row 4): key column \"Centro\" not found; the columns are: Glosa, Cuenta, Monto"
        );
    }

    #[test]
    fn strategy_serde_shape() {
        let strategy: DedupStrategy =
            serde_json::from_str(r#"{"kind":"columns","columns":[{"column":"Glosa"},{"column":"Cuenta","source":"raw"}]}"#).unwrap();
        assert_eq!(
            strategy,
            DedupStrategy::Columns {
                columns: vec![
                    KeyColumn {
                        column: "Glosa".into(),
                        source: KeySource::Clean
                    },
                    KeyColumn {
                        column: "Cuenta".into(),
                        source: KeySource::Raw
                    },
                ]
            }
        );
        assert_eq!(
            serde_json::to_string(&DedupStrategy::Fingerprint).unwrap(),
            r#"{"kind":"fingerprint"}"#
        );
    }
}
