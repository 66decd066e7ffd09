//! Caps repeated warnings of one kind in one table, so a column full of `#DIV/0!` cells or a
//! file full of bad lines yields a readable report instead of one warning per row.

use super::{TableSink, Warning};
use std::collections::HashMap;

/// Warnings of one kind reported per table before the rest are only counted.
pub(crate) const MAX_WARNINGS_PER_KIND: u64 = 100;

/// Counts warnings by kind for the current table and forwards the first
/// [`MAX_WARNINGS_PER_KIND`] of each kind to the sink.
#[derive(Debug, Default)]
pub(crate) struct WarningBudget {
    counts: HashMap<String, u64>,
}

impl WarningBudget {
    /// Forwards `warning` unless its kind is over budget, in which case it is only counted.
    pub(crate) fn push(&mut self, sink: &mut dyn TableSink, warning: Warning) {
        let count = self.counts.entry(warning.kind.clone()).or_insert(0);
        *count += 1;
        if *count <= MAX_WARNINGS_PER_KIND {
            sink.warning(warning);
        }
    }

    /// Reports how many warnings of each kind were left out, then resets for the next table.
    pub(crate) fn finish_table(&mut self, sink: &mut dyn TableSink) {
        let mut over: Vec<(String, u64)> = self
            .counts
            .drain()
            .filter(|(_, count)| *count > MAX_WARNINGS_PER_KIND)
            .collect();
        over.sort();

        for (kind, count) in over {
            sink.warning(Warning {
                line: None,
                kind: "warnings_truncated".to_owned(),
                message: format!(
                    "{} more {kind:?} warnings not listed ({count} in total)",
                    count - MAX_WARNINGS_PER_KIND
                ),
            });
        }
    }
}
