//! The answer cache: a description already classified with the same provider, model and
//! prompt version costs no call, in the same run or a later one.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;

use super::error::CacheError;
use super::input::Item;

/// What identifies a cached answer.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CacheKey {
    /// [`crate::llm::LlmProvider::name`].
    pub provider: String,
    /// Model that the requests name: the option `model`, or the provider's default model.
    pub model: String,
    /// [`super::EnginePrompt::prompt_hash`].
    pub prompt_hash: String,
    /// The item's field values as sent on the wire (tabs and line breaks as spaces), joined
    /// with tabs, the primary clean field first.
    pub text: String,
}

impl CacheKey {
    /// Builds the key of one item.
    pub fn for_item(provider: &str, model: &str, prompt_hash: &str, item: &Item) -> Self {
        let mut text = String::new();
        for (position, (_, value)) in item.fields.iter().enumerate() {
            if position > 0 {
                text.push('\t');
            }
            text.extend(value.chars().map(|ch| match ch {
                '\t' | '\n' | '\r' => ' ',
                other => other,
            }));
        }
        CacheKey {
            provider: provider.to_owned(),
            model: model.to_owned(),
            prompt_hash: prompt_hash.to_owned(),
            text,
        }
    }
}

/// A cached model answer. Only answers with a category of the prompt are cached.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CachedAnswer {
    pub category: String,
    pub score: f64,
    pub reason: String,
}

/// Storage of model answers, small enough for a store or a host object to implement.
#[async_trait]
pub trait AnswerCache: Send + Sync {
    /// Looks up several keys at once; the result has one entry per key, in key order.
    async fn get_many(&self, keys: &[CacheKey]) -> Result<Vec<Option<CachedAnswer>>, CacheError>;

    /// Stores answers, replacing those already stored under the same keys.
    async fn put_many(&self, entries: Vec<(CacheKey, CachedAnswer)>) -> Result<(), CacheError>;
}

/// An [`AnswerCache`] in process memory, lost when the process ends.
#[derive(Debug, Default)]
pub struct MemoryAnswerCache {
    entries: Mutex<HashMap<CacheKey, CachedAnswer>>,
}

impl MemoryAnswerCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// Returns the number of cached answers.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<CacheKey, CachedAnswer>> {
        // A panic while holding the lock cannot leave the map half-updated, so a poisoned
        // lock is still safe to use.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait]
impl AnswerCache for MemoryAnswerCache {
    async fn get_many(&self, keys: &[CacheKey]) -> Result<Vec<Option<CachedAnswer>>, CacheError> {
        let entries = self.lock();
        Ok(keys.iter().map(|key| entries.get(key).cloned()).collect())
    }

    async fn put_many(&self, new_entries: Vec<(CacheKey, CachedAnswer)>) -> Result<(), CacheError> {
        self.lock().extend(new_entries);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_joins_fields_flattened() {
        let item = Item {
            id: 4,
            fields: vec![
                ("cleanA".into(), "pago\nluz".into()),
                ("cleanB".into(), "enel".into()),
            ],
        };
        let key = CacheKey::for_item("openai", "m", "h", &item);
        assert_eq!(key.text, "pago luz\tenel");
    }

    #[tokio::test]
    async fn memory_cache_round_trip() {
        let cache = MemoryAnswerCache::new();
        let key = CacheKey::for_item("p", "m", "h", &Item::new(1, "cleanA", "x"));
        let other = CacheKey::for_item("p", "m", "h2", &Item::new(1, "cleanA", "x"));
        let answer = CachedAnswer {
            category: "Gastos".into(),
            score: 0.8,
            reason: String::new(),
        };
        cache
            .put_many(vec![(key.clone(), answer.clone())])
            .await
            .unwrap();

        let found = cache.get_many(&[other, key]).await.unwrap();
        assert_eq!(found, vec![None, Some(answer)]);
        assert_eq!(cache.len(), 1);
    }
}
