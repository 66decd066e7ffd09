//! Engine settings: chunking, concurrency, timeouts, retries, rate limits and the model call.

use serde::{Deserialize, Serialize};
use std::time::Duration;

use super::error::ClassifyConfigError;

/// Environment variable that sets [`ClassifyOptions::chunk_size`].
pub const ENV_CHUNK_SIZE: &str = "LLM_DISTRIBUTED_CHUNK_SIZE";
/// Environment variable that sets [`ClassifyOptions::max_workers`].
pub const ENV_MAX_WORKERS: &str = "LLM_MAX_WORKERS";
/// Environment variable that sets [`ClassifyOptions::concurrency_limit`].
pub const ENV_CONCURRENCY_LIMIT: &str = "LLM_CONCURRENCY_LIMIT";

/// Options of the classification engine. `Default` gives the documented defaults.
///
/// Precedence is explicit option, then environment, then default: start from
/// [`ClassifyOptions::from_env`] and assign the options the caller set explicitly.
///
/// Durations are serialised as integer milliseconds (`request_timeout_ms`, ...).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClassifyOptions {
    /// Items per chunk, the unit of one request, one checkpoint and one retry. Default: 50.
    ///
    /// On the ChileCompra sample, 50 items came to about 700 completion tokens per request
    /// without reasons and about 1,300 with short reasons, well under the 4k output limit of
    /// small models, and a failed request resends at most 50 items. Env: `LLM_DISTRIBUTED_CHUNK_SIZE`.
    pub chunk_size: usize,

    /// Chunks processed at once. A chunk holds its worker slot from its first request until
    /// its follow-up request is done, backoff sleeps included. Default: 8. Env:
    /// `LLM_MAX_WORKERS`.
    pub max_workers: usize,

    /// Requests in flight at once across all chunks of one engine. A request holds its slot
    /// only while the provider call runs, so a chunk sleeping before a retry does not block
    /// the others. Requests in flight never exceed `min(max_workers, concurrency_limit)`.
    /// Default: 4. Env: `LLM_CONCURRENCY_LIMIT`.
    pub concurrency_limit: usize,

    /// Time one provider call may take before it is abandoned and retried. Default: 30 s.
    #[serde(rename = "request_timeout_ms", with = "duration_ms")]
    pub request_timeout: Duration,

    /// Retries after the first attempt of a request, so a request is sent at most
    /// `max_retries + 1` times. Transport errors, timeouts, HTTP 429, HTTP 5xx and
    /// unparsable answers are retried; rejected requests (other HTTP 4xx, configuration
    /// errors) are not. Default: 3.
    pub max_retries: u32,

    /// Upper bound of the first backoff delay; the bound doubles with each retry and the delay
    /// is drawn uniformly below it (full jitter). Default: 1 s.
    #[serde(rename = "backoff_base_ms", with = "duration_ms")]
    pub backoff_base: Duration,

    /// Largest backoff bound. Default: 30 s.
    #[serde(rename = "backoff_max_ms", with = "duration_ms")]
    pub backoff_max: Duration,

    /// Largest wait honoured from a `Retry-After` header. Default: 60 s.
    #[serde(rename = "retry_after_max_ms", with = "duration_ms")]
    pub retry_after_max: Duration,

    /// Requests per minute across the engine; `None` means no limit. Default: `None`.
    pub requests_per_minute: Option<u32>,

    /// Tokens per minute across the engine, counted from an estimate before each request
    /// (text length / 4 unless [`super::Engine::with_token_estimator`] sets another) and
    /// corrected with the reported usage after it. `None` means no limit. Default: `None`.
    pub tokens_per_minute: Option<u32>,

    /// Model name; empty means the provider's default model. Default: empty.
    pub model: String,

    /// Sampling temperature. Default: 0.
    pub temperature: f32,

    /// Upper bound on completion tokens per request; `None` leaves it to the provider.
    /// Default: `None`.
    pub max_tokens: Option<u32>,

    /// Sends the answer JSON schema with each request for providers with structured output.
    /// Turn it off for OpenAI-compatible servers that reject `response_format`. Default: true.
    pub structured_output: bool,
}

impl Default for ClassifyOptions {
    fn default() -> Self {
        ClassifyOptions {
            chunk_size: 50,
            max_workers: 8,
            concurrency_limit: 4,
            request_timeout: Duration::from_secs(30),
            max_retries: 3,
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(30),
            retry_after_max: Duration::from_secs(60),
            requests_per_minute: None,
            tokens_per_minute: None,
            model: String::new(),
            temperature: 0.0,
            max_tokens: None,
            structured_output: true,
        }
    }
}

impl ClassifyOptions {
    /// Reads the defaults with `LLM_DISTRIBUTED_CHUNK_SIZE`, `LLM_MAX_WORKERS` and
    /// `LLM_CONCURRENCY_LIMIT` applied. Unset or empty variables keep the default.
    pub fn from_env() -> Result<Self, ClassifyConfigError> {
        ClassifyOptions::default().with_env_overrides()
    }

    /// Applies the engine's environment variables that are set over `self`.
    pub fn with_env_overrides(self) -> Result<Self, ClassifyConfigError> {
        self.with_overrides_from(|name| std::env::var(name).ok())
    }

    /// Applies the engine's variables found by `lookup` over `self`; [`Self::from_env`] with
    /// another source than the process environment.
    pub fn with_overrides_from(
        mut self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ClassifyConfigError> {
        if let Some(value) = read_positive(&lookup, ENV_CHUNK_SIZE)? {
            self.chunk_size = value;
        }
        if let Some(value) = read_positive(&lookup, ENV_MAX_WORKERS)? {
            self.max_workers = value;
        }
        if let Some(value) = read_positive(&lookup, ENV_CONCURRENCY_LIMIT)? {
            self.concurrency_limit = value;
        }
        Ok(self)
    }

    /// Checks that the options can run: positive sizes and limits, a non-zero timeout and a
    /// temperature in 0..=2.
    pub fn validate(&self) -> Result<(), ClassifyConfigError> {
        let positive = [
            ("chunk_size", self.chunk_size),
            ("max_workers", self.max_workers),
            ("concurrency_limit", self.concurrency_limit),
        ];
        for (option, value) in positive {
            if value == 0 {
                return Err(ClassifyConfigError::InvalidOption {
                    option,
                    value: value.to_string(),
                    expected: "a positive integer",
                });
            }
        }

        if self.request_timeout.is_zero() {
            return Err(ClassifyConfigError::InvalidOption {
                option: "request_timeout",
                value: "0 ms".to_owned(),
                expected: "a positive duration",
            });
        }

        let limits = [
            ("requests_per_minute", self.requests_per_minute),
            ("tokens_per_minute", self.tokens_per_minute),
        ];
        for (option, value) in limits {
            if value == Some(0) {
                return Err(ClassifyConfigError::InvalidOption {
                    option,
                    value: "0".to_owned(),
                    expected: "a positive integer or no limit",
                });
            }
        }

        if !(0.0..=2.0).contains(&self.temperature) {
            return Err(ClassifyConfigError::InvalidOption {
                option: "temperature",
                value: self.temperature.to_string(),
                expected: "a number in 0..=2",
            });
        }

        Ok(())
    }
}

fn read_positive(
    lookup: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
) -> Result<Option<usize>, ClassifyConfigError> {
    let Some(raw) = lookup(variable) else {
        return Ok(None);
    };
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }

    match trimmed.parse::<usize>() {
        Ok(value) if value > 0 => Ok(Some(value)),
        _ => Err(ClassifyConfigError::InvalidEnv {
            variable,
            value: raw,
            expected: "a positive integer",
        }),
    }
}

/// Serialises a [`Duration`] as integer milliseconds.
mod duration_ms {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(value: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(value.as_millis().try_into().unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        u64::deserialize(deserializer).map(Duration::from_millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn env_values_override_defaults() {
        let options = ClassifyOptions::default()
            .with_overrides_from(lookup(&[
                (ENV_CHUNK_SIZE, "20"),
                (ENV_MAX_WORKERS, " 6 "),
                (ENV_CONCURRENCY_LIMIT, "2"),
            ]))
            .unwrap();
        assert_eq!(options.chunk_size, 20);
        assert_eq!(options.max_workers, 6);
        assert_eq!(options.concurrency_limit, 2);
    }

    #[test]
    fn empty_env_value_keeps_default() {
        let options = ClassifyOptions::default()
            .with_overrides_from(lookup(&[(ENV_CHUNK_SIZE, "")]))
            .unwrap();
        assert_eq!(options.chunk_size, 50);
    }

    #[test]
    fn invalid_env_value_names_variable() {
        for bad in ["abc", "0", "-3", "2.5"] {
            let error = ClassifyOptions::default()
                .with_overrides_from(lookup(&[(ENV_MAX_WORKERS, bad)]))
                .unwrap_err();
            let message = error.to_string();
            assert!(message.contains("LLM_MAX_WORKERS"), "{message}");
            assert!(message.contains(&format!("{bad:?}")), "{message}");
        }
    }

    #[test]
    fn options_serde_uses_milliseconds() {
        let json = serde_json::to_value(ClassifyOptions::default()).unwrap();
        assert_eq!(json["request_timeout_ms"], 30_000);
        let parsed: ClassifyOptions =
            serde_json::from_str(r#"{"chunk_size": 10, "request_timeout_ms": 500}"#).unwrap();
        assert_eq!(parsed.chunk_size, 10);
        assert_eq!(parsed.request_timeout, Duration::from_millis(500));
        assert_eq!(parsed.max_retries, 3);
    }

    #[test]
    fn validate_rejects_zero_chunk_size() {
        let options = ClassifyOptions {
            chunk_size: 0,
            ..ClassifyOptions::default()
        };
        let message = options.validate().unwrap_err().to_string();
        assert!(message.contains("chunk_size"), "{message}");
    }
}
