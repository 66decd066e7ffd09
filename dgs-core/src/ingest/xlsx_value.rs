//! Converts calamine cell values into [`Value`]s.
//!
//! Whole numbers become `Int` (Excel stores every number as a float). Text stays text even
//! when it looks like a number (`"00123"`). Date-formatted numbers become `Date` (midnight)
//! or `DateTime` in the workbook's date system, and error cells become the error's text.

use crate::Value;
use calamine::{DataRef, ExcelDateTime};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};

/// Largest serial date Excel accepts (9999-12-31 23:59:59.999 in the 1900 system is below it).
const MAX_EXCEL_SERIAL: f64 = 2_958_466.0;

/// Largest float that converts to `i64` without loss (2^53).
const MAX_EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

/// The converted value of one cell, with the reason to warn when the conversion was lossy.
#[derive(Debug, PartialEq)]
pub(crate) struct CellValue {
    pub value: Value,
    /// `(kind, explanation)` when the cell needs a warning.
    pub problem: Option<(&'static str, String)>,
}

impl CellValue {
    fn plain(value: Value) -> Self {
        CellValue {
            value,
            problem: None,
        }
    }
}

/// Converts one cell. Formula cells arrive here as their cached value.
pub(crate) fn convert_cell(cell: &DataRef<'_>) -> CellValue {
    match cell {
        DataRef::Empty => CellValue::plain(Value::Null),
        DataRef::Int(value) => CellValue::plain(Value::Int(*value)),
        DataRef::Float(value) => CellValue::plain(number_value(*value)),
        DataRef::String(text) => CellValue::plain(Value::Text(text.clone())),
        DataRef::SharedString(text) => CellValue::plain(Value::Text((*text).to_owned())),
        DataRef::Bool(value) => CellValue::plain(Value::Bool(*value)),
        DataRef::DateTime(datetime) => convert_excel_datetime(datetime),
        DataRef::DateTimeIso(text) => CellValue::plain(parse_iso_datetime(text)),
        DataRef::DurationIso(text) => CellValue::plain(Value::Text(text.clone())),
        DataRef::Error(error) => CellValue {
            value: Value::Text(error.to_string()),
            problem: Some(("cell_error", format!("cell holds the error {error}"))),
        },
    }
}

/// Converts a header cell to its name: text as is, other values as displayed.
pub(crate) fn header_text(value: &Value) -> String {
    value.to_string()
}

fn number_value(value: f64) -> Value {
    if value.is_finite() && value.fract() == 0.0 && value.abs() <= MAX_EXACT_INTEGER {
        Value::Int(value as i64)
    } else {
        Value::Float(value)
    }
}

/// Dates keep the workbook's epoch (1900 or 1904) inside `ExcelDateTime`.
fn convert_excel_datetime(datetime: &ExcelDateTime) -> CellValue {
    let serial = datetime.as_f64();

    if datetime.is_duration() {
        return CellValue::plain(Value::Text(format_duration(serial)));
    }

    // Outside Excel's range the conversion would overflow, so keep the number.
    if !serial.is_finite() || !(0.0..MAX_EXCEL_SERIAL).contains(&serial) {
        return CellValue {
            value: number_value(serial),
            problem: Some((
                "invalid_date",
                format!("date-formatted number {serial} is outside Excel's date range, kept as a number"),
            )),
        };
    }

    let Some(converted) = datetime.as_datetime() else {
        return CellValue::plain(number_value(serial));
    };

    // A time of day without a date (serial below 1) has no calendar date to carry.
    if serial < 1.0 {
        return CellValue::plain(Value::Text(converted.time().format("%H:%M:%S").to_string()));
    }

    if converted.time() == NaiveTime::MIN {
        CellValue::plain(Value::Date(converted.date()))
    } else {
        CellValue::plain(Value::DateTime(
            converted.with_nanosecond(0).unwrap_or(converted),
        ))
    }
}

/// Formats a duration in days as `[h]:mm:ss`, the way Excel shows elapsed time.
fn format_duration(days: f64) -> String {
    if !days.is_finite() || days.abs() > MAX_EXCEL_SERIAL {
        return days.to_string();
    }

    let total_seconds = (days * 86_400.0).round() as i64;
    let sign = if total_seconds < 0 { "-" } else { "" };
    let total_seconds = total_seconds.abs();
    format!(
        "{sign}{}:{:02}:{:02}",
        total_seconds / 3600,
        total_seconds / 60 % 60,
        total_seconds % 60
    )
}

/// Parses the ISO 8601 text of a `t="d"` cell, keeping it as text when it does not parse.
fn parse_iso_datetime(text: &str) -> Value {
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Value::Date(date);
    }

    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(datetime) = NaiveDateTime::parse_from_str(text, format) {
            return Value::DateTime(datetime);
        }
    }

    Value::Text(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{CellErrorType, ExcelDateTimeType};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn whole_float_becomes_int() {
        assert_eq!(
            convert_cell(&DataRef::Float(1500.0)).value,
            Value::Int(1500)
        );
        assert_eq!(convert_cell(&DataRef::Float(-3.0)).value, Value::Int(-3));
        assert_eq!(
            convert_cell(&DataRef::Float(12.5)).value,
            Value::Float(12.5)
        );
        assert_eq!(
            convert_cell(&DataRef::Float(1e300)).value,
            Value::Float(1e300)
        );
    }

    #[test]
    fn error_cell_is_text_with_problem() {
        let cell = convert_cell(&DataRef::Error(CellErrorType::Div0));
        assert_eq!(cell.value, Value::Text("#DIV/0!".to_owned()));
        assert_eq!(cell.problem.unwrap().0, "cell_error");
    }

    #[test]
    fn dates_in_both_epochs() {
        let in_1900 = ExcelDateTime::new(45382.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(
            convert_cell(&DataRef::DateTime(in_1900)).value,
            Value::Date(date(2024, 3, 31))
        );

        let in_1904 = ExcelDateTime::new(43920.0, ExcelDateTimeType::DateTime, true);
        assert_eq!(
            convert_cell(&DataRef::DateTime(in_1904)).value,
            Value::Date(date(2024, 3, 31))
        );
    }

    #[test]
    fn datetime_keeps_time() {
        let cell = ExcelDateTime::new(45382.34375, ExcelDateTimeType::DateTime, false);
        let expected = date(2024, 3, 31).and_hms_opt(8, 15, 0).unwrap();
        assert_eq!(
            convert_cell(&DataRef::DateTime(cell)).value,
            Value::DateTime(expected)
        );
    }

    #[test]
    fn out_of_range_date_kept_as_number() {
        for serial in [-1.0, 1e300, f64::NAN] {
            let cell = ExcelDateTime::new(serial, ExcelDateTimeType::DateTime, false);
            let converted = convert_cell(&DataRef::DateTime(cell));
            assert_eq!(converted.problem.unwrap().0, "invalid_date");
        }
    }

    #[test]
    fn time_only_and_duration_are_text() {
        let time = ExcelDateTime::new(0.5, ExcelDateTimeType::DateTime, false);
        assert_eq!(
            convert_cell(&DataRef::DateTime(time)).value,
            Value::Text("12:00:00".into())
        );

        let duration = ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false);
        assert_eq!(
            convert_cell(&DataRef::DateTime(duration)).value,
            Value::Text("36:00:00".into())
        );
    }

    #[test]
    fn iso_cells_parse() {
        assert_eq!(
            parse_iso_datetime("2024-03-31"),
            Value::Date(date(2024, 3, 31))
        );
        assert_eq!(
            parse_iso_datetime("2024-03-31T08:15:00"),
            Value::DateTime(date(2024, 3, 31).and_hms_opt(8, 15, 0).unwrap())
        );
        assert_eq!(parse_iso_datetime("soon"), Value::Text("soon".into()));
    }
}
