//! Token counts of one classification request and its answer in two formats: dgs's wire
//! format and the JSON format of the service dgs replaces.
//!
//! dgs format: the compiled prompt as the system message, the items as tab-separated lines
//! with chunk-local ids ([`wire::format_items`]), and a compact JSON answer that names
//! categories by number, with `reason` only when the prompt asks for it.
//!
//! Reference format: one user message with the same instructions and category list followed
//! by the items as a JSON array of `{"_row_index": i, "cleanLineDescription": "..."}`, and an
//! answer that echoes each description with the category name, a reason and a score. Both
//! JSON documents are written compactly in UTF-8, the cheapest way that service could send
//! them, so the reference counts are a lower bound.

use dgs_core::llm::{Message, Role, TokenUsage, Tokenizer};
use dgs_core::prompt::CompiledPrompt;
use dgs_core::wire::{self, WireAnswer, WireAnswers, WireItem};
use serde::Serialize;

/// Field name of the item text in both formats.
pub const FIELD: &str = "cleanLineDescription";

/// Reason written in every expected answer that carries one: eight Spanish words.
pub const REASON: &str = "el nombre del producto corresponde a este rubro";

/// Heading that starts the part of the compiled system message generated from
/// `{output_format}`; the reference prompt replaces everything from there on.
const OUTPUT_FORMAT_HEADING: &str = "FORMATO DE ENTRADA\n";

/// Input and answer description of the reference format, in the style of the compiled
/// prompt's own, with the old service's count rule.
const REFERENCE_OUTPUT_FORMAT: &str = r#"FORMATO DE ENTRADA
Los ítems vienen al final de este mensaje como un arreglo JSON de objetos, uno por ítem, con su _row_index y su campo cleanLineDescription.

FORMATO DE RESPUESTA
Responde solo con un objeto JSON, sin texto antes ni después, como este:
{"results":[{"description":"descripción del ítem","category":"nombre de la categoría","reason":"motivo breve de la elección","score":0.92}]}
- "description": el cleanLineDescription del ítem, copiado tal cual.
- "category": el nombre exacto de la categoría elegida (Indeterminado si ninguna corresponde).
- "reason": una justificación breve en español, de 15 palabras como máximo.
- "score": tu confianza en la categoría, un número entre 0 y 1.

REGLAS
- CRÍTICO: Debes retornar EXACTAMENTE el mismo número de resultados que entradas recibidas.
- Usa solo nombres de la lista de categorías, escritos tal cual.
- Si no estás seguro o ninguna categoría corresponde, usa Indeterminado."#;

/// One item with the answer a model would give for it.
#[derive(Clone, Debug, PartialEq)]
pub struct MeasuredItem {
    /// Position among all measured items; the reference format's `_row_index`.
    pub row_index: usize,
    pub description: String,
    /// Category number in the compiled prompt (0 for the fallback).
    pub category_number: u32,
    /// Full category name, as the reference format answers.
    pub category_name: String,
    /// Two-decimal score.
    pub score: f64,
}

/// Returns a two-decimal score in 0.55..=0.99 that varies with `position`, so answers do not
/// all share one score.
pub fn typical_score(position: usize) -> f64 {
    (55 + (position * 37) % 45) as f64 / 100.0
}

/// Token totals of one format over all chunks.
#[derive(Clone, Debug, PartialEq)]
pub struct FormatCounts {
    pub label: String,
    pub items: u64,
    pub chunks: u64,
    /// Tokens of the instructions and categories, sent once per chunk.
    pub system_tokens: u64,
    /// Prompt tokens of all chunks: instructions, items and chat message framing.
    pub prompt_tokens: u64,
    /// Tokens of the expected answers of all chunks.
    pub completion_tokens: u64,
}

impl FormatCounts {
    /// Prompt tokens per item without the instructions and categories.
    pub fn item_prompt_per_item(&self) -> f64 {
        (self.prompt_tokens - self.chunks * self.system_tokens) as f64 / self.items as f64
    }

    /// Prompt tokens per item with the instructions' share of each chunk.
    pub fn prompt_per_item(&self) -> f64 {
        self.prompt_tokens as f64 / self.items as f64
    }

    pub fn completion_per_item(&self) -> f64 {
        self.completion_tokens as f64 / self.items as f64
    }

    /// Prompt and completion tokens per item without the instructions: what the item and
    /// answer format alone costs.
    pub fn format_per_item(&self) -> f64 {
        self.item_prompt_per_item() + self.completion_per_item()
    }

    pub fn total_per_item(&self) -> f64 {
        (self.prompt_tokens + self.completion_tokens) as f64 / self.items as f64
    }

    pub fn usage(&self) -> TokenUsage {
        TokenUsage {
            prompt_tokens: self.prompt_tokens,
            completion_tokens: self.completion_tokens,
        }
    }
}

/// Returns the user message and the expected answer of one chunk in dgs's format.
pub fn dgs_chunk(prompt: &CompiledPrompt, chunk: &[MeasuredItem]) -> (String, String) {
    let fields = [FIELD.to_owned()];
    let wire_items: Vec<WireItem> = chunk
        .iter()
        .zip(1u32..)
        .map(|(item, id)| WireItem {
            id,
            values: vec![item.description.clone()],
        })
        .collect();
    let user = wire::format_items(&fields, &wire_items);

    let answers = WireAnswers {
        results: chunk
            .iter()
            .zip(1u32..)
            .map(|(item, id)| WireAnswer {
                id,
                category: item.category_number,
                score: item.score,
                reason: prompt.with_reason.then(|| REASON.to_owned()),
            })
            .collect(),
    };
    let answer = serde_json::to_string(&answers).expect("wire answers serialise to JSON");
    (user, answer)
}

/// Counts dgs's format: the compiled system message and the item lines per chunk.
pub fn count_dgs(
    label: &str,
    prompt: &CompiledPrompt,
    items: &[MeasuredItem],
    chunk_size: usize,
    tokenizer: Tokenizer,
) -> FormatCounts {
    let mut counts = FormatCounts {
        label: label.to_owned(),
        items: items.len() as u64,
        chunks: 0,
        system_tokens: tokenizer.count(&prompt.system),
        prompt_tokens: 0,
        completion_tokens: 0,
    };

    for chunk in items.chunks(chunk_size) {
        let (user, answer) = dgs_chunk(prompt, chunk);
        let messages = [
            Message {
                role: Role::System,
                content: prompt.system.clone(),
            },
            Message {
                role: Role::User,
                content: user,
            },
        ];
        counts.prompt_tokens += tokenizer.count_messages(&messages);
        counts.completion_tokens += tokenizer.count(&answer);
        counts.chunks += 1;
    }
    counts
}

/// Returns the reference format's instructions: the compiled system message of a prompt
/// that ends with `{output_format}`, with that part replaced by the reference format's
/// input and answer description. Template text and category list stay identical.
///
/// Returns `None` when the compiled message does not end with the generated output format.
pub fn reference_instructions(prompt: &CompiledPrompt) -> Option<String> {
    let start = prompt.system.rfind(OUTPUT_FORMAT_HEADING)?;
    let tail = &prompt.system[start..];
    if !tail.contains("REGLAS\n") || prompt.system[..start].contains(OUTPUT_FORMAT_HEADING) {
        return None;
    }
    Some(format!(
        "{}{REFERENCE_OUTPUT_FORMAT}",
        &prompt.system[..start]
    ))
}

#[derive(Serialize)]
struct ReferenceItem<'a> {
    #[serde(rename = "_row_index")]
    row_index: usize,
    #[serde(rename = "cleanLineDescription")]
    description: &'a str,
}

#[derive(Serialize)]
struct ReferenceAnswer<'a> {
    description: &'a str,
    category: &'a str,
    reason: &'a str,
    score: f64,
}

#[derive(Serialize)]
struct ReferenceAnswers<'a> {
    results: Vec<ReferenceAnswer<'a>>,
}

/// How the reference format writes its item array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemArrayStyle {
    /// Compact UTF-8 JSON, the fewest tokens.
    Compact,
    /// What Python's `json.dumps` writes with its default arguments: `", "` and `": "`
    /// separators and every non-ASCII character as a `\uXXXX` escape.
    PythonDefaults,
}

/// Returns the item array and the expected answer of one chunk in the reference format.
pub fn reference_chunk(chunk: &[MeasuredItem], style: ItemArrayStyle) -> (String, String) {
    let items: Vec<ReferenceItem<'_>> = chunk
        .iter()
        .map(|item| ReferenceItem {
            row_index: item.row_index,
            description: &item.description,
        })
        .collect();
    let item_array = match style {
        ItemArrayStyle::Compact => {
            serde_json::to_string(&items).expect("reference items serialise to JSON")
        }
        ItemArrayStyle::PythonDefaults => python_item_array(&items),
    };
    let answers = ReferenceAnswers {
        results: chunk
            .iter()
            .map(|item| ReferenceAnswer {
                description: &item.description,
                category: &item.category_name,
                reason: REASON,
                score: item.score,
            })
            .collect(),
    };
    (
        item_array,
        serde_json::to_string(&answers).expect("reference answers serialise to JSON"),
    )
}

fn python_item_array(items: &[ReferenceItem<'_>]) -> String {
    let objects: Vec<String> = items
        .iter()
        .map(|item| {
            format!(
                "{{\"_row_index\": {}, \"cleanLineDescription\": {}}}",
                item.row_index,
                python_json_string(item.description)
            )
        })
        .collect();
    format!("[{}]", objects.join(", "))
}

/// Writes `text` as a JSON string the way Python's `json.dumps` does with `ensure_ascii`:
/// other control characters than `\b`, `\f`, `\n`, `\r` and `\t`, and every non-ASCII
/// character, as lowercase `\uXXXX` UTF-16 escapes.
fn python_json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(ch),
            _ => {
                let mut units = [0u16; 2];
                for unit in ch.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

/// Counts the reference format: one user message per chunk with the instructions and the
/// item array.
pub fn count_reference(
    label: &str,
    instructions: &str,
    items: &[MeasuredItem],
    chunk_size: usize,
    style: ItemArrayStyle,
    tokenizer: Tokenizer,
) -> FormatCounts {
    let mut counts = FormatCounts {
        label: label.to_owned(),
        items: items.len() as u64,
        chunks: 0,
        system_tokens: tokenizer.count(instructions),
        prompt_tokens: 0,
        completion_tokens: 0,
    };

    for chunk in items.chunks(chunk_size) {
        let (item_array, answer) = reference_chunk(chunk, style);
        let messages = [Message {
            role: Role::User,
            content: format!("{instructions}\n\n{item_array}"),
        }];
        counts.prompt_tokens += tokenizer.count_messages(&messages);
        counts.completion_tokens += tokenizer.count(&answer);
        counts.chunks += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use dgs_core::prompt::{builtin_default_prompt, CompileOptions};

    fn items() -> Vec<MeasuredItem> {
        (0..3)
            .map(|n| MeasuredItem {
                row_index: 100 + n,
                description: format!("Cuota leasing camioneta {n}"),
                category_number: 2,
                category_name: "Honorarios".to_owned(),
                score: typical_score(n),
            })
            .collect()
    }

    #[test]
    fn dgs_chunk_matches_wire_format() {
        let prompt = builtin_default_prompt()
            .compile(&CompileOptions::default())
            .unwrap();
        let (user, answer) = dgs_chunk(&prompt, &items());
        assert_eq!(
            user,
            "id\tcleanLineDescription\n1\tCuota leasing camioneta 0\n\
             2\tCuota leasing camioneta 1\n3\tCuota leasing camioneta 2"
        );
        assert!(
            answer.starts_with(&format!(
                r#"{{"results":[{{"id":1,"category":2,"score":0.55,"reason":"{REASON}"}}"#
            )),
            "{answer}"
        );
    }

    #[test]
    fn reference_chunk_echoes_names() {
        let (item_array, answer) = reference_chunk(&items()[..1], ItemArrayStyle::Compact);
        assert_eq!(
            item_array,
            r#"[{"_row_index":100,"cleanLineDescription":"Cuota leasing camioneta 0"}]"#
        );
        assert_eq!(
            answer,
            format!(
                r#"{{"results":[{{"description":"Cuota leasing camioneta 0","category":"Honorarios","reason":"{REASON}","score":0.55}}]}}"#
            )
        );
    }

    #[test]
    fn python_style_escapes_non_ascii() {
        let mut item = items().remove(0);
        item.description = "Diésel \"A1\" 🚚".to_owned();
        let (item_array, _) = reference_chunk(&[item], ItemArrayStyle::PythonDefaults);
        assert_eq!(
            item_array,
            r#"[{"_row_index": 100, "cleanLineDescription": "Di\u00e9sel \"A1\" \ud83d\ude9a"}]"#
        );
    }

    #[test]
    fn reference_keeps_template_and_categories() {
        let prompt = builtin_default_prompt()
            .compile(&CompileOptions::default())
            .unwrap();
        let instructions = reference_instructions(&prompt).unwrap();
        let shared_end = prompt.system.find(OUTPUT_FORMAT_HEADING).unwrap();
        assert!(instructions.starts_with(&prompt.system[..shared_end]));
        assert!(instructions.ends_with("usa Indeterminado."));
        assert!(!instructions.contains("\"id\""));
    }

    #[test]
    fn counts_amortise_system_per_chunk() {
        let prompt = builtin_default_prompt()
            .compile(&CompileOptions::default())
            .unwrap();
        let one = count_dgs("a", &prompt, &items(), 3, Tokenizer::O200kBase);
        let three = count_dgs("b", &prompt, &items(), 1, Tokenizer::O200kBase);
        assert_eq!((one.chunks, three.chunks), (1, 3));
        assert!(three.prompt_tokens >= one.prompt_tokens + 2 * one.system_tokens);
        assert!(one.item_prompt_per_item() > 0.0);
        assert!(one.prompt_per_item() > one.item_prompt_per_item());
    }
}
