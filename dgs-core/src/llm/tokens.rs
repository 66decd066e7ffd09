//! Token counting for cost estimates and for the usage the keyword provider reports.
//!
//! OpenAI models are counted with their tiktoken encoding (`o200k_base` for the gpt-4o,
//! gpt-4.1, gpt-5 and o-series families, `cl100k_base` for gpt-4 and gpt-3.5). The
//! encodings are built once per process on first use, because building one takes a
//! noticeable fraction of a second. Gemini and unknown models have no public tokenizer here
//! and are estimated at one token per four characters.

use super::Message;
use serde::{Deserialize, Serialize};
use tiktoken_rs::{cl100k_base_singleton, o200k_base_singleton};

/// Characters per token of the approximate count.
pub const APPROX_CHARS_PER_TOKEN: u64 = 4;

/// Tokens added per chat message for its framing, and once to prime the reply, in OpenAI's
/// chat format (the figures tiktoken-rs 0.12 uses in `num_tokens_from_messages`).
const TOKENS_PER_MESSAGE: u64 = 3;
const REPLY_PRIMING_TOKENS: u64 = 3;

/// Token counting method of a model family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tokenizer {
    /// tiktoken `o200k_base`: gpt-4o, gpt-4.1, gpt-5, o1, o3, o4 families.
    O200kBase,
    /// tiktoken `cl100k_base`: gpt-4 and gpt-3.5.
    Cl100kBase,
    /// An estimate of one token per [`APPROX_CHARS_PER_TOKEN`] characters, rounded up.
    ApproxChars,
}

impl Tokenizer {
    /// Picks the tokenizer for a model name. The keyword provider counts like gpt-4o so its
    /// usage can be compared with OpenAI's.
    pub fn for_model(model: &str) -> Tokenizer {
        let model = model.trim().to_ascii_lowercase();
        let model = model.strip_prefix("models/").unwrap_or(&model);
        const O200K: [&str; 9] = [
            "gpt-4o",
            "gpt-4.1",
            "gpt-4.5",
            "gpt-5",
            "chatgpt-4o",
            "o1",
            "o3",
            "o4",
            "keywords",
        ];

        if O200K.iter().any(|prefix| model.starts_with(prefix)) {
            Tokenizer::O200kBase
        } else if model.starts_with("gpt-4") || model.starts_with("gpt-3.5") {
            Tokenizer::Cl100kBase
        } else {
            Tokenizer::ApproxChars
        }
    }

    /// Returns true when counts are exact for the model family rather than estimated.
    pub fn is_exact(&self) -> bool {
        !matches!(self, Tokenizer::ApproxChars)
    }

    /// Counts the tokens of `text`.
    pub fn count(&self, text: &str) -> u64 {
        match self {
            Tokenizer::O200kBase => o200k_base_singleton().encode_ordinary(text).len() as u64,
            Tokenizer::Cl100kBase => cl100k_base_singleton().encode_ordinary(text).len() as u64,
            Tokenizer::ApproxChars => {
                (text.chars().count() as u64).div_ceil(APPROX_CHARS_PER_TOKEN)
            }
        }
    }

    /// Counts the prompt tokens of a chat request: each message's role and content plus the
    /// per-message framing and the reply priming of OpenAI's chat format.
    pub fn count_messages(&self, messages: &[Message]) -> u64 {
        let framing = messages.len() as u64 * (TOKENS_PER_MESSAGE + 1) + REPLY_PRIMING_TOKENS;
        framing
            + messages
                .iter()
                .map(|message| self.count(&message.content))
                .sum::<u64>()
    }
}

/// Counts the tokens of `text` with the tokenizer of `model`.
pub fn count_tokens(model: &str, text: &str) -> u64 {
    Tokenizer::for_model(model).count(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::Role;

    #[test]
    fn tokenizer_follows_model_family() {
        assert_eq!(Tokenizer::for_model("gpt-4o-mini"), Tokenizer::O200kBase);
        assert_eq!(
            Tokenizer::for_model("gpt-4.1-nano-2025-04-14"),
            Tokenizer::O200kBase
        );
        assert_eq!(Tokenizer::for_model("gpt-4-turbo"), Tokenizer::Cl100kBase);
        assert_eq!(
            Tokenizer::for_model("gemini-2.0-flash"),
            Tokenizer::ApproxChars
        );
        assert_eq!(Tokenizer::for_model("llama3.1:8b"), Tokenizer::ApproxChars);
        assert_eq!(Tokenizer::for_model("keywords"), Tokenizer::O200kBase);
    }

    #[test]
    fn o200k_counts_known_text() {
        assert_eq!(Tokenizer::O200kBase.count(""), 0);
        assert_eq!(Tokenizer::O200kBase.count("hello world"), 2);
        let spanish = Tokenizer::O200kBase.count("pago factura arriendo oficina marzo");
        assert!((4..=10).contains(&spanish), "{spanish}");
    }

    #[test]
    fn approx_rounds_up_per_four_chars() {
        assert_eq!(Tokenizer::ApproxChars.count("abcd"), 1);
        assert_eq!(Tokenizer::ApproxChars.count("abcde"), 2);
        assert_eq!(Tokenizer::ApproxChars.count("ñandú"), 2);
    }

    #[test]
    fn messages_add_framing() {
        let messages = vec![
            Message {
                role: Role::System,
                content: "abcd".into(),
            },
            Message {
                role: Role::User,
                content: "abcdefgh".into(),
            },
        ];
        assert_eq!(
            Tokenizer::ApproxChars.count_messages(&messages),
            1 + 2 + 2 * 4 + 3
        );
    }
}
