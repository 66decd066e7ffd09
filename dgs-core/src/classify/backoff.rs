//! Delays between attempts: exponential backoff with full jitter, or the server's
//! `Retry-After`.

use std::time::Duration;

use super::options::ClassifyOptions;
use crate::llm::LlmError;

/// Returns the delay before the attempt after failed attempt `attempt` (1-based).
///
/// A rate-limit error with `Retry-After` waits that long, capped at `retry_after_max`.
/// Every other error waits a uniform random time in `0..=min(backoff_max, backoff_base *
/// 2^(attempt - 1))` (full jitter), which spreads the retries of concurrent chunks.
pub(crate) fn retry_delay(options: &ClassifyOptions, attempt: u32, error: &LlmError) -> Duration {
    if let LlmError::RateLimited {
        retry_after: Some(retry_after),
        ..
    } = error
    {
        return (*retry_after).min(options.retry_after_max);
    }

    let bound = backoff_bound(options, attempt);
    let bound_ms = u64::try_from(bound.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(rand::random_range(0..=bound_ms))
}

fn backoff_bound(options: &ClassifyOptions, attempt: u32) -> Duration {
    let exponent = attempt.saturating_sub(1).min(20);
    options
        .backoff_base
        .saturating_mul(1 << exponent)
        .min(options.backoff_max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bound_doubles_up_to_max() {
        let options = ClassifyOptions::default();
        let bounds: Vec<u64> = (1..=7)
            .map(|attempt| backoff_bound(&options, attempt).as_secs())
            .collect();
        assert_eq!(bounds, vec![1, 2, 4, 8, 16, 30, 30]);
    }

    #[test]
    fn retry_after_is_capped() {
        let options = ClassifyOptions::default();
        let error = |secs| LlmError::RateLimited {
            provider: "p".into(),
            retry_after: Some(Duration::from_secs(secs)),
        };
        assert_eq!(retry_delay(&options, 1, &error(7)), Duration::from_secs(7));
        assert_eq!(
            retry_delay(&options, 1, &error(600)),
            Duration::from_secs(60)
        );
    }

    #[test]
    fn jitter_stays_below_bound() {
        let options = ClassifyOptions::default();
        let error = LlmError::Server {
            provider: "p".into(),
            status: 503,
            body: String::new(),
        };
        for attempt in 1..=5 {
            let delay = retry_delay(&options, attempt, &error);
            assert!(
                delay <= backoff_bound(&options, attempt),
                "{attempt}: {delay:?}"
            );
        }
    }
}
