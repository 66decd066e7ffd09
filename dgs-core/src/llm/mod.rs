//! The provider interface the classification engine calls, and its implementations.
//!
//! A provider performs one completion call and nothing else: retries, timeouts, rate limits
//! and answer repair live in the engine, so a provider written by a host (a Python or
//! JavaScript object) only has to translate one request.

mod types;

pub use types::{CompletionRequest, CompletionResponse, LlmError, Message, Role, TokenUsage};

use async_trait::async_trait;

/// One LLM backend.
///
/// Implementations must be cheap to share across concurrent chunk tasks (`Send + Sync`), and
/// must return [`LlmError`] variants that say whether a retry can help.
#[async_trait]
pub trait LlmProvider: Send + Sync {
    /// Short provider name used in cache keys and logs: `openai`, `gemini`, `keywords`.
    fn name(&self) -> &str;

    /// Model used when a request leaves `model` empty.
    fn default_model(&self) -> &str;

    /// Sends one completion request.
    async fn complete(&self, request: CompletionRequest) -> Result<CompletionResponse, LlmError>;
}
