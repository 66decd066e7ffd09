//! The provider interface the classification engine calls, and its implementations.
//!
//! A provider performs one completion call and nothing else: retries, timeouts, rate limits
//! and answer repair live in the engine, so a provider written by a host (a Python or
//! JavaScript object) only has to translate one request.
//!
//! Providers: [`OpenAiProvider`] (chat completions, any compatible base URL),
//! [`GeminiProvider`] (`generateContent`) and [`KeywordProvider`] (offline, by category
//! keywords). [`provider_from_env`] picks one from options and environment variables.
//! [`pricing`](PriceTable), [`Tokenizer`] and [`estimate`] turn token usage into cost.
//!
//! API keys are held in [`SecretString`]: providers' `Debug` output, errors and logs never
//! contain them, and keys are sent in headers, never in URLs.

mod estimate;
mod gemini;
mod http;
mod keyword;
mod openai;
mod pricing;
mod secret;
mod select;
mod tokens;
mod types;

pub use estimate::{estimate, CostEstimate};
pub use gemini::{
    to_gemini_schema, GeminiOptions, GeminiProvider, GEMINI_DEFAULT_BASE_URL, GEMINI_DEFAULT_MODEL,
};
pub use keyword::{KeywordProvider, KEYWORD_MODEL};
pub use openai::{
    OpenAiAuth, OpenAiOptions, OpenAiProvider, OPENAI_DEFAULT_BASE_URL, OPENAI_DEFAULT_MODEL,
};
pub use pricing::{cost, ModelPrice, PriceTable, PricingError, PRICES_AS_OF};
pub use secret::SecretString;
pub use select::{
    provider_from_env, provider_from_lookup, ProviderKind, ProviderOptions, SelectedProvider,
    UnknownProvider, NO_API_KEY_NOTICE,
};
pub use tokens::{count_tokens, Tokenizer, APPROX_CHARS_PER_TOKEN};
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
