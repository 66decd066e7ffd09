//! A JSON value that keeps object keys in document order, and its flattening into columns.
//!
//! `serde_json::Value` sorts object keys unless the crate-wide `preserve_order` feature is
//! on, and columns must follow the order the file uses, so readers parse into [`JsonValue`].
//!
//! Flattening rules: nested object members become dotted keys (`proveedor.nombre`) at any
//! depth; an empty object and any array become their compact JSON text (`{}`, `[1,2]`);
//! integers become `Int`, other numbers `Float`, and an integer above `i64::MAX` becomes the
//! text of its digits so no digit is lost. Strings stay text: dates are not parsed from them.

use crate::Value;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::fmt;

/// A parsed JSON value with object members in document order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum JsonValue {
    Null,
    Bool(bool),
    Int(i64),
    /// An integer above `i64::MAX`.
    BigInt(u64),
    Float(f64),
    String(String),
    Array(Vec<JsonValue>),
    Object(Vec<(String, JsonValue)>),
}

impl JsonValue {
    /// Names the kind of value for messages ("a number", "an array"...).
    pub(crate) fn kind_name(&self) -> &'static str {
        match self {
            JsonValue::Null => "null",
            JsonValue::Bool(_) => "a boolean",
            JsonValue::Int(_) | JsonValue::BigInt(_) | JsonValue::Float(_) => "a number",
            JsonValue::String(_) => "a string",
            JsonValue::Array(_) => "an array",
            JsonValue::Object(_) => "an object",
        }
    }
}

/// One flattened field: dotted key and value.
pub(crate) type FlatField = (String, Value);

/// Flattens the members of an object into dotted keys, in document order. Returns the fields
/// and the keys whose integer was too large for `i64`.
pub(crate) fn flatten_object(members: Vec<(String, JsonValue)>) -> (Vec<FlatField>, Vec<String>) {
    let mut fields = Vec::with_capacity(members.len());
    let mut big_integers = Vec::new();
    flatten_into(None, members, &mut fields, &mut big_integers);
    (fields, big_integers)
}

fn flatten_into(
    prefix: Option<&str>,
    members: Vec<(String, JsonValue)>,
    fields: &mut Vec<FlatField>,
    big_integers: &mut Vec<String>,
) {
    for (key, value) in members {
        let key = match prefix {
            Some(prefix) => format!("{prefix}.{key}"),
            None => key,
        };

        let value = match value {
            JsonValue::Object(inner) if !inner.is_empty() => {
                flatten_into(Some(&key), inner, fields, big_integers);
                continue;
            }
            JsonValue::Null => Value::Null,
            JsonValue::Bool(flag) => Value::Bool(flag),
            JsonValue::Int(number) => Value::Int(number),
            JsonValue::BigInt(number) => {
                big_integers.push(key.clone());
                Value::Text(number.to_string())
            }
            JsonValue::Float(number) => Value::Float(number),
            JsonValue::String(text) => Value::Text(text),
            nested @ (JsonValue::Array(_) | JsonValue::Object(_)) => {
                Value::Text(nested.to_json_text())
            }
        };
        fields.push((key, value));
    }
}

impl JsonValue {
    /// Returns the compact JSON text of the value, members in document order.
    pub(crate) fn to_json_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl Serialize for JsonValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            JsonValue::Null => serializer.serialize_unit(),
            JsonValue::Bool(flag) => serializer.serialize_bool(*flag),
            JsonValue::Int(number) => serializer.serialize_i64(*number),
            JsonValue::BigInt(number) => serializer.serialize_u64(*number),
            JsonValue::Float(number) => serializer.serialize_f64(*number),
            JsonValue::String(text) => serializer.serialize_str(text),
            JsonValue::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            JsonValue::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (key, value) in members {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for JsonValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonValueVisitor)
    }
}

struct JsonValueVisitor;

impl<'de> Visitor<'de> for JsonValueVisitor {
    type Value = JsonValue;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<JsonValue, E> {
        Ok(JsonValue::Null)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<JsonValue, E> {
        Ok(JsonValue::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<JsonValue, E> {
        Ok(JsonValue::Int(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<JsonValue, E> {
        Ok(i64::try_from(value).map_or(JsonValue::BigInt(value), JsonValue::Int))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<JsonValue, E> {
        Ok(JsonValue::Float(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<JsonValue, E> {
        Ok(JsonValue::String(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<JsonValue, E> {
        Ok(JsonValue::String(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<JsonValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(JsonValue::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonValue, A::Error> {
        let mut members = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, JsonValue>()? {
            members.push((key, value));
        }
        Ok(JsonValue::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<(String, JsonValue)> {
        match serde_json::from_str(text).unwrap() {
            JsonValue::Object(members) => members,
            other => panic!("not an object: {other:?}"),
        }
    }

    #[test]
    fn members_keep_document_order() {
        let members = parse(r#"{"z":1,"a":2,"m":3}"#);
        let keys: Vec<_> = members.iter().map(|(key, _)| key.as_str()).collect();
        assert_eq!(keys, ["z", "a", "m"]);
    }

    #[test]
    fn nested_objects_become_dotted_keys() {
        let (fields, _) = flatten_object(parse(
            r#"{"id":1,"proveedor":{"nombre":"Acme","pais":{"codigo":"CO"}},"total":2.5}"#,
        ));
        assert_eq!(
            fields,
            [
                ("id".to_owned(), Value::Int(1)),
                ("proveedor.nombre".to_owned(), Value::Text("Acme".into())),
                ("proveedor.pais.codigo".to_owned(), Value::Text("CO".into())),
                ("total".to_owned(), Value::Float(2.5)),
            ]
        );
    }

    #[test]
    fn arrays_and_empty_objects_kept_as_json_text() {
        let (fields, _) = flatten_object(parse(
            r#"{"tags":[1,"a",{"z":1,"b":null}],"extra":{},"none":[]}"#,
        ));
        assert_eq!(
            fields[0].1,
            Value::Text(r#"[1,"a",{"z":1,"b":null}]"#.into())
        );
        assert_eq!(fields[1].1, Value::Text("{}".into()));
        assert_eq!(fields[2].1, Value::Text("[]".into()));
    }

    #[test]
    fn scalar_types_mapped() {
        let (fields, big) = flatten_object(parse(
            r#"{"n":null,"b":true,"i":-7,"f":1.0,"s":"2024-03-31","big":18446744073709551615}"#,
        ));
        let values: Vec<_> = fields.into_iter().map(|(_, value)| value).collect();
        assert_eq!(
            values,
            [
                Value::Null,
                Value::Bool(true),
                Value::Int(-7),
                Value::Float(1.0),
                Value::Text("2024-03-31".into()),
                Value::Text("18446744073709551615".into()),
            ]
        );
        assert_eq!(big, ["big"]);
    }
}
