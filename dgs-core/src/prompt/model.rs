//! The prompt data model, serialised as the prompt JSON file format.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One category the LLM may assign.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Category {
    /// Stable number within the prompt, used on the wire instead of the name.
    pub id: u32,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Higher wins ties; the keyword provider uses it as tie-break.
    #[serde(default)]
    pub priority: i32,
    #[serde(default)]
    pub keywords: Vec<String>,
}

/// A classification prompt. Every change makes a new `version`; old versions are kept.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Prompt {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub label: String,
    /// Instructions to the model. Placeholders are listed in the prompt module docs.
    pub template: String,
    pub categories: Vec<Category>,
    #[serde(default)]
    pub is_default: bool,
    #[serde(default)]
    pub created_by: String,
    #[serde(default = "Utc::now")]
    pub created_at: DateTime<Utc>,
    #[serde(default = "Utc::now")]
    pub updated_at: DateTime<Utc>,
    #[serde(default = "first_version")]
    pub version: u32,
}

fn first_version() -> u32 {
    1
}
