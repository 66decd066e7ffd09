//! A [`TableSink`] that keeps everything it receives, for reader tests.

use super::{TableInfo, TableSink, Warning};
use crate::Value;
use std::ops::ControlFlow;

/// One table as a reader produced it.
#[derive(Debug)]
pub(crate) struct CollectedTable {
    pub info: TableInfo,
    pub warnings: Vec<Warning>,
    /// `(line, values)` pairs in the order they were pushed.
    pub records: Vec<(u64, Vec<Value>)>,
}

impl CollectedTable {
    /// Returns the values of the named column, one per record.
    pub(crate) fn column(&self, name: &str) -> Vec<Value> {
        let index = self
            .info
            .columns
            .iter()
            .position(|column| column == name)
            .unwrap_or_else(|| panic!("no column {name:?} in {:?}", self.info.columns));
        self.records
            .iter()
            .map(|(_, values)| values[index].clone())
            .collect()
    }

    /// Returns the warnings of one kind.
    pub(crate) fn warnings_of(&self, kind: &str) -> Vec<&Warning> {
        self.warnings.iter().filter(|w| w.kind == kind).collect()
    }
}

/// Collects tables and checks the sink contract: no warning or record before a table, and
/// exactly one value per column.
#[derive(Debug, Default)]
pub(crate) struct CollectingSink {
    pub tables: Vec<CollectedTable>,
    /// Stop after this many records in total, to test early stops.
    pub stop_after: Option<usize>,
    records_seen: usize,
}

impl CollectingSink {
    /// Returns a sink whose `record` returns `Break` once `limit` records were pushed.
    pub(crate) fn stopping_after(limit: usize) -> Self {
        CollectingSink {
            stop_after: Some(limit),
            ..CollectingSink::default()
        }
    }

    /// Returns the only table, failing the test when there is not exactly one.
    pub(crate) fn single(&self) -> &CollectedTable {
        assert_eq!(
            self.tables.len(),
            1,
            "expected one table: {:#?}",
            self.tables
        );
        &self.tables[0]
    }

    fn current(&mut self) -> &mut CollectedTable {
        self.tables
            .last_mut()
            .expect("warning or record pushed before begin_table")
    }
}

impl TableSink for CollectingSink {
    fn begin_table(&mut self, table: TableInfo) {
        self.tables.push(CollectedTable {
            info: table,
            warnings: Vec::new(),
            records: Vec::new(),
        });
    }

    fn warning(&mut self, warning: Warning) {
        self.current().warnings.push(warning);
    }

    fn record(&mut self, line: u64, values: Vec<Value>) -> ControlFlow<()> {
        let table = self.current();
        assert_eq!(
            values.len(),
            table.info.columns.len(),
            "record at line {line} has {} values for columns {:?}",
            values.len(),
            table.info.columns
        );
        table.records.push((line, values));

        self.records_seen += 1;
        match self.stop_after {
            Some(limit) if self.records_seen >= limit => ControlFlow::Break(()),
            _ => ControlFlow::Continue(()),
        }
    }
}
