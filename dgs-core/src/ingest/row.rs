//! The row type every later stage consumes.

use crate::Value;
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};
use std::sync::Arc;

/// One record of one input file, with its position in the input.
///
/// `columns` is shared by every row of the same table, so a row costs one `Vec<Value>` plus
/// three pointers.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// 0-based position of the row across the whole input.
    pub row_index: u64,
    /// Path of the source file: the entry name inside the ZIP, or the path relative to the
    /// folder or file given.
    pub file: Arc<str>,
    /// Sheet name for workbooks, `None` for other formats.
    pub sheet: Option<Arc<str>>,
    /// 1-based physical line (CSV, JSONL) or worksheet row (XLSX) where the record starts.
    /// For a JSON array it is the line of the object's opening brace.
    pub line: u64,
    /// Column names in header order, unique within the table.
    pub columns: Arc<[String]>,
    /// One value per column, in the order of `columns`.
    pub values: Vec<Value>,
}

impl Row {
    /// Returns the value of the named column, or `None` when the table has no such column.
    pub fn get(&self, column: &str) -> Option<&Value> {
        let position = self.columns.iter().position(|name| name == column)?;
        self.values.get(position)
    }

    /// Iterates over `(column, value)` pairs in header order.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.columns
            .iter()
            .map(String::as_str)
            .zip(self.values.iter())
    }
}

struct Fields<'a>(&'a Row);

impl Serialize for Fields<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.values.len()))?;
        for (column, value) in self.0.fields() {
            map.serialize_entry(column, value)?;
        }
        map.end()
    }
}

/// Serialises as `{"row_index","file","sheet","line","fields":{column: value}}`.
impl Serialize for Row {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut state = serializer.serialize_struct("Row", 5)?;
        state.serialize_field("row_index", &self.row_index)?;
        state.serialize_field("file", &*self.file)?;
        state.serialize_field("sheet", &self.sheet.as_deref())?;
        state.serialize_field("line", &self.line)?;
        state.serialize_field("fields", &Fields(self))?;
        state.end()
    }
}
