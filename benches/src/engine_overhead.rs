//! Engine overhead: a provider with a fixed latency and perfect answers, so the wall time of
//! a run minus `ceil(chunks / concurrency) * latency` is what the engine itself costs.

use async_trait::async_trait;
use dgs_core::classify::{ClassifyOptions, Engine, EnginePrompt, Item, RunSummary};
use dgs_core::llm::{
    CompletionRequest, CompletionResponse, LlmError, LlmProvider, Role, TokenUsage,
};
use dgs_core::wire;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// A provider that sleeps `latency`, then answers every item of the request with category 1.
pub struct FixedLatencyProvider {
    pub latency: Duration,
}

#[async_trait]
impl LlmProvider for FixedLatencyProvider {
    fn name(&self) -> &str {
        "fixed-latency"
    }

    fn default_model(&self) -> &str {
        "fixed-latency"
    }

    async fn complete(&self, request: CompletionRequest) -> Result<CompletionResponse, LlmError> {
        tokio::time::sleep(self.latency).await;

        let user = request
            .messages
            .iter()
            .find(|message| message.role == Role::User)
            .map(|message| message.content.as_str())
            .unwrap_or_default();
        let (_, items) = wire::parse_items(user);
        let results: Vec<wire::WireAnswer> = items
            .iter()
            .map(|item| wire::WireAnswer {
                id: item.id,
                category: 1,
                score: 0.9,
                reason: None,
            })
            .collect();
        let content = serde_json::to_string(&wire::WireAnswers { results }).map_err(|error| {
            LlmError::InvalidResponse {
                provider: "fixed-latency".into(),
                message: error.to_string(),
            }
        })?;

        Ok(CompletionResponse {
            content,
            usage: TokenUsage::default(),
            model: "fixed-latency".into(),
            request_id: None,
        })
    }
}

/// One benchmark setting.
#[derive(Clone, Copy, Debug)]
pub struct Scenario {
    pub chunks: usize,
    pub chunk_size: usize,
    pub concurrency: usize,
    pub latency: Duration,
}

impl Scenario {
    /// Returns `ceil(chunks / concurrency) * latency`, the wall time of a run without
    /// overhead.
    pub fn ideal(&self) -> Duration {
        self.latency * self.chunks.div_ceil(self.concurrency) as u32
    }

    /// Builds an engine whose concurrency limit and worker count are both `concurrency`.
    pub fn engine(&self) -> Engine {
        let provider = Arc::new(FixedLatencyProvider {
            latency: self.latency,
        });
        let prompt = EnginePrompt::new(
            "Classify each ledger line.",
            "bench",
            vec![(1, "Gastos".to_owned()), (2, "Ventas".to_owned())],
        );
        let options = ClassifyOptions {
            chunk_size: self.chunk_size,
            concurrency_limit: self.concurrency,
            max_workers: self.concurrency,
            ..ClassifyOptions::default()
        };
        Engine::new(provider, prompt, options, None).expect("valid benchmark engine")
    }

    pub fn items(&self) -> Vec<Item> {
        (0..self.chunks * self.chunk_size)
            .map(|n| {
                let text = format!("pago factura proveedor {n} servicios generales");
                Item::new(n as u64, "cleanLineDescription", text)
            })
            .collect()
    }

    /// Runs the engine once over fresh items and returns the wall time and the summary.
    pub async fn run_once(&self, engine: &Engine) -> (Duration, RunSummary) {
        let items = self.items();
        let start = Instant::now();
        let run = engine.classify_all(items, CancellationToken::new()).await;
        (start.elapsed(), run.summary)
    }
}
