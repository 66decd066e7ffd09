//! Keys and values of the answer cache, which lets a description already classified with
//! the same provider, model and prompt skip the LLM call.

use serde::{Deserialize, Serialize};

/// What an answer depends on. Two keys are equal only if all four fields are.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CacheKey {
    /// Provider name as [`crate::llm::LlmProvider::name`] returns it.
    pub provider: String,
    pub model: String,
    /// Hash of the compiled prompt version, so a new prompt version misses the cache.
    pub prompt_hash: String,
    /// The clean text sent to the model.
    pub text: String,
}

/// A cached model answer for one item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CachedAnswer {
    pub category: String,
    pub score: f64,
    pub reason: String,
}
