//! Dry-run cost estimates: the tokens and dollars a job would use, computed before any call.

use super::pricing::PriceTable;
use super::tokens::Tokenizer;
use super::{Message, Role, TokenUsage};
use crate::prompt::CompiledPrompt;
use crate::wire::{self, WireAnswer, WireAnswers, WireItem};
use serde::{Deserialize, Serialize};

/// Reason text assumed for each answer when the prompt asks for reasons: about nine Spanish
/// words, the length the compiled prompt asks for ("15 palabras como máximo") in practice.
const TYPICAL_REASON: &str = "pago mensual de arriendo de oficina según la glosa";

/// Score assumed in each answer: two decimals, as models usually write it.
const TYPICAL_SCORE: f64 = 0.87;

/// Tokens and cost of a job, estimated without calling a provider.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostEstimate {
    pub model: String,
    pub tokenizer: Tokenizer,
    pub items: u64,
    pub chunk_size: usize,
    pub chunks: u64,
    /// Tokens of the system message, sent once per chunk.
    pub system_tokens: u64,
    /// Prompt tokens of all chunks: system message, item lines and chat framing.
    pub prompt_tokens: u64,
    /// Expected completion tokens of all chunks.
    pub completion_tokens: u64,
    /// US dollars, or `None` when the price table has no price for the model.
    pub cost_usd: Option<f64>,
}

impl CostEstimate {
    /// Returns the estimate as token usage.
    pub fn usage(&self) -> TokenUsage {
        TokenUsage {
            prompt_tokens: self.prompt_tokens,
            completion_tokens: self.completion_tokens,
        }
    }
}

/// Estimates the tokens and cost of classifying `items` with `prompt` on `model`.
///
/// The items are split into chunks of `chunk_size` (0 counts as 1) and each chunk is counted
/// as the engine sends it: the system message plus the item lines ([`wire::format_items`],
/// ids renumbered from 1 per chunk). The expected answer of a chunk is compact JSON with one
/// result per item, each naming the highest category number with a score of two decimals
/// and, when the prompt asks for reasons, a reason of about nine words; those answers are
/// counted with the same tokenizer. Retries and follow-up requests for missing items are
/// not included, so a real run costs at least this much.
pub fn estimate(
    prompt: &CompiledPrompt,
    field_names: &[String],
    items: &[WireItem],
    chunk_size: usize,
    model: &str,
    prices: &PriceTable,
) -> CostEstimate {
    let chunk_size = chunk_size.max(1);
    let tokenizer = Tokenizer::for_model(model);
    let system_tokens = tokenizer.count(&prompt.system);
    let widest_category = prompt
        .categories
        .iter()
        .map(|category| category.id)
        .max()
        .unwrap_or(0);
    let mut usage = TokenUsage::default();
    let mut chunks = 0u64;

    for chunk in items.chunks(chunk_size) {
        let numbered: Vec<WireItem> = chunk
            .iter()
            .zip(1u32..)
            .map(|(item, id)| WireItem {
                id,
                values: item.values.clone(),
            })
            .collect();
        let messages = [
            Message {
                role: Role::System,
                content: prompt.system.clone(),
            },
            Message {
                role: Role::User,
                content: wire::format_items(field_names, &numbered),
            },
        ];
        usage.prompt_tokens += tokenizer.count_messages(&messages);

        let answers = WireAnswers {
            results: numbered
                .iter()
                .map(|item| WireAnswer {
                    id: item.id,
                    category: widest_category,
                    score: TYPICAL_SCORE,
                    reason: prompt.with_reason.then(|| TYPICAL_REASON.to_owned()),
                })
                .collect(),
        };
        let answer_json = serde_json::to_string(&answers).expect("wire answers serialise to JSON");
        usage.completion_tokens += tokenizer.count(&answer_json);
        chunks += 1;
    }

    CostEstimate {
        model: model.to_owned(),
        tokenizer,
        items: items.len() as u64,
        chunk_size,
        chunks,
        system_tokens,
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: usage.completion_tokens,
        cost_usd: prices.cost(model, usage),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompt::{builtin_default_prompt, CompileOptions};

    fn items(count: u32) -> Vec<WireItem> {
        (0..count)
            .map(|n| WireItem {
                id: 1000 + n,
                values: vec![format!("pago factura proveedor {n}")],
            })
            .collect()
    }

    fn fields() -> Vec<String> {
        vec!["cleanGlosa".to_owned()]
    }

    #[test]
    fn estimate_counts_system_once_per_chunk() {
        let prompt = builtin_default_prompt()
            .compile(&CompileOptions::default())
            .unwrap();
        let prices = PriceTable::builtin();
        let one_chunk = estimate(&prompt, &fields(), &items(10), 10, "gpt-4o-mini", &prices);
        let five_chunks = estimate(&prompt, &fields(), &items(10), 2, "gpt-4o-mini", &prices);

        assert_eq!(one_chunk.chunks, 1);
        assert_eq!(five_chunks.chunks, 5);
        assert_eq!(one_chunk.tokenizer, Tokenizer::O200kBase);
        assert_eq!(
            one_chunk.system_tokens,
            Tokenizer::O200kBase.count(&prompt.system)
        );
        assert!(one_chunk.prompt_tokens > one_chunk.system_tokens);
        assert!(five_chunks.prompt_tokens >= one_chunk.prompt_tokens + 4 * one_chunk.system_tokens);

        let expected_cost = (one_chunk.prompt_tokens as f64 * 0.15
            + one_chunk.completion_tokens as f64 * 0.60)
            / 1e6;
        assert!((one_chunk.cost_usd.unwrap() - expected_cost).abs() < 1e-12);
    }

    #[test]
    fn estimate_reasons_cost_completion_tokens() {
        let with_reason = builtin_default_prompt()
            .compile(&CompileOptions::default())
            .unwrap();
        let options = CompileOptions {
            with_reason: false,
            ..CompileOptions::default()
        };
        let without_reason = builtin_default_prompt().compile(&options).unwrap();
        let prices = PriceTable::builtin();

        let long = estimate(
            &with_reason,
            &fields(),
            &items(20),
            20,
            "gpt-4o-mini",
            &prices,
        );
        let short = estimate(
            &without_reason,
            &fields(),
            &items(20),
            20,
            "gpt-4o-mini",
            &prices,
        );
        assert!(
            long.completion_tokens > short.completion_tokens + 20 * 5,
            "{long:?} {short:?}"
        );
        assert!(short.completion_tokens >= 20 * 10, "{short:?}");
    }

    #[test]
    fn estimate_handles_unknown_model_and_zero_chunk() {
        let prompt = builtin_default_prompt()
            .compile(&CompileOptions::default())
            .unwrap();
        let result = estimate(
            &prompt,
            &fields(),
            &items(3),
            0,
            "llama3.1",
            &PriceTable::builtin(),
        );
        assert_eq!(result.chunk_size, 1);
        assert_eq!(result.chunks, 3);
        assert_eq!(result.tokenizer, Tokenizer::ApproxChars);
        assert_eq!(result.cost_usd, None);

        let empty = estimate(
            &prompt,
            &fields(),
            &[],
            10,
            "gpt-4o-mini",
            &PriceTable::builtin(),
        );
        assert_eq!(
            (empty.chunks, empty.prompt_tokens, empty.completion_tokens),
            (0, 0, 0)
        );
        assert_eq!(empty.cost_usd, Some(0.0));
    }
}
