//! Typed field values shared by every stage.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Serialize, Serializer};
use std::fmt;

/// One field of one row, typed as the source file stored it.
///
/// JSON serialisation writes dates as ISO 8601 text (`2024-03-31`, `2024-03-31T08:15:00`).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// An empty cell, a missing field or a JSON `null`.
    Null,
    /// A boolean cell or JSON `true`/`false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A number with a fractional part.
    Float(f64),
    /// Text, including numbers that the file stored as text.
    Text(String),
    /// A calendar date without a time.
    Date(NaiveDate),
    /// A date with a time of day, without a time zone.
    DateTime(NaiveDateTime),
}

impl Value {
    /// Returns true for [`Value::Null`] and for text that is empty after trimming.
    pub fn is_blank(&self) -> bool {
        match self {
            Value::Null => true,
            Value::Text(text) => text.trim().is_empty(),
            _ => false,
        }
    }

    /// Returns the text of a [`Value::Text`], or `None` for other kinds.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(text) => Some(text),
            _ => None,
        }
    }
}

/// Formats the value as a user would see it in a cell: whole floats without `.0`,
/// dates in ISO 8601, null as the empty string.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => Ok(()),
            Value::Bool(value) => write!(f, "{value}"),
            Value::Int(value) => write!(f, "{value}"),
            Value::Float(value) => {
                if value.fract() == 0.0 && value.abs() < 1e15 {
                    write!(f, "{}", *value as i64)
                } else {
                    write!(f, "{value}")
                }
            }
            Value::Text(text) => f.write_str(text),
            Value::Date(date) => write!(f, "{}", date.format("%Y-%m-%d")),
            Value::DateTime(datetime) => write!(f, "{}", datetime.format("%Y-%m-%dT%H:%M:%S")),
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_none(),
            Value::Bool(value) => serializer.serialize_bool(*value),
            Value::Int(value) => serializer.serialize_i64(*value),
            Value::Float(value) if value.is_finite() => serializer.serialize_f64(*value),
            Value::Float(_) => serializer.serialize_none(),
            Value::Text(text) => serializer.serialize_str(text),
            Value::Date(_) | Value::DateTime(_) => serializer.collect_str(self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_drops_trailing_zero() {
        assert_eq!(Value::Float(12.0).to_string(), "12");
        assert_eq!(Value::Float(12.5).to_string(), "12.5");
    }

    #[test]
    fn dates_serialise_as_iso_text() {
        let date = NaiveDate::from_ymd_opt(2024, 3, 31).unwrap();
        assert_eq!(
            serde_json::to_string(&Value::Date(date)).unwrap(),
            "\"2024-03-31\""
        );
        let datetime = date.and_hms_opt(8, 15, 0).unwrap();
        assert_eq!(
            serde_json::to_string(&Value::DateTime(datetime)).unwrap(),
            "\"2024-03-31T08:15:00\""
        );
    }
}
