//! Compilation of a prompt into the system message of every request of a job.
//!
//! The system message is the template with its placeholders filled, the numbered category
//! list and the answer format. It does not contain the items: the engine sends those as the
//! user message (see [`crate::wire`]), so a job compiles its prompt once.

use super::error::PromptError;
use super::fold::fold;
use super::model::{Category, Prompt};
use super::template::{self, Piece, Placeholder};
use super::DEFAULT_FALLBACK;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// Category number that means the fallback category (`Indeterminado` by default) on the wire.
///
/// Every compiled prompt lists it first, and prompts may not use id 0 for their own
/// categories, so an answer with category 0 is the model's explicit "unsure" and is a valid
/// answer, not an unknown category.
pub const FALLBACK_CATEGORY_ID: u32 = 0;

/// Version of the compiled layout and answer format. It is part of [`CompiledPrompt::hash`],
/// so changing the layout invalidates cached answers.
pub const FORMAT_VERSION: u32 = 1;

/// Settings of [`compile`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompileOptions {
    /// Name of the fallback category, offered as category 0. Default `Indeterminado`.
    pub fallback: String,
    /// Whether answers carry a `reason`. Default `true`.
    pub with_reason: bool,
    /// Item field names for the `{fields}` placeholder, e.g. `["cleanLineDescription"]`.
    /// Default empty; only needed when the template uses `{fields}`.
    pub fields: Vec<String>,
}

impl Default for CompileOptions {
    fn default() -> Self {
        CompileOptions {
            fallback: DEFAULT_FALLBACK.to_owned(),
            with_reason: true,
            fields: Vec::new(),
        }
    }
}

/// A prompt ready to send: the system message and what the engine needs to read answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompiledPrompt {
    pub prompt_id: String,
    pub prompt_version: u32,
    /// The system message.
    pub system: String,
    /// Lowercase hex SHA-256 of the content that shapes answers: template, categories,
    /// fallback, `with_reason`, [`FORMAT_VERSION`] and the field names when the template uses
    /// `{fields}`. Timestamps, `version`, `created_by`, `name` and `label` are left out, so
    /// equal content gives an equal hash.
    pub hash: String,
    /// The prompt's categories sorted by id. The fallback is not among them.
    pub categories: Vec<Category>,
    pub fallback: String,
    pub with_reason: bool,
    pub format_version: u32,
}

impl CompiledPrompt {
    /// Returns the category name for an answer's category number: the fallback name for
    /// [`FALLBACK_CATEGORY_ID`], `None` for a number the prompt does not define.
    pub fn category_name(&self, number: u32) -> Option<&str> {
        if number == FALLBACK_CATEGORY_ID {
            return Some(&self.fallback);
        }
        self.categories
            .iter()
            .find(|category| category.id == number)
            .map(|category| category.name.as_str())
    }

    /// Returns the category number for a name, ignoring case and accents; the fallback name
    /// gives [`FALLBACK_CATEGORY_ID`].
    pub fn category_number(&self, name: &str) -> Option<u32> {
        let folded = fold(name);
        if folded == fold(&self.fallback) {
            return Some(FALLBACK_CATEGORY_ID);
        }
        self.categories
            .iter()
            .find(|category| fold(&category.name) == folded)
            .map(|category| category.id)
    }

    /// Returns the JSON schema of the answer document, for structured output.
    pub fn answer_schema(&self) -> serde_json::Value {
        crate::wire::answer_schema(self.with_reason)
    }
}

impl Prompt {
    /// Validates and compiles the prompt; see [`compile`].
    pub fn compile(&self, options: &CompileOptions) -> Result<CompiledPrompt, PromptError> {
        compile(self, options)
    }
}

/// Validates `prompt` against `options` and builds its system message and content hash.
///
/// The template's placeholders are filled. A template without `{categories}` gets the
/// category list appended after it, and one without `{output_format}` gets the answer format
/// at the end. The generated sections are in Spanish, like the default template.
pub fn compile(prompt: &Prompt, options: &CompileOptions) -> Result<CompiledPrompt, PromptError> {
    if let Some(error) = prompt.problems(&options.fallback).into_iter().next() {
        return Err(error);
    }
    let pieces = template::scan(&prompt.template)?;
    let uses = |wanted: Placeholder| pieces.contains(&Piece::Placeholder(wanted));
    if uses(Placeholder::Fields) && options.fields.is_empty() {
        return Err(PromptError::MissingFields);
    }

    let mut categories = prompt.categories.clone();
    categories.sort_by_key(|category| category.id);
    let fallback = options.fallback.trim().to_owned();
    let category_list = render_categories(&categories, &fallback);
    let output_format = render_output_format(&categories, &fallback, options.with_reason);

    let mut system = String::with_capacity(
        prompt.template.len() + category_list.len() + output_format.len() + 64,
    );
    for piece in &pieces {
        match piece {
            Piece::Text(text) => system.push_str(text),
            Piece::Placeholder(Placeholder::Categories) => system.push_str(&category_list),
            Piece::Placeholder(Placeholder::Fallback) => system.push_str(&fallback),
            Piece::Placeholder(Placeholder::Fields) => system.push_str(&options.fields.join(", ")),
            Piece::Placeholder(Placeholder::OutputFormat) => system.push_str(&output_format),
        }
    }
    if !uses(Placeholder::Categories) {
        system.truncate(system.trim_end().len());
        system.push_str("\n\nCATEGORÍAS (responde con el número)\n");
        system.push_str(&category_list);
    }
    if !uses(Placeholder::OutputFormat) {
        system.truncate(system.trim_end().len());
        system.push_str("\n\n");
        system.push_str(&output_format);
    }
    system.truncate(system.trim_end().len());

    let fields = uses(Placeholder::Fields).then_some(options.fields.as_slice());
    let hash = content_hash(
        &prompt.template,
        &categories,
        &fallback,
        options.with_reason,
        fields,
    );

    Ok(CompiledPrompt {
        prompt_id: prompt.id.clone(),
        prompt_version: prompt.version,
        system,
        hash,
        categories,
        fallback,
        with_reason: options.with_reason,
        format_version: FORMAT_VERSION,
    })
}

/// Writes one line per category, `0. <fallback>` first, with descriptions, keywords and,
/// when priorities differ, the priority.
fn render_categories(categories: &[Category], fallback: &str) -> String {
    let show_priority = categories
        .windows(2)
        .any(|pair| pair[0].priority != pair[1].priority);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{FALLBACK_CATEGORY_ID}. {fallback}: úsala cuando ninguna otra categoría corresponda con claridad o no tengas certeza."
    );

    for category in categories {
        let description = category.description.trim();
        if description.is_empty() {
            let _ = writeln!(out, "{}. {}", category.id, category.name.trim());
        } else {
            let _ = writeln!(
                out,
                "{}. {}: {}",
                category.id,
                category.name.trim(),
                description
            );
        }

        let keywords: Vec<&str> = category
            .keywords
            .iter()
            .map(|k| k.trim())
            .filter(|k| !k.is_empty())
            .collect();
        if !keywords.is_empty() {
            let _ = writeln!(out, "   Palabras clave: {}", keywords.join(", "));
        }
        if show_priority {
            let _ = writeln!(out, "   Prioridad: {}", category.priority);
        }
    }

    out.truncate(out.trim_end().len());
    out
}

/// Writes the input description, the JSON answer format and the rules, including the rule
/// of exactly one result per item.
fn render_output_format(categories: &[Category], fallback: &str, with_reason: bool) -> String {
    let example = if with_reason {
        r#"{"results":[{"id":1,"category":3,"score":0.92,"reason":"motivo breve de la elección"}]}"#
    } else {
        r#"{"results":[{"id":1,"category":3,"score":0.92}]}"#
    };
    let mut out = String::new();

    out.push_str("FORMATO DE ENTRADA\n");
    out.push_str(
        "El mensaje del usuario trae una línea de encabezado con los nombres de los campos \
         separados por tabulaciones (el primero es id) y después un ítem por línea: su id y \
         los valores de sus campos.\n\n",
    );

    out.push_str("FORMATO DE RESPUESTA\n");
    out.push_str("Responde solo con un objeto JSON, sin texto antes ni después, como este:\n");
    out.push_str(example);
    out.push('\n');
    out.push_str("- \"id\": el id del ítem, copiado tal cual de la entrada.\n");
    let _ = writeln!(
        out,
        "- \"category\": el número de la categoría elegida ({FALLBACK_CATEGORY_ID} = {fallback})."
    );
    out.push_str("- \"score\": tu confianza en la categoría, un número entre 0 y 1.\n");
    if with_reason {
        out.push_str(
            "- \"reason\": una justificación breve en español, de 15 palabras como máximo.\n",
        );
    }

    out.push_str("\nREGLAS\n");
    out.push_str("- CRÍTICO: devuelve exactamente un resultado por cada ítem de la entrada, ni más ni menos.\n");
    out.push_str("- Cada id de la entrada aparece una sola vez en \"results\"; no inventes ids.\n");
    out.push_str("- Usa solo números de la lista de categorías.\n");
    let _ = writeln!(
        out,
        "- Si no estás seguro o ninguna categoría corresponde, usa {FALLBACK_CATEGORY_ID} ({fallback})."
    );
    if categories
        .windows(2)
        .any(|pair| pair[0].priority != pair[1].priority)
    {
        out.push_str("- Si más de una categoría corresponde, elige la de mayor prioridad.\n");
    }

    out.truncate(out.trim_end().len());
    out
}

/// The fields of a category that shape answers, in a fixed order.
#[derive(Serialize)]
struct HashedCategory<'a> {
    id: u32,
    name: &'a str,
    description: &'a str,
    priority: i32,
    keywords: &'a [String],
}

/// Everything that shapes answers, serialised as JSON in a fixed field order.
#[derive(Serialize)]
struct HashedPrompt<'a> {
    format_version: u32,
    template: &'a str,
    categories: Vec<HashedCategory<'a>>,
    fallback: &'a str,
    with_reason: bool,
    fields: Option<&'a [String]>,
}

fn content_hash(
    template: &str,
    categories: &[Category],
    fallback: &str,
    with_reason: bool,
    fields: Option<&[String]>,
) -> String {
    let hashed = HashedPrompt {
        format_version: FORMAT_VERSION,
        template,
        categories: categories
            .iter()
            .map(|category| HashedCategory {
                id: category.id,
                name: &category.name,
                description: &category.description,
                priority: category.priority,
                keywords: &category.keywords,
            })
            .collect(),
        fallback,
        with_reason,
        fields,
    };
    let canonical = serde_json::to_vec(&hashed).expect("prompt content serialises to JSON");

    let digest = Sha256::digest(&canonical);
    let mut hex = String::with_capacity(64);
    for byte in digest.iter() {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}
