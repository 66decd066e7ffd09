//! Items to classify, and the engine prompt that lists the categories to classify them into.

use serde::{Deserialize, Serialize};

use super::error::ClassifyConfigError;
use super::result::FALLBACK_CATEGORY;
use crate::prompt::CompiledPrompt;

/// One thing to classify; for jobs, the representative row of one dedup group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Caller's id, copied to the item's [`super::Classification`]. The engine never sends it.
    pub id: u64,
    /// Field names and clean values sent to the model; the first is the primary clean field.
    /// Items of one run are expected to have the same field names in the same order, because
    /// the names of a request's first item become the header line of that request.
    pub fields: Vec<(String, String)>,
}

impl Item {
    /// Builds an item with one field, the primary clean field.
    pub fn new(id: u64, field: impl Into<String>, value: impl Into<String>) -> Self {
        Item {
            id,
            fields: vec![(field.into(), value.into())],
        }
    }

    /// Returns the value of the primary clean field, or "" for an item without fields.
    pub fn primary_text(&self) -> &str {
        self.fields
            .first()
            .map(|(_, value)| value.as_str())
            .unwrap_or("")
    }
}

/// The parts of a compiled prompt the engine needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnginePrompt {
    /// System message: instructions, categories with their numbers, answer format.
    pub system: String,
    /// Hash of the compiled prompt version; part of every answer cache key.
    pub prompt_hash: String,
    /// Category number (`Category.id`) and name. Number 0 is reserved for the fallback.
    pub categories: Vec<(u32, String)>,
    /// Category given to items without a usable answer. Default: `Indeterminado`.
    #[serde(default = "default_fallback")]
    pub fallback: String,
    /// Whether the prompt asks the model for a reason per answer.
    #[serde(default)]
    pub with_reason: bool,
}

fn default_fallback() -> String {
    FALLBACK_CATEGORY.to_owned()
}

impl EnginePrompt {
    /// Builds a prompt with the default fallback category and no reasons.
    pub fn new(
        system: impl Into<String>,
        prompt_hash: impl Into<String>,
        categories: Vec<(u32, String)>,
    ) -> Self {
        EnginePrompt {
            system: system.into(),
            prompt_hash: prompt_hash.into(),
            categories,
            fallback: default_fallback(),
            with_reason: false,
        }
    }

    /// Checks that the categories are usable: at least one, numbers unique and not 0, names
    /// not empty.
    pub fn validate(&self) -> Result<(), ClassifyConfigError> {
        if self.categories.is_empty() {
            return Err(ClassifyConfigError::InvalidPrompt {
                message: "the prompt has no categories".to_owned(),
            });
        }

        let mut seen = std::collections::HashSet::new();
        for (number, name) in &self.categories {
            if *number == 0 {
                return Err(ClassifyConfigError::InvalidPrompt {
                    message: format!(
                        "category {name:?} has number 0, which is reserved for the fallback"
                    ),
                });
            }
            if !seen.insert(*number) {
                return Err(ClassifyConfigError::InvalidPrompt {
                    message: format!("category number {number} is used twice"),
                });
            }
            if name.trim().is_empty() {
                return Err(ClassifyConfigError::InvalidPrompt {
                    message: format!("category number {number} has an empty name"),
                });
            }
        }

        if self.fallback.trim().is_empty() {
            return Err(ClassifyConfigError::InvalidPrompt {
                message: "the fallback category name is empty".to_owned(),
            });
        }
        Ok(())
    }
}

impl From<&CompiledPrompt> for EnginePrompt {
    /// Takes the system message, hash, categories, fallback and reason switch of a compiled
    /// prompt.
    fn from(compiled: &CompiledPrompt) -> Self {
        EnginePrompt {
            system: compiled.system.clone(),
            prompt_hash: compiled.hash.clone(),
            categories: compiled
                .categories
                .iter()
                .map(|category| (category.id, category.name.clone()))
                .collect(),
            fallback: compiled.fallback.clone(),
            with_reason: compiled.with_reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompt::{compile, CompileOptions, Prompt};

    #[test]
    fn engine_prompt_from_compiled() {
        let prompt: Prompt = serde_json::from_value(serde_json::json!({
            "id": "p1",
            "name": "Ledger",
            "template": "Classify each ledger line.",
            "categories": [
                {"id": 2, "name": "Nómina"},
                {"id": 1, "name": "Gastos"}
            ]
        }))
        .unwrap();
        let compiled = compile(&prompt, &CompileOptions::default()).unwrap();

        let engine_prompt = EnginePrompt::from(&compiled);

        assert_eq!(engine_prompt.system, compiled.system);
        assert_eq!(engine_prompt.prompt_hash, compiled.hash);
        assert_eq!(
            engine_prompt.categories,
            vec![(1, "Gastos".to_owned()), (2, "Nómina".to_owned())]
        );
        assert_eq!(engine_prompt.fallback, compiled.fallback);
        assert!(engine_prompt.validate().is_ok());
    }
}
