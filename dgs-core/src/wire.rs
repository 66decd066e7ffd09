//! The item and answer format exchanged with the model.
//!
//! Items go out as tab-separated lines, which costs fewer tokens than JSON objects:
//!
//! ```text
//! id<TAB>cleanLineDescription
//! 1<TAB>pago factura proveedor acme
//! 2<TAB>cuota leasing camioneta
//! ```
//!
//! The first line names the fields. Ids are small integers local to one request. Tabs and
//! line breaks inside a value are sent as spaces.
//!
//! Answers come back as JSON: `{"results":[{"id":1,"category":3,"score":0.92}]}`, where
//! `category` is the category's number in the compiled prompt (a name is also accepted by the
//! engine), `score` is the model's confidence in 0..=1 and `reason` is present only when the
//! prompt asks for reasons.

use serde::{Deserialize, Serialize};

/// One item as sent to the model.
#[derive(Clone, Debug, PartialEq)]
pub struct WireItem {
    /// Id local to the request, starting at 1.
    pub id: u32,
    /// Field values in the order of the header; the first is the primary clean field.
    pub values: Vec<String>,
}

/// Writes the item lines: a header naming `id` and the fields, then one line per item.
pub fn format_items(field_names: &[String], items: &[WireItem]) -> String {
    let mut out = String::with_capacity(items.len() * 48);
    out.push_str("id");
    for name in field_names {
        out.push('\t');
        push_flat(&mut out, name);
    }
    for item in items {
        out.push('\n');
        out.push_str(&item.id.to_string());
        for value in &item.values {
            out.push('\t');
            push_flat(&mut out, value);
        }
    }
    out
}

/// Reads back item lines written by [`format_items`]: returns the field names and the items.
/// Lines whose first field is not a number are ignored.
pub fn parse_items(text: &str) -> (Vec<String>, Vec<WireItem>) {
    let mut lines = text.lines();
    let field_names = lines
        .next()
        .map(|header| header.split('\t').skip(1).map(str::to_owned).collect())
        .unwrap_or_default();

    let items = lines
        .filter_map(|line| {
            let mut parts = line.split('\t');
            let id = parts.next()?.trim().parse().ok()?;
            let values = parts.map(str::to_owned).collect();
            Some(WireItem { id, values })
        })
        .collect();

    (field_names, items)
}

fn push_flat(out: &mut String, value: &str) {
    for ch in value.chars() {
        out.push(if matches!(ch, '\t' | '\n' | '\r') {
            ' '
        } else {
            ch
        });
    }
}

/// One answer as the model should write it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WireAnswer {
    pub id: u32,
    /// Category number from the compiled prompt.
    pub category: u32,
    pub score: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The answer document as the model should write it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WireAnswers {
    pub results: Vec<WireAnswer>,
}

/// JSON schema of [`WireAnswers`] for providers with structured output.
pub fn answer_schema(with_reason: bool) -> serde_json::Value {
    let mut properties = serde_json::json!({
        "id": {"type": "integer"},
        "category": {"type": "integer"},
        "score": {"type": "number"}
    });
    let mut required = vec!["id", "category", "score"];
    if with_reason {
        properties["reason"] = serde_json::json!({"type": "string"});
        required.push("reason");
    }
    serde_json::json!({
        "type": "object",
        "properties": {
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": properties,
                    "required": required,
                    "additionalProperties": false
                }
            }
        },
        "required": ["results"],
        "additionalProperties": false
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_round_trip() {
        let names = vec!["cleanLineDescription".to_owned()];
        let items = vec![
            WireItem {
                id: 1,
                values: vec!["pago\tfactura\nacme".into()],
            },
            WireItem {
                id: 2,
                values: vec!["cuota leasing".into()],
            },
        ];
        let text = format_items(&names, &items);
        let (parsed_names, parsed) = parse_items(&text);
        assert_eq!(parsed_names, names);
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].values, vec!["pago factura acme".to_owned()]);
        assert_eq!(parsed[1].id, 2);
    }
}
