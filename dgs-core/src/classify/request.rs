//! One request round: builds the request for some items of a chunk, sends it under the
//! rate and concurrency limits with a timeout, retries with backoff, and matches the answer.

use tokio_util::sync::CancellationToken;
use tracing::{debug, debug_span, warn, Instrument};

use super::backoff::retry_delay;
use super::engine::Engine;
use super::input::Item;
use super::matching::{match_answers, MatchReport};
use super::outcome::ClassifyEvent;
use super::parse::parse_answers;
use crate::llm::{CompletionRequest, CompletionResponse, LlmError, Message, Role, TokenUsage};
use crate::wire::{self, WireItem};

/// Characters of an unparsable answer shown in the log.
const LOG_PREVIEW_CHARS: usize = 200;

/// Result of one request round.
#[derive(Debug)]
pub(crate) struct RoundResult {
    /// The matched answers, or the last error when every attempt failed.
    pub report: Result<MatchReport, String>,
    /// Attempts made, the successful one included.
    pub attempts: u32,
    /// Provider calls that were made; equals `attempts` unless cancelled.
    pub requests: u32,
    pub usage: TokenUsage,
}

impl Engine {
    /// Builds the request for the items at `positions`, with local ids `1..=positions.len()`.
    pub(crate) fn build_request(&self, items: &[Item], positions: &[usize]) -> CompletionRequest {
        let options = &self.inner.options;
        let prompt = &self.inner.prompt;

        let field_names: Vec<String> = positions
            .first()
            .map(|&first| {
                items[first]
                    .fields
                    .iter()
                    .map(|(name, _)| name.clone())
                    .collect()
            })
            .unwrap_or_default();

        let wire_items: Vec<WireItem> = positions
            .iter()
            .enumerate()
            .map(|(local, &position)| WireItem {
                id: local as u32 + 1,
                values: field_values(&items[position], &field_names),
            })
            .collect();

        CompletionRequest {
            messages: vec![
                Message {
                    role: Role::System,
                    content: prompt.system.clone(),
                },
                Message {
                    role: Role::User,
                    content: wire::format_items(&field_names, &wire_items),
                },
            ],
            model: options.model.clone(),
            temperature: options.temperature,
            max_tokens: options.max_tokens,
            json_schema: options
                .structured_output
                .then(|| wire::answer_schema(prompt.with_reason)),
        }
    }

    /// Sends the request for the items at `positions` until an answer can be read or the
    /// attempts run out. Returns `None` when cancelled.
    pub(crate) async fn send_round(
        &self,
        chunk_index: usize,
        items: &[Item],
        positions: &[usize],
        follow_up: bool,
        cancel: &CancellationToken,
        on_event: &(dyn Fn(ClassifyEvent) + Send + Sync),
    ) -> Option<RoundResult> {
        let options = &self.inner.options;
        let request = self.build_request(items, positions);
        let primary_texts: Vec<&str> = positions.iter().map(|&p| items[p].primary_text()).collect();
        let max_attempts = options.max_retries + 1;

        let mut round = RoundResult {
            report: Err(String::new()),
            attempts: 0,
            requests: 0,
            usage: TokenUsage::default(),
        };

        for attempt in 1..=max_attempts {
            round.attempts = attempt;
            let span = debug_span!("llm_request", chunk = chunk_index, attempt, follow_up);
            let response = self.call(request.clone(), cancel).instrument(span).await?;
            round.requests += 1;

            let error = match response {
                Ok(response) => {
                    round.usage += response.usage;
                    match parse_answers(&response.content) {
                        Ok(parsed) => {
                            let report = match_answers(
                                parsed,
                                &primary_texts,
                                &self.inner.categories,
                                &self.inner.prompt.fallback,
                            );
                            log_dropped(chunk_index, attempt, &report);
                            round.report = Ok(report);
                            return Some(round);
                        }
                        Err(parse_error) => {
                            let preview: String =
                                response.content.chars().take(LOG_PREVIEW_CHARS).collect();
                            warn!(
                                chunk = chunk_index,
                                attempt,
                                error = %parse_error,
                                content = %preview,
                                "unparsable answer"
                            );
                            LlmError::InvalidResponse {
                                provider: self.inner.provider.name().to_owned(),
                                message: parse_error.to_string(),
                            }
                        }
                    }
                }
                Err(error) => error,
            };

            let message = error.to_string();
            if !error.is_retryable() || attempt == max_attempts {
                warn!(
                    chunk = chunk_index,
                    attempt,
                    follow_up,
                    retryable = error.is_retryable(),
                    error = %message,
                    "request failed; giving up on its items"
                );
                round.report = Err(message);
                return Some(round);
            }

            let delay = retry_delay(options, attempt, &error);
            warn!(
                chunk = chunk_index,
                attempt,
                follow_up,
                delay_ms = delay.as_millis() as u64,
                error = %message,
                "request failed; retrying"
            );
            on_event(ClassifyEvent::Retry {
                chunk_index,
                attempt,
                error: message,
                delay_ms: delay.as_millis() as u64,
            });

            tokio::select! {
                biased;
                _ = cancel.cancelled() => return None,
                _ = tokio::time::sleep(delay) => {}
            }
        }

        Some(round)
    }

    /// Makes one provider call under the rate limits, the concurrency limit and the
    /// timeout. Returns `None` when cancelled.
    async fn call(
        &self,
        request: CompletionRequest,
        cancel: &CancellationToken,
    ) -> Option<Result<CompletionResponse, LlmError>> {
        let inner = &self.inner;
        let estimate = (self.token_estimator)(&request);

        let limits = async {
            if let Some(bucket) = &inner.requests_per_minute {
                bucket.acquire(1).await;
            }
            if let Some(bucket) = &inner.tokens_per_minute {
                bucket.acquire(estimate).await;
            }
        };
        tokio::select! {
            biased;
            _ = cancel.cancelled() => return None,
            _ = limits => {}
        }

        let permit = tokio::select! {
            biased;
            _ = cancel.cancelled() => return None,
            permit = inner.request_slots.acquire() => permit.expect("the request semaphore is never closed"),
        };

        let timeout = inner.options.request_timeout;
        let call = tokio::time::timeout(timeout, inner.provider.complete(request));
        let result = tokio::select! {
            biased;
            _ = cancel.cancelled() => return None,
            result = call => result,
        };
        drop(permit);

        let result = result.unwrap_or_else(|_| {
            Err(LlmError::Timeout {
                provider: inner.provider.name().to_owned(),
                timeout,
            })
        });

        if let (Some(bucket), Ok(response)) = (&inner.tokens_per_minute, &result) {
            let used = response.usage.total_tokens();
            if used > estimate {
                bucket.charge(used - estimate).await;
            }
        }
        Some(result)
    }
}

/// Returns the item's values in the order of `field_names`: by position when the names
/// agree, else by name, else empty.
fn field_values(item: &Item, field_names: &[String]) -> Vec<String> {
    field_names
        .iter()
        .enumerate()
        .map(|(position, name)| {
            let by_position = item.fields.get(position).filter(|(field, _)| field == name);
            by_position
                .or_else(|| item.fields.iter().find(|(field, _)| field == name))
                .map(|(_, value)| value.clone())
                .unwrap_or_default()
        })
        .collect()
}

fn log_dropped(chunk_index: usize, attempt: u32, report: &MatchReport) {
    let dropped = report.dropped;
    if dropped.total() > 0 {
        warn!(
            chunk = chunk_index,
            attempt,
            unknown_id = dropped.unknown_id,
            duplicate_id = dropped.duplicate_id,
            unmatched = dropped.unmatched,
            invalid = dropped.invalid,
            "dropped answers that match no item"
        );
    }
    if report.matched_by_text > 0 {
        debug!(
            chunk = chunk_index,
            matched_by_text = report.matched_by_text,
            "matched answers without ids by their text"
        );
    }
}
