//! The contract between format readers and the driver.

use super::{Format, Warning};
use crate::Value;
use std::ops::ControlFlow;

/// Receives what a format reader finds in one file.
///
/// Call order for each table: `begin_table`, then any mix of `warning` and `record`, and
/// optionally `fail_table`. A file may contain several tables (one per sheet). The driver
/// closes the last table when the reader returns; a reader that returns `Err` fails the
/// current table, and the rows it already pushed are kept. A reader that can go on after a
/// table fails (the next sheet of a workbook) calls `fail_table` instead and continues.
///
/// Readers push every warning they find: the sink caps how many of one kind it keeps.
pub(crate) trait TableSink {
    /// Starts a table. `columns` are the final, unique header names.
    fn begin_table(&mut self, table: TableInfo);

    /// Records a repair or an ignored value in the current table.
    fn warning(&mut self, warning: Warning);

    /// Pushes one record; `values` has exactly one value per column of the current table.
    /// Returns `Break` when the consumer wants no more rows, and the reader then stops.
    fn record(&mut self, line: u64, values: Vec<Value>) -> ControlFlow<()>;

    /// Fails and closes the current table: `message` becomes its error, naming the file and
    /// position, and the rows already pushed are kept. The next call is `begin_table` or the
    /// reader's return.
    fn fail_table(&mut self, message: String);
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
