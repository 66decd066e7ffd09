//! Tolerant reading of the model's answer text into answer entries.
//!
//! Models wrap JSON in code fences, add sentences around it, return a bare array instead of
//! `{"results": [...]}`, rename the array, write ids and categories as strings and leave
//! trailing commas. This module accepts all of those and leaves matching to `matching`.

use serde_json::Value;

/// Keys under which an object may hold the answer array, compared case-insensitively.
const ARRAY_KEYS: [&str; 6] = [
    "results",
    "items",
    "classifications",
    "data",
    "answers",
    "predictions",
];

/// Keys that may carry the item's text when the model echoes it.
const TEXT_KEYS: [&str; 4] = ["text", "description", "item", "input"];

/// Candidate start positions tried before giving up on finding JSON in the text.
const MAX_CANDIDATES: usize = 64;

/// One answer entry as the model wrote it, before matching to items.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RawAnswer {
    /// Local id when the entry has a usable one: an integer, or a string holding one.
    pub id: Option<i64>,
    pub category: Option<RawCategory>,
    pub score: Option<f64>,
    pub reason: Option<String>,
    /// Echoed item text, from `text`, `description`, `item`, `input` or a `clean*` key.
    pub text: Option<String>,
}

/// A category as the model wrote it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RawCategory {
    Number(i64),
    Name(String),
}

/// The entries of one answer, with the count of array elements that were not objects.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ParsedAnswers {
    pub answers: Vec<RawAnswer>,
    pub non_object_entries: u32,
}

/// Error reading an answer text. The engine retries every variant.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub(crate) enum ParseError {
    /// The model returned no text at all.
    #[error("unparsable answer: empty content")]
    Empty,
    /// No JSON value holding answers was found in the text.
    #[error("unparsable answer: no JSON answer array found in {length} characters of text")]
    NoAnswers { length: usize },
}

/// Reads the answer entries out of a model's text.
pub(crate) fn parse_answers(content: &str) -> Result<ParsedAnswers, ParseError> {
    let trimmed = content.trim();
    if trimmed.is_empty() {
        return Err(ParseError::Empty);
    }

    let body = strip_code_fence(trimmed);
    let starts = body
        .char_indices()
        .filter(|(_, ch)| matches!(ch, '{' | '['))
        .map(|(index, _)| index)
        .take(MAX_CANDIDATES);

    for (rank, start) in starts.enumerate() {
        let Some(value) = first_json_value(&body[start..]) else {
            continue;
        };
        // A lone answer object is accepted only as the outermost value, so that the first
        // entry of a truncated array is not mistaken for the whole answer.
        if let Some(parsed) = extract_answers(value, rank == 0) {
            return Ok(parsed);
        }
    }

    Err(ParseError::NoAnswers {
        length: content.chars().count(),
    })
}

/// Returns the text inside the first fenced code block, or the text itself without one.
fn strip_code_fence(text: &str) -> &str {
    let Some(open) = text.find("```") else {
        return text;
    };
    let after_open = &text[open + 3..];

    // The rest of the opening line is the language tag (`json`), if any.
    let content_start = after_open.find('\n').map(|n| n + 1).unwrap_or(0);
    let content = &after_open[content_start..];
    match content.find("```") {
        Some(close) => &content[..close],
        None => content,
    }
}

/// Parses the first JSON value at the start of `text`, ignoring what follows it; retries
/// without trailing commas when the plain parse fails.
fn first_json_value(text: &str) -> Option<Value> {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    if let Some(Ok(value)) = stream.next() {
        return Some(value);
    }

    let repaired = remove_trailing_commas(text)?;
    let mut stream = serde_json::Deserializer::from_str(&repaired).into_iter::<Value>();
    match stream.next() {
        Some(Ok(value)) => Some(value),
        _ => None,
    }
}

/// Removes commas that are followed (after whitespace) by `]` or `}` outside strings.
/// Returns `None` when there is none.
fn remove_trailing_commas(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut removed = false;

    for (index, &ch) in chars.iter().enumerate() {
        if in_string {
            out.push(ch);
            if escaped {
                escaped = false;
            } else if ch == '\\' {
                escaped = true;
            } else if ch == '"' {
                in_string = false;
            }
            continue;
        }

        if ch == '"' {
            in_string = true;
        } else if ch == ',' {
            let next = chars[index + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(next, Some(']') | Some('}')) {
                removed = true;
                continue;
            }
        }
        out.push(ch);
    }

    removed.then_some(out)
}

/// Finds the answer entries in a parsed value: a bare array, an object wrapping an array
/// under a known key or as its only member, or (when `allow_single`) one answer object.
fn extract_answers(value: Value, allow_single: bool) -> Option<ParsedAnswers> {
    match value {
        Value::Array(entries) => Some(read_entries(entries)),
        Value::Object(mut map) => {
            let key = map
                .iter()
                .find(|(key, value)| {
                    value.is_array() && ARRAY_KEYS.iter().any(|k| key.eq_ignore_ascii_case(k))
                })
                .map(|(key, _)| key.clone());
            if let Some(key) = key {
                if let Some(Value::Array(entries)) = map.remove(&key) {
                    return Some(read_entries(entries));
                }
            }

            if map.len() == 1 {
                if let Some(Value::Array(_)) = map.values().next() {
                    let (_, entries) = map.into_iter().next()?;
                    return Some(read_entries(entries.as_array()?.clone()));
                }
            }

            let looks_like_answer = map.contains_key("id") && map.contains_key("category");
            if allow_single && looks_like_answer {
                return Some(read_entries(vec![Value::Object(map)]));
            }
            None
        }
        _ => None,
    }
}

fn read_entries(entries: Vec<Value>) -> ParsedAnswers {
    let mut parsed = ParsedAnswers::default();
    for entry in entries {
        match entry {
            Value::Object(map) => parsed.answers.push(read_entry(&map)),
            _ => parsed.non_object_entries += 1,
        }
    }
    parsed
}

fn read_entry(map: &serde_json::Map<String, Value>) -> RawAnswer {
    let field = |names: &[&str]| -> Option<&Value> {
        names
            .iter()
            .find_map(|name| map.get(*name))
            .filter(|value| !value.is_null())
    };

    let id = field(&["id", "item_id", "itemId"]).and_then(read_integer);
    let category =
        field(&["category", "category_id", "categoryId", "label"]).and_then(read_category);
    let score = field(&["score", "confidence"]).and_then(read_number);
    let reason = field(&["reason", "explanation"]).map(value_text);

    let text = TEXT_KEYS
        .iter()
        .find_map(|key| map.get(*key))
        .or_else(|| {
            map.iter()
                .find(|(key, _)| key.starts_with("clean"))
                .map(|(_, value)| value)
        })
        .filter(|value| value.is_string())
        .map(value_text);

    RawAnswer {
        id,
        category,
        score,
        reason,
        text,
    }
}

/// Reads an integer from a JSON integer, a float without fraction or a string holding one.
fn read_integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64().or_else(|| {
            let float = number.as_f64()?;
            (float.fract() == 0.0 && float.abs() < 9.0e15).then_some(float as i64)
        }),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

fn read_category(value: &Value) -> Option<RawCategory> {
    match value {
        Value::Number(_) => read_integer(value).map(RawCategory::Number),
        Value::String(text) if !text.trim().is_empty() => Some(RawCategory::Name(text.clone())),
        _ => None,
    }
}

fn read_number(value: &Value) -> Option<f64> {
    let number = match value {
        Value::Number(number) => number.as_f64()?,
        Value::String(text) => text.trim().parse().ok()?,
        _ => return None,
    };
    number.is_finite().then_some(number)
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(parsed: &ParsedAnswers) -> Vec<Option<i64>> {
        parsed.answers.iter().map(|a| a.id).collect()
    }

    #[test]
    fn plain_results_object() {
        let parsed =
            parse_answers(r#"{"results":[{"id":1,"category":3,"score":0.9,"reason":"x"}]}"#)
                .unwrap();
        assert_eq!(parsed.answers.len(), 1);
        let answer = &parsed.answers[0];
        assert_eq!(answer.id, Some(1));
        assert_eq!(answer.category, Some(RawCategory::Number(3)));
        assert_eq!(answer.score, Some(0.9));
        assert_eq!(answer.reason.as_deref(), Some("x"));
    }

    #[test]
    fn code_fence_with_language_tag() {
        let text = "Here you go:\n```json\n{\"results\":[{\"id\":2,\"category\":1}]}\n```\nBye";
        assert_eq!(ids(&parse_answers(text).unwrap()), vec![Some(2)]);
    }

    #[test]
    fn text_around_json() {
        let text =
            "Sure! [note] The answer is {\"results\":[{\"id\":1,\"category\":1}]} hope it helps {";
        assert_eq!(ids(&parse_answers(text).unwrap()), vec![Some(1)]);
    }

    #[test]
    fn bare_array_and_alternative_keys() {
        let bare = r#"[{"id":1,"category":1},{"id":2,"category":2}]"#;
        assert_eq!(ids(&parse_answers(bare).unwrap()), vec![Some(1), Some(2)]);
        for key in ["items", "classifications", "data", "Results"] {
            let text = format!(r#"{{"{key}":[{{"id":5,"category":1}}]}}"#);
            assert_eq!(ids(&parse_answers(&text).unwrap()), vec![Some(5)], "{key}");
        }
    }

    #[test]
    fn trailing_commas_removed() {
        let text = r#"{"results":[{"id":1,"category":1,"reason":"a, ]"},],}"#;
        let parsed = parse_answers(text).unwrap();
        assert_eq!(ids(&parsed), vec![Some(1)]);
        assert_eq!(parsed.answers[0].reason.as_deref(), Some("a, ]"));
    }

    #[test]
    fn string_ids_and_categories() {
        let text =
            r#"{"results":[{"id":"3","category":"Gastos","score":"0.5"},{"id":"x","category":2}]}"#;
        let parsed = parse_answers(text).unwrap();
        assert_eq!(ids(&parsed), vec![Some(3), None]);
        assert_eq!(
            parsed.answers[0].category,
            Some(RawCategory::Name("Gastos".into()))
        );
        assert_eq!(parsed.answers[0].score, Some(0.5));
    }

    #[test]
    fn echoed_text_keys() {
        let text = r#"[{"description":"Pago","category":1},{"cleanLineDescription":"Cuota","category":1}]"#;
        let parsed = parse_answers(text).unwrap();
        assert_eq!(parsed.answers[0].text.as_deref(), Some("Pago"));
        assert_eq!(parsed.answers[1].text.as_deref(), Some("Cuota"));
    }

    #[test]
    fn empty_and_garbage_rejected() {
        assert_eq!(parse_answers("  \n"), Err(ParseError::Empty));
        assert!(matches!(
            parse_answers("I cannot help with that."),
            Err(ParseError::NoAnswers { .. })
        ));
        assert!(matches!(
            parse_answers(r#"{"results":[{"id":1,"category":1},{"id":2"#),
            Err(ParseError::NoAnswers { .. })
        ));
    }

    #[test]
    fn non_object_entries_counted() {
        let parsed = parse_answers(r#"[1, "x", {"id":1,"category":1}]"#).unwrap();
        assert_eq!(parsed.non_object_entries, 2);
        assert_eq!(parsed.answers.len(), 1);
    }
}
