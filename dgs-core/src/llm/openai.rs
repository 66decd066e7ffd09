//! The OpenAI chat completions provider, for api.openai.com and any compatible server
//! (Azure OpenAI, Ollama, vLLM, LiteLLM).

use super::http::{self, header_text};
use super::secret::SecretString;
use super::{CompletionRequest, CompletionResponse, LlmError, LlmProvider, TokenUsage};
use async_trait::async_trait;
use serde::Deserialize;
use std::fmt;
use std::time::Duration;

const PROVIDER: &str = "openai";

/// Default base URL, the value of `OPENAI_BASE_URL` when unset.
pub const OPENAI_DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

/// Default model.
pub const OPENAI_DEFAULT_MODEL: &str = "gpt-4o-mini";

/// Header that carries the API key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OpenAiAuth {
    /// `Authorization: Bearer <key>`, used by OpenAI and most compatible servers. The default.
    #[default]
    Bearer,
    /// `api-key: <key>`, used by Azure OpenAI.
    ApiKeyHeader,
}

/// Settings of [`OpenAiProvider`].
#[derive(Clone, Debug)]
pub struct OpenAiOptions {
    /// API key; `None` sends no credentials, for local servers such as Ollama. Default: the
    /// `OPENAI_API_KEY` variable with [`OpenAiOptions::from_env`], else `None`.
    pub api_key: Option<SecretString>,
    /// Base URL; requests go to `{base_url}/chat/completions`. Default:
    /// `OPENAI_BASE_URL`, else [`OPENAI_DEFAULT_BASE_URL`]. For Azure OpenAI use
    /// `https://<resource>.openai.azure.com/openai/deployments/<deployment>`.
    pub base_url: String,
    /// Model used when a request leaves `model` empty. Default [`OPENAI_DEFAULT_MODEL`].
    pub model: String,
    /// Sends `response_format: json_schema` when a request carries a schema. Default `true`;
    /// turn it off for servers that reject structured output.
    pub structured_output: bool,
    /// Header that carries the key. Default [`OpenAiAuth::Bearer`].
    pub auth: OpenAiAuth,
    /// `api-version` query parameter, required by Azure OpenAI. Default `None`.
    pub api_version: Option<String>,
    /// Time allowed to open the connection. Default 10 s.
    pub connect_timeout: Duration,
    /// Time allowed for a whole request. Default `None`, because the engine enforces its
    /// own per-request timeout.
    pub request_timeout: Option<Duration>,
}

impl Default for OpenAiOptions {
    fn default() -> Self {
        OpenAiOptions {
            api_key: None,
            base_url: OPENAI_DEFAULT_BASE_URL.to_owned(),
            model: OPENAI_DEFAULT_MODEL.to_owned(),
            structured_output: true,
            auth: OpenAiAuth::Bearer,
            api_version: None,
            connect_timeout: Duration::from_secs(10),
            request_timeout: None,
        }
    }
}

impl OpenAiOptions {
    /// Returns the defaults with `OPENAI_API_KEY` and `OPENAI_BASE_URL` applied.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`OpenAiOptions::from_env`], reading variables through `lookup`. Empty values
    /// count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let read = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let defaults = OpenAiOptions::default();
        OpenAiOptions {
            api_key: read("OPENAI_API_KEY").map(|key| SecretString::new(key.trim())),
            base_url: read("OPENAI_BASE_URL").unwrap_or(defaults.base_url.clone()),
            ..defaults
        }
    }
}

/// Calls `POST {base_url}/chat/completions`.
pub struct OpenAiProvider {
    client: reqwest::Client,
    url: String,
    options: OpenAiOptions,
}

impl fmt::Debug for OpenAiProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiProvider")
            .field("url", &self.url)
            .field("model", &self.options.model)
            .field("api_key", &self.options.api_key.as_ref().map(|_| "***"))
            .field("auth", &self.options.auth)
            .field("structured_output", &self.options.structured_output)
            .finish()
    }
}

impl OpenAiProvider {
    /// Creates the provider; fails with [`LlmError::Config`] on an invalid base URL.
    pub fn new(options: OpenAiOptions) -> Result<Self, LlmError> {
        let base_url = http::normalise_base_url(PROVIDER, &options.base_url)?;
        let mut url = format!("{base_url}/chat/completions");
        if let Some(version) = options
            .api_version
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            if !version
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '.' | '_'))
            {
                return Err(LlmError::Config {
                    provider: PROVIDER.to_owned(),
                    message: format!("invalid api-version `{version}`"),
                });
            }
            url = format!("{url}?api-version={version}");
        }
        let client =
            http::build_client(PROVIDER, options.connect_timeout, options.request_timeout)?;
        Ok(OpenAiProvider {
            client,
            url,
            options,
        })
    }

    fn timeout(&self) -> Duration {
        self.options
            .request_timeout
            .unwrap_or(self.options.connect_timeout)
    }

    fn request_body(&self, request: &CompletionRequest, model: &str) -> serde_json::Value {
        let mut body = serde_json::json!({
            "model": model,
            "messages": request.messages,
            "temperature": http::temperature_json(request.temperature),
        });
        // NOTE: `max_tokens` is what compatible servers accept; OpenAI's reasoning models
        // (o1, o3) require `max_completion_tokens` instead and reject this field.
        if let Some(max_tokens) = request.max_tokens {
            body["max_tokens"] = max_tokens.into();
        }
        if let (Some(schema), true) = (&request.json_schema, self.options.structured_output) {
            body["response_format"] = serde_json::json!({
                "type": "json_schema",
                "json_schema": {"name": "classification_results", "schema": schema, "strict": true}
            });
        }
        body
    }
}

#[derive(Deserialize)]
struct ChatResponse {
    id: Option<String>,
    model: Option<String>,
    #[serde(default)]
    choices: Vec<Choice>,
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    message: Option<ChoiceMessage>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct ChoiceMessage {
    content: Option<String>,
    refusal: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
}

#[async_trait]
impl LlmProvider for OpenAiProvider {
    fn name(&self) -> &str {
        PROVIDER
    }

    fn default_model(&self) -> &str {
        &self.options.model
    }

    async fn complete(&self, request: CompletionRequest) -> Result<CompletionResponse, LlmError> {
        let model = if request.model.is_empty() {
            self.options.model.clone()
        } else {
            request.model.clone()
        };
        let body = self.request_body(&request, &model);
        tracing::debug!(provider = PROVIDER, %model, messages = request.messages.len(), "sending chat completion");

        let mut builder = self.client.post(&self.url).json(&body);
        if let Some(key) = &self.options.api_key {
            builder = match self.options.auth {
                OpenAiAuth::Bearer => builder.bearer_auth(key.expose()),
                OpenAiAuth::ApiKeyHeader => builder.header("api-key", key.expose()),
            };
        }
        let response = builder
            .send()
            .await
            .map_err(|error| http::transport_error(PROVIDER, error, self.timeout()))?;

        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response
            .text()
            .await
            .map_err(|error| http::transport_error(PROVIDER, error, self.timeout()))?;
        if !(200..300).contains(&status) {
            let error = http::status_error(
                PROVIDER,
                status,
                &headers,
                &text,
                self.options.api_key.as_ref(),
                None,
            );
            tracing::warn!(provider = PROVIDER, %model, status, error = %error, "chat completion failed");
            return Err(error);
        }

        let invalid = |message: String| LlmError::InvalidResponse {
            provider: PROVIDER.to_owned(),
            message,
        };
        let parsed: ChatResponse = serde_json::from_str(&text).map_err(|error| {
            invalid(format!(
                "body is not a chat completion ({error}): {}",
                http::truncate(&text, 200)
            ))
        })?;
        let choice = parsed
            .choices
            .into_iter()
            .next()
            .ok_or_else(|| invalid("no choices in the response".into()))?;
        let message = choice
            .message
            .ok_or_else(|| invalid("the first choice has no message".into()))?;
        let content = match (message.content, message.refusal) {
            (Some(content), _) if !content.trim().is_empty() => content,
            (_, Some(refusal)) => {
                return Err(invalid(format!(
                    "the model refused: {}",
                    http::truncate(&refusal, 200)
                )))
            }
            _ => return Err(invalid("the first choice has no content".into())),
        };
        if choice.finish_reason.as_deref() == Some("length") {
            tracing::warn!(provider = PROVIDER, %model, "completion stopped at max_tokens; the answer may be cut");
        }

        let usage = parsed
            .usage
            .map(|usage| TokenUsage {
                prompt_tokens: usage.prompt_tokens,
                completion_tokens: usage.completion_tokens,
            })
            .unwrap_or_default();
        let request_id = header_text(&headers, "x-request-id").or(parsed.id);
        Ok(CompletionResponse {
            content,
            usage,
            model: parsed.model.unwrap_or(model),
            request_id,
        })
    }
}
