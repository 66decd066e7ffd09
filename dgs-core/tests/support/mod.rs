//! Shared helpers of the classification tests: a scripted in-process provider that replies
//! from a queue and records every request, and builders for items, prompts and answers.

#![allow(dead_code)]

use async_trait::async_trait;
use dgs_core::classify::{ClassifyOptions, Engine, EnginePrompt, Item};
use dgs_core::llm::{
    CompletionRequest, CompletionResponse, LlmError, LlmProvider, Role, TokenUsage,
};
use dgs_core::wire;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const FIELD: &str = "cleanLineDescription";

/// One scripted reaction to a request.
pub enum Step {
    /// Replies with this content.
    Reply(String),
    /// Fails with this error.
    Fail(LlmError),
    /// Never answers; only a timeout or cancellation ends the call.
    Hang,
    /// Replies with this content after a delay.
    Delayed(Duration, String),
}

/// A provider that plays a queue of [`Step`]s, then (if set) answers every item of a
/// request with one category, and records the requests it received.
pub struct ScriptedProvider {
    steps: Mutex<VecDeque<Step>>,
    then_answer_all: Option<u32>,
    requests: Mutex<Vec<CompletionRequest>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    usage_per_call: TokenUsage,
}

impl ScriptedProvider {
    pub fn new(steps: Vec<Step>) -> Arc<Self> {
        Arc::new(Self::build(steps, None))
    }

    /// Plays `steps`, then answers every item of each later request with `category`.
    pub fn then_answer_all(steps: Vec<Step>, category: u32) -> Arc<Self> {
        Arc::new(Self::build(steps, Some(category)))
    }

    fn build(steps: Vec<Step>, then_answer_all: Option<u32>) -> Self {
        ScriptedProvider {
            steps: Mutex::new(steps.into()),
            then_answer_all,
            requests: Mutex::new(Vec::new()),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            usage_per_call: TokenUsage {
                prompt_tokens: 100,
                completion_tokens: 20,
            },
        }
    }

    pub fn requests(&self) -> Vec<CompletionRequest> {
        self.requests.lock().unwrap().clone()
    }

    pub fn request_count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }

    fn reply(&self, content: String) -> Result<CompletionResponse, LlmError> {
        Ok(CompletionResponse {
            content,
            usage: self.usage_per_call,
            model: "scripted-model".into(),
            request_id: None,
        })
    }
}

struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[async_trait]
impl LlmProvider for ScriptedProvider {
    fn name(&self) -> &str {
        "scripted"
    }

    fn default_model(&self) -> &str {
        "scripted-model"
    }

    async fn complete(&self, request: CompletionRequest) -> Result<CompletionResponse, LlmError> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let _guard = InFlight(&self.in_flight);

        self.requests.lock().unwrap().push(request.clone());
        let step = self.steps.lock().unwrap().pop_front();
        match step {
            Some(Step::Reply(content)) => self.reply(content),
            Some(Step::Fail(error)) => Err(error),
            Some(Step::Hang) => std::future::pending().await,
            Some(Step::Delayed(delay, content)) => {
                tokio::time::sleep(delay).await;
                self.reply(content)
            }
            None => match self.then_answer_all {
                Some(category) => {
                    let pairs: Vec<(u32, u32)> = sent_items(&request)
                        .iter()
                        .map(|(id, _)| (*id, category))
                        .collect();
                    self.reply(answers(&pairs))
                }
                None => Err(LlmError::Rejected {
                    provider: "scripted".into(),
                    status: 400,
                    body: "script exhausted: no step left for this request".into(),
                }),
            },
        }
    }
}

/// Returns the user message of a request.
pub fn user_message(request: &CompletionRequest) -> &str {
    request
        .messages
        .iter()
        .find(|message| message.role == Role::User)
        .map(|message| message.content.as_str())
        .expect("request has a user message")
}

/// Returns the local ids and primary texts a request sent.
pub fn sent_items(request: &CompletionRequest) -> Vec<(u32, String)> {
    let (_, items) = wire::parse_items(user_message(request));
    items
        .into_iter()
        .map(|item| (item.id, item.values.into_iter().next().unwrap_or_default()))
        .collect()
}

/// Builds `{"results":[{"id":..,"category":..,"score":0.9}, ...]}`.
pub fn answers(pairs: &[(u32, u32)]) -> String {
    let results: Vec<serde_json::Value> = pairs
        .iter()
        .map(|(id, category)| serde_json::json!({"id": id, "category": category, "score": 0.9}))
        .collect();
    serde_json::json!({ "results": results }).to_string()
}

/// Items with ids 100, 101, ... and distinct descriptions.
pub fn items(count: usize) -> Vec<Item> {
    const WORDS: [&str; 6] = [
        "pago factura proveedor",
        "cuota leasing camioneta",
        "nómina quincena",
        "venta mostrador",
        "comisión bancaria",
        "arriendo oficina",
    ];
    (0..count)
        .map(|n| {
            let text = format!("{} {}", WORDS[n % WORDS.len()], n);
            Item::new(100 + n as u64, FIELD, text)
        })
        .collect()
}

pub fn prompt() -> EnginePrompt {
    EnginePrompt {
        with_reason: true,
        ..EnginePrompt::new(
            "Classify each ledger line.",
            "prompt-hash-1",
            vec![
                (1, "Gastos Operación".to_owned()),
                (2, "Nómina".to_owned()),
                (3, "Ventas".to_owned()),
            ],
        )
    }
}

/// Default options with the chunk size given.
pub fn options(chunk_size: usize) -> ClassifyOptions {
    ClassifyOptions {
        chunk_size,
        ..ClassifyOptions::default()
    }
}

pub fn engine(provider: Arc<dyn LlmProvider>, options: ClassifyOptions) -> Engine {
    Engine::new(provider, prompt(), options, None).expect("valid engine configuration")
}

pub fn server_error(status: u16) -> LlmError {
    LlmError::Server {
        provider: "scripted".into(),
        status,
        body: "upstream failure".into(),
    }
}

pub fn rate_limited(retry_after: Option<Duration>) -> LlmError {
    LlmError::RateLimited {
        provider: "scripted".into(),
        retry_after,
    }
}
