//! Copies the top-left value of each merged range into the other cells it covers.
//!
//! Rows arrive in worksheet order, so the filler keeps the ranges sorted by first row and an
//! active list of the ranges covering the current row. Only rows that have cells of their own
//! are filled: a merged range never creates rows, which keeps the work proportional to the
//! cells present whatever size the range declares.

use crate::Value;
use calamine::Dimensions;
use std::collections::HashMap;

/// One merged range and what it copied.
#[derive(Debug)]
pub(crate) struct MergedRange {
    pub range: Dimensions,
    /// Value of the top-left cell, once that cell has been read.
    pub value: Option<Value>,
    /// Number of cells the value was copied into.
    pub filled: u64,
}

/// Fills merged ranges into rows read in worksheet order.
#[derive(Debug)]
pub(crate) struct MergeFiller {
    ranges: Vec<MergedRange>,
    top_left: HashMap<(u32, u32), usize>,
    next: usize,
    active: Vec<usize>,
    last_row: Option<u32>,
}

impl MergeFiller {
    pub(crate) fn new(mut ranges: Vec<Dimensions>) -> Self {
        ranges.sort_by_key(|range| (range.start.0, range.start.1));
        let top_left = ranges
            .iter()
            .enumerate()
            .map(|(index, range)| (range.start, index))
            .collect();
        let ranges = ranges
            .into_iter()
            .map(|range| MergedRange {
                range,
                value: None,
                filled: 0,
            })
            .collect();

        MergeFiller {
            ranges,
            top_left,
            next: 0,
            active: Vec::new(),
            last_row: None,
        }
    }

    /// Returns true when the sheet has no merged ranges.
    pub(crate) fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Remembers `value` if the cell at `(row, column)` is the top-left of a merged range.
    pub(crate) fn observe(&mut self, row: u32, column: u32, value: &Value) {
        if let Some(&index) = self.top_left.get(&(row, column)) {
            self.ranges[index].value = Some(value.clone());
        }
    }

    /// Fills the cells of worksheet row `row` covered by merged ranges. `values[i]` is the
    /// cell in column `first_column + i`.
    pub(crate) fn fill(&mut self, row: u32, first_column: u32, values: &mut [Value]) {
        if self.ranges.is_empty() || values.is_empty() {
            return;
        }

        // Rows out of order only happen in hand-made files: start the scan over.
        if self.last_row.is_some_and(|last| row < last) {
            self.next = 0;
            self.active.clear();
        }
        self.last_row = Some(row);

        while self.next < self.ranges.len() && self.ranges[self.next].range.start.0 <= row {
            self.active.push(self.next);
            self.next += 1;
        }
        let ranges = &self.ranges;
        self.active
            .retain(|&index| ranges[index].range.end.0 >= row);

        let last_column = first_column + values.len() as u32 - 1;
        for &index in &self.active {
            let merged = &mut self.ranges[index];
            let Some(value) = &merged.value else {
                continue;
            };
            if value.is_blank() {
                continue;
            }

            let from = merged.range.start.1.max(first_column);
            let to = merged.range.end.1.min(last_column);
            for column in from..=to {
                if (row, column) == merged.range.start || from > to {
                    continue;
                }
                values[(column - first_column) as usize] = value.clone();
                merged.filled += 1;
            }
        }
    }

    /// Returns the ranges that copied their value into at least one cell.
    pub(crate) fn used_ranges(&self) -> impl Iterator<Item = &MergedRange> {
        self.ranges.iter().filter(|merged| merged.filled > 0)
    }
}

/// Formats a 0-based `(row, column)` as an A1 reference.
pub(crate) fn cell_reference(row: u32, column: u32) -> String {
    let mut letters = Vec::new();
    let mut number = column + 1;
    while number > 0 {
        let remainder = (number - 1) % 26;
        letters.push(b'A' + remainder as u8);
        number = (number - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row + 1)
}

/// Formats a range as `A1:B2`.
pub(crate) fn range_reference(range: &Dimensions) -> String {
    format!(
        "{}:{}",
        cell_reference(range.start.0, range.start.1),
        cell_reference(range.end.0, range.end.1)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_in_a1_notation() {
        assert_eq!(cell_reference(0, 0), "A1");
        assert_eq!(cell_reference(9, 25), "Z10");
        assert_eq!(cell_reference(0, 26), "AA1");
        assert_eq!(cell_reference(1_048_575, 16_383), "XFD1048576");
    }

    #[test]
    fn vertical_merge_fills_rows_below() {
        let mut filler = MergeFiller::new(vec![Dimensions::new((1, 0), (3, 0))]);
        let text = Value::Text("Caja".to_owned());
        filler.observe(1, 0, &text);

        let mut first = vec![text.clone(), Value::Int(1)];
        filler.fill(1, 0, &mut first);
        let mut second = vec![Value::Null, Value::Int(2)];
        filler.fill(2, 0, &mut second);
        let mut after = vec![Value::Null, Value::Int(5)];
        filler.fill(4, 0, &mut after);

        assert_eq!(second[0], text);
        assert_eq!(after[0], Value::Null);
        assert_eq!(filler.used_ranges().next().unwrap().filled, 1);
    }

    #[test]
    fn huge_range_clamped_to_row_width() {
        let mut filler = MergeFiller::new(vec![Dimensions::new((0, 0), (1_048_575, 16_383))]);
        filler.observe(0, 0, &Value::Int(7));
        let mut row = vec![Value::Null; 3];
        filler.fill(5, 2, &mut row);
        assert_eq!(row, vec![Value::Int(7); 3]);
    }
}
