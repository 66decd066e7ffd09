//! The answer cache of a job, kept in its store so answers survive the process.

use crate::classify::{self, AnswerCache, CacheError};
use crate::store::{self, Store};
use async_trait::async_trait;
use std::sync::Arc;

/// An [`AnswerCache`] over [`Store::cache_get_many`] and [`Store::cache_put_many`].
pub(crate) struct StoreAnswerCache {
    store: Arc<dyn Store>,
}

impl StoreAnswerCache {
    pub(crate) fn new(store: Arc<dyn Store>) -> Self {
        StoreAnswerCache { store }
    }
}

fn to_store_key(key: &classify::CacheKey) -> store::CacheKey {
    store::CacheKey {
        provider: key.provider.clone(),
        model: key.model.clone(),
        prompt_hash: key.prompt_hash.clone(),
        text: key.text.clone(),
    }
}

fn cache_error(error: store::StoreError) -> CacheError {
    CacheError {
        message: error.to_string(),
    }
}

#[async_trait]
impl AnswerCache for StoreAnswerCache {
    async fn get_many(
        &self,
        keys: &[classify::CacheKey],
    ) -> Result<Vec<Option<classify::CachedAnswer>>, CacheError> {
        let keys: Vec<store::CacheKey> = keys.iter().map(to_store_key).collect();
        let answers = self
            .store
            .cache_get_many(&keys)
            .await
            .map_err(cache_error)?;

        Ok(answers
            .into_iter()
            .map(|answer| {
                answer.map(|answer| classify::CachedAnswer {
                    category: answer.category,
                    score: answer.score,
                    reason: answer.reason,
                })
            })
            .collect())
    }

    async fn put_many(
        &self,
        entries: Vec<(classify::CacheKey, classify::CachedAnswer)>,
    ) -> Result<(), CacheError> {
        let entries: Vec<(store::CacheKey, store::CachedAnswer)> = entries
            .into_iter()
            .map(|(key, answer)| {
                let answer = store::CachedAnswer {
                    category: answer.category,
                    score: answer.score,
                    reason: answer.reason,
                };
                (to_store_key(&key), answer)
            })
            .collect();
        self.store
            .cache_put_many(&entries)
            .await
            .map_err(cache_error)
    }
}
