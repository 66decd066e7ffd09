//! The engine: classifies one chunk with cache lookups, a retried request, a follow-up
//! request for the items the answer left out, and fallback results for the rest.

use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tracing::{info_span, warn, Instrument};

use super::cache::{AnswerCache, CacheKey, CachedAnswer};
use super::categories::CategoryIndex;
use super::error::ClassifyConfigError;
use super::input::{EnginePrompt, Item};
use super::matching::MatchedAnswer;
use super::options::ClassifyOptions;
use super::outcome::{ChunkOutcome, ClassifyEvent, DroppedAnswers};
use super::rate_limit::TokenBucket;
use super::request::RoundResult;
use super::result::{Classification, ClassificationStatus, MISSING_REASON};
use crate::llm::{CompletionRequest, LlmProvider, TokenUsage};

/// Callback that receives the progress events of a run.
pub type EventSink = Arc<dyn Fn(ClassifyEvent) + Send + Sync>;

/// Estimate of the tokens a request will consume, used by the tokens-per-minute limit.
pub type TokenEstimator = Arc<dyn Fn(&CompletionRequest) -> u64 + Send + Sync>;

/// Classifies items with one LLM provider and one prompt, keeping one result per item.
///
/// Cloning is cheap; clones share the provider, the cache, the concurrency limits and the
/// rate limits.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<EngineInner>,
    pub(crate) token_estimator: TokenEstimator,
}

pub(crate) struct EngineInner {
    pub(crate) provider: Arc<dyn LlmProvider>,
    pub(crate) prompt: EnginePrompt,
    pub(crate) options: ClassifyOptions,
    pub(crate) cache: Option<Arc<dyn AnswerCache>>,
    pub(crate) categories: CategoryIndex,
    /// Model named in cache keys: the option, or the provider's default model.
    pub(crate) cache_model: String,
    /// Requests in flight (`concurrency_limit`).
    pub(crate) request_slots: Semaphore,
    /// Chunks in progress during a run (`max_workers`).
    pub(crate) worker_slots: Arc<Semaphore>,
    pub(crate) requests_per_minute: Option<TokenBucket>,
    pub(crate) tokens_per_minute: Option<TokenBucket>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("provider", &self.inner.provider.name())
            .field("prompt_hash", &self.inner.prompt.prompt_hash)
            .field("options", &self.inner.options)
            .field("cache", &self.inner.cache.is_some())
            .finish()
    }
}

/// Default token estimate: characters of all messages divided by 4.
fn estimate_tokens(request: &CompletionRequest) -> u64 {
    let chars: usize = request
        .messages
        .iter()
        .map(|message| message.content.chars().count())
        .sum();
    (chars as u64).div_ceil(4)
}

impl Engine {
    /// Builds an engine after checking the options and the prompt.
    pub fn new(
        provider: Arc<dyn LlmProvider>,
        prompt: EnginePrompt,
        options: ClassifyOptions,
        cache: Option<Arc<dyn AnswerCache>>,
    ) -> Result<Self, ClassifyConfigError> {
        options.validate()?;
        prompt.validate()?;

        let cache_model = if options.model.is_empty() {
            provider.default_model().to_owned()
        } else {
            options.model.clone()
        };

        let inner = EngineInner {
            categories: CategoryIndex::new(&prompt),
            cache_model,
            request_slots: Semaphore::new(options.concurrency_limit),
            worker_slots: Arc::new(Semaphore::new(options.max_workers)),
            requests_per_minute: options.requests_per_minute.map(TokenBucket::per_minute),
            tokens_per_minute: options.tokens_per_minute.map(TokenBucket::per_minute),
            provider,
            prompt,
            options,
            cache,
        };
        Ok(Engine {
            inner: Arc::new(inner),
            token_estimator: Arc::new(estimate_tokens),
        })
    }

    /// Replaces the token estimate used by the tokens-per-minute limit (default: characters
    /// of the messages / 4), for example with a tokenizer of the model.
    pub fn with_token_estimator(
        mut self,
        estimator: impl Fn(&CompletionRequest) -> u64 + Send + Sync + 'static,
    ) -> Self {
        self.token_estimator = Arc::new(estimator);
        self
    }

    pub fn options(&self) -> &ClassifyOptions {
        &self.inner.options
    }

    pub fn prompt(&self) -> &EnginePrompt {
        &self.inner.prompt
    }

    /// Returns the item ranges of the chunks of `item_count` items: chunk `k` is
    /// `k * chunk_size..min((k + 1) * chunk_size, item_count)`.
    pub fn chunk_ranges(&self, item_count: usize) -> Vec<std::ops::Range<usize>> {
        chunk_ranges(item_count, self.inner.options.chunk_size)
    }

    /// Classifies one chunk of items, without events and without cancellation.
    ///
    /// The call does not take a worker slot (`max_workers` bounds [`Engine::run`] only), but
    /// its requests share the engine's `concurrency_limit` and rate limits.
    pub async fn classify_chunk(&self, chunk_index: usize, items: &[Item]) -> ChunkOutcome {
        let never = CancellationToken::new();
        let outcome = self
            .classify_chunk_with(chunk_index, items, &never, &|_| {})
            .await;
        outcome.expect("a chunk without a cancellation source always finishes")
    }

    /// Classifies one chunk of items, sending progress events to `on_event`.
    ///
    /// Returns `None` when `cancel` fires before the chunk is done. The request in flight is
    /// then abandoned: its future is dropped, which closes the HTTP request. No result of
    /// the chunk is returned, so the caller sends the whole chunk again later.
    pub async fn classify_chunk_with(
        &self,
        chunk_index: usize,
        items: &[Item],
        cancel: &CancellationToken,
        on_event: &(dyn Fn(ClassifyEvent) + Send + Sync),
    ) -> Option<ChunkOutcome> {
        let span = info_span!("classify_chunk", chunk = chunk_index, items = items.len());
        self.process_chunk(chunk_index, items, cancel, on_event)
            .instrument(span)
            .await
    }

    async fn process_chunk(
        &self,
        chunk_index: usize,
        items: &[Item],
        cancel: &CancellationToken,
        on_event: &(dyn Fn(ClassifyEvent) + Send + Sync),
    ) -> Option<ChunkOutcome> {
        let mut chunk = ChunkState::new(chunk_index, items.len());

        let keys = self.cache_keys(items);
        self.read_cache(&keys, &mut chunk).await;

        let pending = chunk.unanswered();
        if !pending.is_empty() {
            let round = self
                .send_round(chunk_index, items, &pending, false, cancel, on_event)
                .await?;
            let succeeded = chunk.apply_round(&pending, round);

            let missing = chunk.unanswered();
            if succeeded && !missing.is_empty() {
                warn!(
                    chunk = chunk_index,
                    missing = missing.len(),
                    "answer left items out; sending a follow-up request with only those items"
                );
                on_event(ClassifyEvent::FollowUp {
                    chunk_index,
                    missing: missing.len(),
                });
                chunk.follow_up_items = missing.len() as u32;

                let round = self
                    .send_round(chunk_index, items, &missing, true, cancel, on_event)
                    .await?;
                chunk.apply_round(&missing, round);
            }
        }

        let outcome = chunk.finish(items, &self.inner.prompt.fallback);
        self.write_cache(&keys, &outcome, chunk_index).await;
        Some(outcome.0)
    }

    fn cache_keys(&self, items: &[Item]) -> Vec<CacheKey> {
        if self.inner.cache.is_none() {
            return Vec::new();
        }
        let provider = self.inner.provider.name();
        items
            .iter()
            .map(|item| {
                CacheKey::for_item(
                    provider,
                    &self.inner.cache_model,
                    &self.inner.prompt.prompt_hash,
                    item,
                )
            })
            .collect()
    }

    async fn read_cache(&self, keys: &[CacheKey], chunk: &mut ChunkState) {
        let Some(cache) = &self.inner.cache else {
            return;
        };

        let found = match cache.get_many(keys).await {
            Ok(found) if found.len() == keys.len() => found,
            Ok(found) => {
                warn!(
                    chunk = chunk.chunk_index,
                    expected = keys.len(),
                    returned = found.len(),
                    "answer cache returned a wrong number of entries; ignoring them"
                );
                return;
            }
            Err(error) => {
                warn!(chunk = chunk.chunk_index, %error, "answer cache lookup failed; calling the model");
                return;
            }
        };

        for (position, answer) in found.into_iter().enumerate() {
            if let Some(answer) = answer {
                chunk.answers[position] = Some(ItemAnswer::Cached(answer));
                chunk.cache_hits += 1;
            }
        }
    }

    async fn write_cache(
        &self,
        keys: &[CacheKey],
        outcome: &(ChunkOutcome, Vec<bool>),
        chunk_index: usize,
    ) {
        let Some(cache) = &self.inner.cache else {
            return;
        };

        let (outcome, cacheable) = outcome;
        let entries: Vec<(CacheKey, CachedAnswer)> = outcome
            .results
            .iter()
            .zip(keys)
            .zip(cacheable)
            .filter(|(_, cacheable)| **cacheable)
            .map(|((result, key), _)| {
                let answer = CachedAnswer {
                    category: result.category.clone(),
                    score: result.score,
                    reason: result.reason.clone(),
                };
                (key.clone(), answer)
            })
            .collect();
        if entries.is_empty() {
            return;
        }

        if let Err(error) = cache.put_many(entries).await {
            warn!(chunk = chunk_index, %error, "answer cache write failed; answers stay uncached");
        }
    }
}

/// Returns the chunk ranges of `item_count` items for chunks of `chunk_size` items.
pub fn chunk_ranges(item_count: usize, chunk_size: usize) -> Vec<std::ops::Range<usize>> {
    let chunk_size = chunk_size.max(1);
    (0..item_count.div_ceil(chunk_size))
        .map(|k| k * chunk_size..((k + 1) * chunk_size).min(item_count))
        .collect()
}

/// Where one item's answer came from while its chunk is in progress.
enum ItemAnswer {
    Cached(CachedAnswer),
    Model(MatchedAnswer),
    Failed(String),
}

/// The answers and counters of one chunk in progress.
struct ChunkState {
    chunk_index: usize,
    answers: Vec<Option<ItemAnswer>>,
    attempts: Vec<u32>,
    usage: TokenUsage,
    requests: u32,
    cache_hits: u32,
    dropped: DroppedAnswers,
    matched_by_text: u32,
    follow_up_items: u32,
    failed: Option<String>,
}

impl ChunkState {
    fn new(chunk_index: usize, len: usize) -> Self {
        ChunkState {
            chunk_index,
            answers: (0..len).map(|_| None).collect(),
            attempts: vec![0; len],
            usage: TokenUsage::default(),
            requests: 0,
            cache_hits: 0,
            dropped: DroppedAnswers::default(),
            matched_by_text: 0,
            follow_up_items: 0,
            failed: None,
        }
    }

    /// Returns the positions of items without an answer yet.
    fn unanswered(&self) -> Vec<usize> {
        (0..self.answers.len())
            .filter(|&position| self.answers[position].is_none())
            .collect()
    }

    /// Records a request round over the items at `positions`; returns whether it got an
    /// answer it could read.
    fn apply_round(&mut self, positions: &[usize], round: RoundResult) -> bool {
        self.usage += round.usage;
        self.requests += round.requests;
        for &position in positions {
            self.attempts[position] += round.attempts;
        }

        match round.report {
            Ok(report) => {
                self.dropped += report.dropped;
                self.matched_by_text += report.matched_by_text;
                for (local, answer) in report.answers.into_iter().enumerate() {
                    if let Some(answer) = answer {
                        self.answers[positions[local]] = Some(ItemAnswer::Model(answer));
                    }
                }
                true
            }
            Err(error) => {
                for &position in positions {
                    self.answers[position] = Some(ItemAnswer::Failed(error.clone()));
                }
                self.failed = Some(error);
                false
            }
        }
    }

    /// Builds the outcome, with `missing` results for unanswered items, and returns which
    /// results may be cached.
    fn finish(self, items: &[Item], fallback: &str) -> (ChunkOutcome, Vec<bool>) {
        let mut results = Vec::with_capacity(items.len());
        let mut cacheable = Vec::with_capacity(items.len());

        for ((item, answer), attempts) in items.iter().zip(self.answers).zip(self.attempts) {
            let (category, score, reason, status, may_cache) = match answer {
                Some(ItemAnswer::Cached(cached)) => (
                    cached.category,
                    cached.score,
                    cached.reason,
                    ClassificationStatus::Cached,
                    false,
                ),
                Some(ItemAnswer::Model(matched)) => {
                    let may_cache = matched.status == ClassificationStatus::Ok && matched.in_prompt;
                    (
                        matched.category,
                        matched.score,
                        matched.reason,
                        matched.status,
                        may_cache,
                    )
                }
                Some(ItemAnswer::Failed(error)) => (
                    fallback.to_owned(),
                    -1.0,
                    error,
                    ClassificationStatus::Failed,
                    false,
                ),
                None => (
                    fallback.to_owned(),
                    -1.0,
                    MISSING_REASON.to_owned(),
                    ClassificationStatus::Missing,
                    false,
                ),
            };

            results.push(Classification {
                id: item.id,
                category,
                score,
                reason,
                status,
                attempts,
            });
            cacheable.push(may_cache);
        }

        let outcome = ChunkOutcome {
            chunk_index: self.chunk_index,
            results,
            usage: self.usage,
            requests: self.requests,
            cache_hits: self.cache_hits,
            dropped_answers: self.dropped,
            matched_by_text: self.matched_by_text,
            follow_up_items: self.follow_up_items,
            failed: self.failed,
        };
        (outcome, cacheable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_ranges_cover_items() {
        assert!(chunk_ranges(0, 50).is_empty());
        assert_eq!(chunk_ranges(5, 2), vec![0..2, 2..4, 4..5]);
        assert_eq!(chunk_ranges(4, 2), vec![0..2, 2..4]);
    }
}
