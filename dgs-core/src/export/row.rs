//! The output row type and the mapping of each input table's columns onto the layout.

use super::error::ExportError;
use super::options::ExportLayout;
use crate::classify::Classification;
use crate::ingest::Row;
use crate::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// One row of the output: an input row with its clean values and the classification of its
/// group. Borrowed so the caller keeps ownership of rows and results while streaming.
#[derive(Clone, Copy, Debug)]
pub struct OutputRow<'a> {
    pub row: &'a Row,
    /// One value per [`ExportLayout::clean_columns`] entry, in that order.
    pub clean: &'a [String],
    /// Dedup group id: the row index of the group's first row.
    pub group: u64,
    /// The classification of the row's group.
    pub classification: &'a Classification,
    pub prompt_version: u32,
    /// Review iteration that produced the classification, starting at 1.
    pub iteration: u32,
}

impl OutputRow<'_> {
    pub(crate) fn check_clean_count(&self, layout: &ExportLayout) -> Result<(), ExportError> {
        if self.clean.len() == layout.clean_columns.len() {
            return Ok(());
        }

        Err(ExportError::CleanValueCount {
            row_index: self.row.row_index,
            file: self.row.file.to_string(),
            line: self.row.line,
            expected: layout.clean_columns.len(),
            found: self.clean.len(),
        })
    }
}

/// Maps the columns of each input table onto the layout's `original_columns`.
///
/// Rows of one table share one `Arc<[String]>` of column names, so the mapping is computed
/// once per table and found again by the address of that allocation. The cache keeps a clone
/// of each `Arc`, so an address cannot be reused by another table while it is cached.
#[derive(Debug)]
pub(crate) struct ColumnMapper {
    positions: HashMap<String, usize>,
    /// Keyed by the address of the table's column list.
    tables: HashMap<usize, TableSources>,
}

/// A table's column list, kept alive so its address stays unique, and its value index per
/// layout column.
#[derive(Debug)]
struct TableSources {
    #[expect(dead_code, reason = "held only to keep the address in use")]
    columns: Arc<[String]>,
    sources: Arc<[Option<usize>]>,
}

impl ColumnMapper {
    pub(crate) fn new(layout: &ExportLayout) -> ColumnMapper {
        let positions = layout
            .original_columns
            .iter()
            .enumerate()
            .map(|(position, column)| (column.clone(), position))
            .collect();

        ColumnMapper {
            positions,
            tables: HashMap::new(),
        }
    }

    /// Returns, for each layout column, the index of the row's value for it, or `None` when
    /// the row's table lacks that column.
    ///
    /// # Errors
    ///
    /// [`ExportError::UnknownColumn`] when the row has a column the layout does not list.
    pub(crate) fn sources(&mut self, row: &Row) -> Result<Arc<[Option<usize>]>, ExportError> {
        let key = row.columns.as_ptr() as usize;
        if let Some(table) = self.tables.get(&key) {
            return Ok(Arc::clone(&table.sources));
        }

        let mut sources = vec![None; self.positions.len()];
        for (value_index, column) in row.columns.iter().enumerate() {
            let Some(&position) = self.positions.get(column) else {
                return Err(ExportError::UnknownColumn {
                    row_index: row.row_index,
                    file: row.file.to_string(),
                    line: row.line,
                    column: column.clone(),
                });
            };
            sources[position] = Some(value_index);
        }

        let sources: Arc<[Option<usize>]> = sources.into();
        let table = TableSources {
            columns: Arc::clone(&row.columns),
            sources: Arc::clone(&sources),
        };
        self.tables.insert(key, table);
        Ok(sources)
    }
}

/// Returns the row's value for a layout column, treating a missing column or a value past
/// the end of a short row as null.
pub(crate) fn value_at(row: &Row, source: Option<usize>) -> &Value {
    const NULL: &Value = &Value::Null;

    source
        .and_then(|index| row.values.get(index))
        .unwrap_or(NULL)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(columns: &Arc<[String]>, values: Vec<Value>) -> Row {
        Row {
            row_index: 7,
            file: Arc::from("a.csv"),
            sheet: None,
            line: 9,
            columns: Arc::clone(columns),
            values,
        }
    }

    fn layout(columns: &[&str]) -> ExportLayout {
        ExportLayout {
            original_columns: columns.iter().map(|column| column.to_string()).collect(),
            clean_columns: Vec::new(),
        }
    }

    #[test]
    fn mapper_reorders_columns() {
        let columns: Arc<[String]> = vec!["b".to_string(), "a".to_string()].into();
        let mut mapper = ColumnMapper::new(&layout(&["a", "c", "b"]));

        let sources = mapper.sources(&row(&columns, vec![])).unwrap();
        assert_eq!(&*sources, [Some(1), None, Some(0)]);
    }

    #[test]
    fn mapper_reuses_table_mapping() {
        let columns: Arc<[String]> = vec!["a".to_string()].into();
        let mut mapper = ColumnMapper::new(&layout(&["a"]));

        let first = mapper.sources(&row(&columns, vec![])).unwrap();
        let second = mapper.sources(&row(&columns, vec![])).unwrap();
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(mapper.tables.len(), 1);
    }

    #[test]
    fn short_row_reads_null() {
        let columns: Arc<[String]> = vec!["a".to_string(), "b".to_string()].into();
        let short = row(&columns, vec![Value::Int(1)]);

        assert_eq!(value_at(&short, Some(0)), &Value::Int(1));
        assert_eq!(value_at(&short, Some(1)), &Value::Null);
        assert_eq!(value_at(&short, None), &Value::Null);
    }
}
