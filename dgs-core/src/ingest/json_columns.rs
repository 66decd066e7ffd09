//! Columns of a JSON table: the union of flattened keys in first-seen order, and the
//! placement of one object's fields into a record.

use super::column_names::unique_column_names;
use super::json_value::FlatField;
use super::Warning;
use crate::Value;
use std::collections::HashMap;

/// Flattened keys in the order they were first seen.
#[derive(Debug, Default)]
pub(crate) struct KeyOrder {
    keys: Vec<String>,
    index: HashMap<String, usize>,
}

/// One object placed into the columns.
#[derive(Debug)]
pub(crate) struct PlacedRecord {
    pub values: Vec<Value>,
    /// Keys that appeared twice in the object (after flattening); the last value is kept.
    pub duplicate_keys: Vec<String>,
    /// Keys that are not columns; their values are not in `values`.
    pub unknown_keys: Vec<String>,
}

impl KeyOrder {
    /// Adds the keys of one object that were not seen before.
    pub(crate) fn add_keys<'a>(&mut self, keys: impl Iterator<Item = &'a str>) {
        for key in keys {
            if !self.index.contains_key(key) {
                self.index.insert(key.to_owned(), self.keys.len());
                self.keys.push(key.to_owned());
            }
        }
    }

    /// Returns the final column names and the warnings about renamed keys.
    pub(crate) fn column_names(&self) -> (Vec<String>, Vec<Warning>) {
        unique_column_names(&self.keys, None)
    }

    /// Places the fields of one object; missing keys are `Null`.
    pub(crate) fn place(&self, fields: Vec<FlatField>) -> PlacedRecord {
        let mut values = vec![Value::Null; self.keys.len()];
        let mut set = vec![false; self.keys.len()];
        let mut duplicate_keys = Vec::new();
        let mut unknown_keys = Vec::new();

        for (key, value) in fields {
            match self.index.get(&key) {
                Some(&position) => {
                    if set[position] {
                        duplicate_keys.push(key);
                    }
                    set[position] = true;
                    values[position] = value;
                }
                None => unknown_keys.push(key),
            }
        }

        PlacedRecord {
            values,
            duplicate_keys,
            unknown_keys,
        }
    }
}

/// Formats keys for a warning as `"a", "b"`.
pub(crate) fn quote_keys(keys: &[String]) -> String {
    keys.iter()
        .map(|key| format!("{key:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}
