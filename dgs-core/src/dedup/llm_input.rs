//! The items sent to the LLM: one per group.

use serde::{Deserialize, Serialize};

/// One representative row as the LLM input: its clean fields and how many rows it stands for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LlmInput {
    /// Group id, which is the representative's row index.
    pub id: u64,
    /// `(clean field name, clean value)` pairs in column order; the first is the primary field.
    pub fields: Vec<(String, String)>,
    /// Rows in the group.
    pub group_size: u64,
}
