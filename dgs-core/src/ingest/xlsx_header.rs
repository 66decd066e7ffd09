//! Finds the header row of a worksheet below report titles and blank rows.
//!
//! Rule: among the first [`HEADER_WINDOW`] non-empty rows, the header is the first row that
//! is mostly text (at least half of its non-empty cells are text) and has at least 80% as
//! many non-empty cells as the fullest row of that window. When no row qualifies (a sheet of
//! numbers only), the first non-empty row is the header. Cells are counted before merged
//! ranges are filled in, so a title merged across the table counts as one cell.

use crate::Value;

/// Number of non-empty rows examined when looking for the header.
pub(crate) const HEADER_WINDOW: usize = 20;

/// A non-empty worksheet row as read, without merged-range filling.
#[derive(Clone, Debug)]
pub(crate) struct RawRow {
    /// 0-based worksheet row.
    pub row: u32,
    /// Non-blank cells as `(0-based column, value)`, in column order.
    pub cells: Vec<(u32, Value)>,
}

/// Returns the position in `rows` of the header row, or `None` when `rows` is empty.
pub(crate) fn find_header(rows: &[RawRow]) -> Option<usize> {
    let fullest = rows.iter().map(|row| row.cells.len()).max()?;

    let header = rows.iter().position(|row| {
        let count = row.cells.len();
        let text = row
            .cells
            .iter()
            .filter(|(_, value)| matches!(value, Value::Text(_)))
            .count();
        text * 2 >= count && count * 5 >= fullest * 4
    });

    Some(header.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(row: u32, cells: &[Value]) -> RawRow {
        RawRow {
            row,
            cells: cells
                .iter()
                .cloned()
                .enumerate()
                .map(|(col, v)| (col as u32, v))
                .collect(),
        }
    }

    fn text(s: &str) -> Value {
        Value::Text(s.to_owned())
    }

    #[test]
    fn header_below_title_rows() {
        let rows = [
            row(0, &[text("Empresa XYZ")]),
            row(1, &[text("Libro mayor"), text("2024")]),
            row(3, &[text("Fecha"), text("Cuenta"), text("Importe")]),
            row(4, &[Value::Int(1), text("Caja"), Value::Int(10)]),
        ];
        assert_eq!(find_header(&rows), Some(2));
    }

    #[test]
    fn header_with_blank_name_beats_fuller_text_row() {
        let rows = [
            row(
                0,
                &[text("Cuenta"), text("Nombre"), text("Tipo"), text("Saldo")],
            ),
            row(
                1,
                &[
                    text("100"),
                    text("Caja"),
                    text("Activo"),
                    text("Deudor"),
                    text("nota"),
                ],
            ),
        ];
        assert_eq!(find_header(&rows), Some(0));
    }

    #[test]
    fn numeric_row_is_not_header() {
        let rows = [
            row(0, &[Value::Int(1), Value::Int(2), Value::Int(3)]),
            row(1, &[text("a"), text("b"), text("c")]),
        ];
        assert_eq!(find_header(&rows), Some(1));
    }

    #[test]
    fn all_numeric_falls_back_to_first() {
        let rows = [
            row(2, &[Value::Int(1), Value::Int(2)]),
            row(3, &[Value::Int(3), Value::Int(4)]),
        ];
        assert_eq!(find_header(&rows), Some(0));
        assert_eq!(find_header(&[]), None);
    }
}
