//! The contract between format readers and the driver.

use super::{Format, Warning};
use crate::Value;
use std::ops::ControlFlow;

/// Receives what a format reader finds in one file.
///
/// Call order for each table: `begin_table`, then any mix of `warning` and `record`. A file
/// may contain several tables (one per sheet). The driver closes the last table when the
/// reader returns; a reader that returns `Err` fails the current table, and the rows it
/// already pushed are kept.
pub(crate) trait TableSink {
    /// Starts a table. `columns` are the final, unique header names.
    fn begin_table(&mut self, table: TableInfo);

    /// Records a repair or an ignored value in the current table.
    fn warning(&mut self, warning: Warning);

    /// Pushes one record; `values` has exactly one value per column of the current table.
    /// Returns `Break` when the consumer wants no more rows, and the reader then stops.
    fn record(&mut self, line: u64, values: Vec<Value>) -> ControlFlow<()>;
}

/// What a reader knows about a table when it starts it.
#[derive(Clone, Debug)]
pub(crate) struct TableInfo {
    pub format: Format,
    pub encoding: Option<String>,
    pub delimiter: Option<char>,
    pub sheet: Option<String>,
    pub columns: Vec<String>,
}
