//! The Google Gemini provider: `generateContent` over HTTP with the key in a header.

use super::http::{self, header_text};
use super::secret::SecretString;
use super::{CompletionRequest, CompletionResponse, LlmError, LlmProvider, Role, TokenUsage};
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{json, Value};
use std::fmt;
use std::time::Duration;

const PROVIDER: &str = "gemini";

/// Default base URL of the Gemini API.
pub const GEMINI_DEFAULT_BASE_URL: &str = "https://generativelanguage.googleapis.com/v1beta";

/// Default model.
pub const GEMINI_DEFAULT_MODEL: &str = "gemini-2.0-flash";

/// Settings of [`GeminiProvider`].
#[derive(Clone, Debug)]
pub struct GeminiOptions {
    /// API key, sent in the `x-goog-api-key` header and never in the URL. Required. Default:
    /// the `GEMINI_API_KEY` variable with [`GeminiOptions::from_env`], else `None`.
    pub api_key: Option<SecretString>,
    /// Base URL; requests go to `{base_url}/models/{model}:generateContent`. Default:
    /// `GEMINI_BASE_URL`, else [`GEMINI_DEFAULT_BASE_URL`].
    pub base_url: String,
    /// Model used when a request leaves `model` empty. Default [`GEMINI_DEFAULT_MODEL`].
    pub model: String,
    /// Sends `responseMimeType: application/json` and `responseSchema` when a request carries
    /// a schema. Default `true`.
    pub structured_output: bool,
    /// Time allowed to open the connection. Default 10 s.
    pub connect_timeout: Duration,
    /// Time allowed for a whole request. Default `None`, because the engine enforces its
    /// own per-request timeout.
    pub request_timeout: Option<Duration>,
}

impl Default for GeminiOptions {
    fn default() -> Self {
        GeminiOptions {
            api_key: None,
            base_url: GEMINI_DEFAULT_BASE_URL.to_owned(),
            model: GEMINI_DEFAULT_MODEL.to_owned(),
            structured_output: true,
            connect_timeout: Duration::from_secs(10),
            request_timeout: None,
        }
    }
}

impl GeminiOptions {
    /// Returns the defaults with `GEMINI_API_KEY` and `GEMINI_BASE_URL` applied.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`GeminiOptions::from_env`], reading variables through `lookup`. Empty values
    /// count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let read = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let defaults = GeminiOptions::default();
        GeminiOptions {
            api_key: read("GEMINI_API_KEY").map(|key| SecretString::new(key.trim())),
            base_url: read("GEMINI_BASE_URL").unwrap_or(defaults.base_url.clone()),
            ..defaults
        }
    }
}

/// Calls `POST {base_url}/models/{model}:generateContent`.
pub struct GeminiProvider {
    client: reqwest::Client,
    base_url: String,
    api_key: SecretString,
    options: GeminiOptions,
}

impl fmt::Debug for GeminiProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeminiProvider")
            .field("base_url", &self.base_url)
            .field("model", &self.options.model)
            .field("api_key", &"***")
            .field("structured_output", &self.options.structured_output)
            .finish()
    }
}

impl GeminiProvider {
    /// Creates the provider; fails with [`LlmError::Config`] without a key or with an invalid
    /// base URL.
    pub fn new(options: GeminiOptions) -> Result<Self, LlmError> {
        let api_key = options
            .api_key
            .clone()
            .filter(|key| !key.is_blank())
            .ok_or_else(|| LlmError::Config {
                provider: PROVIDER.to_owned(),
                message: "no API key: set GEMINI_API_KEY or pass one in the options".to_owned(),
            })?;
        let base_url = http::normalise_base_url(PROVIDER, &options.base_url)?;
        let client =
            http::build_client(PROVIDER, options.connect_timeout, options.request_timeout)?;
        Ok(GeminiProvider {
            client,
            base_url,
            api_key,
            options,
        })
    }

    fn timeout(&self) -> Duration {
        self.options
            .request_timeout
            .unwrap_or(self.options.connect_timeout)
    }

    fn request_body(&self, request: &CompletionRequest) -> Value {
        let system: Vec<&str> = request
            .messages
            .iter()
            .filter(|message| message.role == Role::System)
            .map(|message| message.content.as_str())
            .collect();
        let contents: Vec<Value> = request
            .messages
            .iter()
            .filter(|message| message.role != Role::System)
            .map(|message| {
                let role = if message.role == Role::Assistant {
                    "model"
                } else {
                    "user"
                };
                json!({"role": role, "parts": [{"text": message.content}]})
            })
            .collect();

        let mut generation_config =
            json!({"temperature": http::temperature_json(request.temperature)});
        if let Some(max_tokens) = request.max_tokens {
            generation_config["maxOutputTokens"] = max_tokens.into();
        }
        if let (Some(schema), true) = (&request.json_schema, self.options.structured_output) {
            generation_config["responseMimeType"] = "application/json".into();
            generation_config["responseSchema"] = to_gemini_schema(schema);
        }

        let mut body = json!({"contents": contents, "generationConfig": generation_config});
        if !system.is_empty() {
            body["systemInstruction"] = json!({"parts": [{"text": system.join("\n\n")}]});
        }
        body
    }
}

/// Converts a JSON schema to the OpenAPI subset Gemini accepts: drops
/// `additionalProperties`, `$schema`, `title` and `strict`, and writes types in upper case.
pub fn to_gemini_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (key, value) in map {
                match key.as_str() {
                    "additionalProperties" | "$schema" | "title" | "strict" => {}
                    "type" => {
                        let converted = match value {
                            Value::String(name) => Value::String(name.to_uppercase()),
                            other => other.clone(),
                        };
                        out.insert(key.clone(), converted);
                    }
                    "properties" => {
                        let properties = value
                            .as_object()
                            .map(|props| {
                                props
                                    .iter()
                                    .map(|(name, prop)| (name.clone(), to_gemini_schema(prop)))
                                    .collect()
                            })
                            .unwrap_or_default();
                        out.insert(key.clone(), Value::Object(properties));
                    }
                    _ => {
                        out.insert(key.clone(), to_gemini_schema(value));
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(to_gemini_schema).collect()),
        other => other.clone(),
    }
}

/// Reads the `google.rpc.RetryInfo` delay (`"retryDelay": "23s"`) from a Gemini error body.
fn retry_delay_from_body(body: &str) -> Option<Duration> {
    let value: Value = serde_json::from_str(body).ok()?;
    let details = value.get("error")?.get("details")?.as_array()?;
    details.iter().find_map(|detail| {
        let delay = detail.get("retryDelay")?.as_str()?.strip_suffix('s')?;
        let seconds: f64 = delay.parse().ok()?;
        (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds))
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GenerateResponse {
    #[serde(default)]
    candidates: Vec<Candidate>,
    usage_metadata: Option<UsageMetadata>,
    model_version: Option<String>,
    response_id: Option<String>,
    prompt_feedback: Option<PromptFeedback>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Candidate {
    content: Option<Content>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Content {
    #[serde(default)]
    parts: Vec<Part>,
}

#[derive(Deserialize)]
struct Part {
    text: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UsageMetadata {
    #[serde(default)]
    prompt_token_count: u64,
    #[serde(default)]
    candidates_token_count: u64,
    #[serde(default)]
    thoughts_token_count: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PromptFeedback {
    block_reason: Option<String>,
}

#[async_trait]
impl LlmProvider for GeminiProvider {
    fn name(&self) -> &str {
        PROVIDER
    }

    fn default_model(&self) -> &str {
        &self.options.model
    }

    async fn complete(&self, request: CompletionRequest) -> Result<CompletionResponse, LlmError> {
        let requested = if request.model.is_empty() {
            self.options.model.as_str()
        } else {
            request.model.as_str()
        };
        let model = requested
            .strip_prefix("models/")
            .unwrap_or(requested)
            .to_owned();
        if model.is_empty()
            || !model
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '.' | '_'))
        {
            return Err(LlmError::Config {
                provider: PROVIDER.to_owned(),
                message: format!("invalid model name `{model}`"),
            });
        }

        let url = format!("{}/models/{model}:generateContent", self.base_url);
        let body = self.request_body(&request);
        tracing::debug!(provider = PROVIDER, %model, messages = request.messages.len(), "sending generateContent");

        let response = self
            .client
            .post(&url)
            .header("x-goog-api-key", self.api_key.expose())
            .json(&body)
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
            let body_delay = retry_delay_from_body(&text);
            let error = http::status_error(
                PROVIDER,
                status,
                &headers,
                &text,
                Some(&self.api_key),
                body_delay,
            );
            tracing::warn!(provider = PROVIDER, %model, status, error = %error, "generateContent failed");
            return Err(error);
        }

        let invalid = |message: String| LlmError::InvalidResponse {
            provider: PROVIDER.to_owned(),
            message,
        };
        let parsed: GenerateResponse = serde_json::from_str(&text).map_err(|error| {
            invalid(format!(
                "body is not a generateContent response ({error}): {}",
                http::truncate(&text, 200)
            ))
        })?;
        if let Some(reason) = parsed
            .prompt_feedback
            .and_then(|feedback| feedback.block_reason)
        {
            return Err(LlmError::Rejected {
                provider: PROVIDER.to_owned(),
                status,
                body: format!("the prompt was blocked: {reason}"),
            });
        }

        let candidate = parsed
            .candidates
            .into_iter()
            .next()
            .ok_or_else(|| invalid("no candidates in the response".into()))?;
        let content: String = candidate
            .content
            .map(|content| {
                content
                    .parts
                    .into_iter()
                    .filter_map(|part| part.text)
                    .collect()
            })
            .unwrap_or_default();
        if content.trim().is_empty() {
            let reason = candidate
                .finish_reason
                .unwrap_or_else(|| "unknown".to_owned());
            return Err(invalid(format!(
                "the first candidate has no text (finish reason {reason})"
            )));
        }
        if candidate.finish_reason.as_deref() == Some("MAX_TOKENS") {
            tracing::warn!(provider = PROVIDER, %model, "generation stopped at maxOutputTokens; the answer may be cut");
        }

        let usage = parsed
            .usage_metadata
            .map(|usage| TokenUsage {
                prompt_tokens: usage.prompt_token_count,
                completion_tokens: usage.candidates_token_count + usage.thoughts_token_count,
            })
            .unwrap_or_default();
        let request_id = parsed
            .response_id
            .or_else(|| header_text(&headers, "x-request-id"));
        Ok(CompletionResponse {
            content,
            usage,
            model: parsed.model_version.unwrap_or(model),
            request_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_conversion_drops_additional_properties() {
        let converted = to_gemini_schema(&crate::wire::answer_schema(true));
        let text = converted.to_string();
        assert!(!text.contains("additionalProperties"), "{text}");
        assert_eq!(converted["type"], "OBJECT");
        assert_eq!(converted["properties"]["results"]["type"], "ARRAY");
        assert_eq!(
            converted["properties"]["results"]["items"]["properties"]["score"]["type"],
            "NUMBER"
        );
        assert_eq!(
            converted["properties"]["results"]["items"]["required"][3],
            "reason"
        );
    }

    #[test]
    fn retry_delay_read_from_error_details() {
        let body = r#"{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[
            {"@type":"type.googleapis.com/google.rpc.QuotaFailure"},
            {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"23s"}]}}"#;
        assert_eq!(retry_delay_from_body(body), Some(Duration::from_secs(23)));
        assert_eq!(retry_delay_from_body("not json"), None);
    }
}
