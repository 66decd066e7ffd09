//! Request, response and error types of [`super::LlmProvider`].

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Author of a chat message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

/// One chat message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

/// One completion call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompletionRequest {
    pub messages: Vec<Message>,
    /// Model name; empty means the provider's default model.
    pub model: String,
    pub temperature: f32,
    /// Upper bound on completion tokens; `None` leaves it to the provider.
    pub max_tokens: Option<u32>,
    /// JSON schema the answer must follow, for providers with structured output.
    pub json_schema: Option<serde_json::Value>,
}

/// Tokens a call consumed, as reported by the provider.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenUsage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

impl TokenUsage {
    /// Returns prompt plus completion tokens.
    pub fn total_tokens(&self) -> u64 {
        self.prompt_tokens + self.completion_tokens
    }
}

impl std::ops::AddAssign for TokenUsage {
    fn add_assign(&mut self, other: Self) {
        self.prompt_tokens += other.prompt_tokens;
        self.completion_tokens += other.completion_tokens;
    }
}

/// The answer to one completion call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompletionResponse {
    /// Text of the first choice.
    pub content: String,
    pub usage: TokenUsage,
    /// Model that answered, as the provider reports it.
    pub model: String,
    /// Provider request id (`x-request-id`, response `id`), for support tickets.
    pub request_id: Option<String>,
}

/// Why a completion call failed. [`LlmError::is_retryable`] tells the engine whether to try
/// again.
///
/// No variant carries an API key: providers must strip credentials from URLs and bodies
/// before building one.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    /// The connection failed or broke before a full response arrived.
    #[error("{provider}: request failed: {message}")]
    Transport { provider: String, message: String },

    /// No response within the per-request timeout.
    #[error("{provider}: request timed out after {timeout:?}")]
    Timeout { provider: String, timeout: Duration },

    /// HTTP 429. `retry_after` is the server's `Retry-After`, when it sent one.
    #[error("{provider}: rate limited (HTTP 429){}", retry_after.map(|d| format!(", retry after {d:?}")).unwrap_or_default())]
    RateLimited {
        provider: String,
        retry_after: Option<Duration>,
    },

    /// HTTP 5xx.
    #[error("{provider}: server error HTTP {status}: {body}")]
    Server {
        provider: String,
        status: u16,
        body: String,
    },

    /// HTTP 4xx other than 429: a bad key, an unknown model, a malformed request. Retrying
    /// does not help.
    #[error("{provider}: request rejected with HTTP {status}: {body}")]
    Rejected {
        provider: String,
        status: u16,
        body: String,
    },

    /// The provider answered, but not in the shape of a completion (no choices, no text).
    #[error("{provider}: invalid response: {message}")]
    InvalidResponse { provider: String, message: String },

    /// The provider cannot be used as configured (missing key, bad base URL).
    #[error("{provider}: {message}")]
    Config { provider: String, message: String },
}

impl LlmError {
    /// Returns true when the same request may succeed if sent again.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            LlmError::Transport { .. }
                | LlmError::Timeout { .. }
                | LlmError::RateLimited { .. }
                | LlmError::Server { .. }
                | LlmError::InvalidResponse { .. }
        )
    }
}
