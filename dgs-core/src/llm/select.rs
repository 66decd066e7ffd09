//! Choosing a provider from options and environment variables.

use super::gemini::{GeminiOptions, GeminiProvider};
use super::keyword::KeywordProvider;
use super::openai::{OpenAiOptions, OpenAiProvider};
use super::secret::SecretString;
use super::{LlmError, LlmProvider};
use crate::prompt::CompiledPrompt;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Notice for stderr when no key is configured and the keyword provider is used.
pub const NO_API_KEY_NOTICE: &str =
    "No API key configured (OPENAI_API_KEY, GEMINI_API_KEY): using the offline keyword provider";

/// The providers dgs ships.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// OpenAI chat completions or a compatible server.
    #[serde(rename = "openai")]
    OpenAi,
    /// Google Gemini `generateContent`.
    Gemini,
    /// The offline keyword provider.
    Keywords,
}

impl ProviderKind {
    /// Returns the name used in options and logs: `openai`, `gemini` or `keywords`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "openai",
            ProviderKind::Gemini => "gemini",
            ProviderKind::Keywords => "keywords",
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A provider name that is not `openai`, `gemini` or `keywords`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown provider `{0}`; expected openai, gemini or keywords")]
pub struct UnknownProvider(pub String);

impl FromStr for ProviderKind {
    type Err = UnknownProvider;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "openai" => Ok(ProviderKind::OpenAi),
            "gemini" => Ok(ProviderKind::Gemini),
            "keywords" | "keyword" | "offline" => Ok(ProviderKind::Keywords),
            _ => Err(UnknownProvider(text.to_owned())),
        }
    }
}

/// Explicit provider settings; each one that is set overrides the environment.
#[derive(Clone, Debug, Default)]
pub struct ProviderOptions {
    /// Default model of the provider. Default: the provider's own default.
    pub model: Option<String>,
    /// API key. Default: `OPENAI_API_KEY` or `GEMINI_API_KEY`.
    pub api_key: Option<SecretString>,
    /// Base URL. Default: `OPENAI_BASE_URL` or `GEMINI_BASE_URL`, else the public API.
    pub base_url: Option<String>,
    /// Disables structured output when `Some(false)`. Default: on.
    pub structured_output: Option<bool>,
    /// Connect timeout. Default 10 s.
    pub connect_timeout: Option<Duration>,
}

/// The provider picked by [`provider_from_env`].
#[derive(Clone)]
pub struct SelectedProvider {
    pub provider: Arc<dyn LlmProvider>,
    pub kind: ProviderKind,
    /// Text the program should print on stderr, set when the keyword provider was picked
    /// because no key is configured.
    pub notice: Option<String>,
}

impl fmt::Debug for SelectedProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SelectedProvider")
            .field("kind", &self.kind)
            .field("model", &self.provider.default_model())
            .field("notice", &self.notice)
            .finish()
    }
}

/// Builds the provider for `kind`, reading keys from the process environment.
///
/// Without `kind`: OpenAI when `OPENAI_API_KEY` or `options.api_key` is set, or when
/// `options.base_url` is (an OpenAI-compatible local server). Else Gemini when
/// `GEMINI_API_KEY` is set, else the keyword provider with [`NO_API_KEY_NOTICE`]. An explicit
/// `openai` needs a key unless a base URL is given, because local servers need none. An
/// explicit `gemini` always needs one.
pub fn provider_from_env(
    kind: Option<ProviderKind>,
    options: &ProviderOptions,
    prompt: &CompiledPrompt,
) -> Result<SelectedProvider, LlmError> {
    provider_from_lookup(kind, options, prompt, |name| std::env::var(name).ok())
}

/// Like [`provider_from_env`], reading variables through `lookup`.
pub fn provider_from_lookup(
    kind: Option<ProviderKind>,
    options: &ProviderOptions,
    prompt: &CompiledPrompt,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<SelectedProvider, LlmError> {
    let openai_env = OpenAiOptions::from_lookup(&lookup);
    let gemini_env = GeminiOptions::from_lookup(&lookup);
    let explicit_key = options.api_key.clone().filter(|key| !key.is_blank());

    let (kind, notice) = match kind {
        Some(kind) => (kind, None),
        None if explicit_key.is_some() || openai_env.api_key.is_some() => {
            (ProviderKind::OpenAi, None)
        }
        None if options.base_url.is_some() => (ProviderKind::OpenAi, None),
        None if gemini_env.api_key.is_some() => (ProviderKind::Gemini, None),
        None => (ProviderKind::Keywords, Some(NO_API_KEY_NOTICE.to_owned())),
    };

    let provider: Arc<dyn LlmProvider> = match kind {
        ProviderKind::OpenAi => {
            let mut openai = openai_env;
            apply_common(
                options,
                explicit_key,
                &mut openai.api_key,
                &mut openai.base_url,
                &mut openai.model,
            );
            if let Some(structured_output) = options.structured_output {
                openai.structured_output = structured_output;
            }
            if let Some(timeout) = options.connect_timeout {
                openai.connect_timeout = timeout;
            }
            if openai.api_key.is_none()
                && options.base_url.is_none()
                && lookup("OPENAI_BASE_URL").is_none()
            {
                return Err(LlmError::Config {
                    provider: "openai".to_owned(),
                    message:
                        "no API key: set OPENAI_API_KEY, or OPENAI_BASE_URL for a local server"
                            .to_owned(),
                });
            }
            Arc::new(OpenAiProvider::new(openai)?)
        }
        ProviderKind::Gemini => {
            let mut gemini = gemini_env;
            apply_common(
                options,
                explicit_key,
                &mut gemini.api_key,
                &mut gemini.base_url,
                &mut gemini.model,
            );
            if let Some(structured_output) = options.structured_output {
                gemini.structured_output = structured_output;
            }
            if let Some(timeout) = options.connect_timeout {
                gemini.connect_timeout = timeout;
            }
            Arc::new(GeminiProvider::new(gemini)?)
        }
        ProviderKind::Keywords => Arc::new(KeywordProvider::from_compiled(prompt)),
    };

    tracing::info!(provider = %kind, model = provider.default_model(), "LLM provider selected");
    Ok(SelectedProvider {
        provider,
        kind,
        notice,
    })
}

fn apply_common(
    options: &ProviderOptions,
    explicit_key: Option<SecretString>,
    api_key: &mut Option<SecretString>,
    base_url: &mut String,
    model: &mut String,
) {
    if explicit_key.is_some() {
        *api_key = explicit_key;
    }
    if let Some(url) = &options.base_url {
        *base_url = url.clone();
    }
    if let Some(name) = options
        .model
        .as_ref()
        .filter(|name| !name.trim().is_empty())
    {
        *model = name.trim().to_owned();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompt::{builtin_default_prompt, CompileOptions};
    use std::collections::HashMap;

    fn compiled() -> CompiledPrompt {
        builtin_default_prompt()
            .compile(&CompileOptions::default())
            .unwrap()
    }

    fn select(
        kind: Option<ProviderKind>,
        options: &ProviderOptions,
        vars: &[(&str, &str)],
    ) -> Result<SelectedProvider, LlmError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        provider_from_lookup(kind, options, &compiled(), |name| vars.get(name).cloned())
    }

    #[test]
    fn no_key_selects_keywords_with_notice() {
        let selected = select(
            None,
            &ProviderOptions::default(),
            &[("OPENAI_API_KEY", "  ")],
        )
        .unwrap();
        assert_eq!(selected.kind, ProviderKind::Keywords);
        assert_eq!(selected.provider.name(), "keywords");
        assert_eq!(selected.notice.as_deref(), Some(NO_API_KEY_NOTICE));
    }

    #[test]
    fn openai_key_wins_over_gemini() {
        let vars = [("OPENAI_API_KEY", "sk-a"), ("GEMINI_API_KEY", "g-b")];
        let selected = select(None, &ProviderOptions::default(), &vars).unwrap();
        assert_eq!(selected.kind, ProviderKind::OpenAi);
        assert_eq!(selected.provider.default_model(), "gpt-4o-mini");
        assert_eq!(selected.notice, None);
    }

    #[test]
    fn gemini_key_alone_selects_gemini() {
        let options = ProviderOptions {
            model: Some("gemini-2.5-flash".into()),
            ..ProviderOptions::default()
        };
        let selected = select(None, &options, &[("GEMINI_API_KEY", "g-b")]).unwrap();
        assert_eq!(selected.kind, ProviderKind::Gemini);
        assert_eq!(selected.provider.default_model(), "gemini-2.5-flash");
    }

    #[test]
    fn explicit_provider_needs_key() {
        let error =
            select(Some(ProviderKind::Gemini), &ProviderOptions::default(), &[]).unwrap_err();
        assert!(matches!(error, LlmError::Config { .. }), "{error:?}");
        let error =
            select(Some(ProviderKind::OpenAi), &ProviderOptions::default(), &[]).unwrap_err();
        assert!(error.to_string().contains("OPENAI_API_KEY"), "{error}");

        let local = ProviderOptions {
            base_url: Some("http://127.0.0.1:11434/v1".into()),
            ..ProviderOptions::default()
        };
        assert_eq!(
            select(Some(ProviderKind::OpenAi), &local, &[])
                .unwrap()
                .kind,
            ProviderKind::OpenAi
        );
    }

    #[test]
    fn base_url_option_selects_openai() {
        let local = ProviderOptions {
            base_url: Some("http://127.0.0.1:11434/v1".into()),
            model: Some("llama3.1".into()),
            ..ProviderOptions::default()
        };
        let selected = select(None, &local, &[("GEMINI_API_KEY", "g-b")]).unwrap();
        assert_eq!(selected.kind, ProviderKind::OpenAi);
        assert_eq!(selected.provider.default_model(), "llama3.1");
        assert_eq!(selected.notice, None);
    }

    #[test]
    fn provider_names_parse() {
        assert_eq!("OpenAI".parse::<ProviderKind>(), Ok(ProviderKind::OpenAi));
        assert_eq!(
            "offline".parse::<ProviderKind>(),
            Ok(ProviderKind::Keywords)
        );
        assert_eq!(
            "claude".parse::<ProviderKind>(),
            Err(UnknownProvider("claude".into()))
        );
        assert_eq!(
            serde_json::to_string(&ProviderKind::OpenAi).unwrap(),
            "\"openai\""
        );
    }

    #[test]
    fn selected_debug_hides_key() {
        let vars = [("OPENAI_API_KEY", "sk-very-secret-key-123")];
        let selected = select(None, &ProviderOptions::default(), &vars).unwrap();
        let debug = format!("{selected:?}");
        assert!(!debug.contains("sk-very-secret-key-123"), "{debug}");
    }
}
