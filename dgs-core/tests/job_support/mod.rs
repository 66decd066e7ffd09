//! Shared helpers of the job tests: the sample ZIP and demo prompt, job options for them,
//! and a provider that records what it was asked and can fail on chosen items.

#![allow(dead_code)]

use async_trait::async_trait;
use dgs_core::classify::ClassifyOptions;
use dgs_core::job::{JobOptions, Jobs, ProgressEvent};
use dgs_core::llm::{
    CompletionRequest, CompletionResponse, KeywordProvider, LlmError, LlmProvider, Role,
};
use dgs_core::prompt::{compile, CompileOptions, JsonPromptSource, Prompt, PromptSource};
use dgs_core::store::{MemoryStore, SqliteStore, Store};
use dgs_core::wire;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Rows of `examples/data/auxiliares.zip`.
pub const SAMPLE_ROWS: u64 = 6_262;

/// The three description columns of the sample, one per file, as the CLI passes them.
pub const DESCRIPTION_SPEC: &str = "Descripción|Glosa|detalle";

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn sample_zip() -> PathBuf {
    repo_root().join("examples/data/auxiliares.zip")
}

pub async fn demo_prompt() -> Prompt {
    let source = JsonPromptSource::open(repo_root().join("examples/prompts/chilecompra.es.json"))
        .expect("demo prompt loads");
    source.get("chilecompra-es").await.expect("demo prompt id")
}

/// Options for the sample: the three description columns coalesced into one clean field,
/// `chunk_size` items per chunk, no retry waits.
pub fn sample_options(chunk_size: usize) -> JobOptions {
    let mut options = JobOptions::default();
    options.add_column_spec(DESCRIPTION_SPEC);
    options.provider.kind = "keywords".into();
    options.classify = ClassifyOptions {
        chunk_size,
        max_retries: 0,
        backoff_base: Duration::from_millis(1),
        backoff_max: Duration::from_millis(1),
        ..ClassifyOptions::default()
    };
    options
}

pub fn memory_jobs() -> Jobs {
    Jobs::new(Arc::new(MemoryStore::new()))
}

pub async fn sqlite_jobs(dir: &Path) -> Jobs {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.join("dgs.sqlite")).await.unwrap());
    Jobs::new(store)
}

pub fn ignore_progress(_: ProgressEvent) {}

/// The keyword provider for the demo prompt, wrapped so the test can read every request's item
/// texts, can make requests that carry chosen texts fail, and can slow requests down.
pub struct RecordingProvider {
    inner: KeywordProvider,
    fail_on: HashSet<String>,
    delay: Duration,
    requests: Mutex<Vec<Vec<String>>>,
}

impl RecordingProvider {
    pub async fn new() -> Arc<Self> {
        Self::build(HashSet::new(), Duration::ZERO).await
    }

    /// Fails with a server error every request that carries one of `texts`.
    pub async fn failing_on(texts: HashSet<String>) -> Arc<Self> {
        Self::build(texts, Duration::ZERO).await
    }

    /// Replies to every request after `delay`.
    pub async fn slow(delay: Duration) -> Arc<Self> {
        Self::build(HashSet::new(), delay).await
    }

    async fn build(fail_on: HashSet<String>, delay: Duration) -> Arc<Self> {
        let compiled = compile(&demo_prompt().await, &CompileOptions::default()).unwrap();
        Arc::new(RecordingProvider {
            inner: KeywordProvider::from_compiled(&compiled),
            fail_on,
            delay,
            requests: Mutex::new(Vec::new()),
        })
    }

    /// Item texts (primary clean field) of every request received, in arrival order.
    pub fn requests(&self) -> Vec<Vec<String>> {
        self.requests.lock().unwrap().clone()
    }

    pub fn request_count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    /// Returns every item text requested.
    pub fn texts(&self) -> HashSet<String> {
        self.requests().into_iter().flatten().collect()
    }
}

#[async_trait]
impl LlmProvider for RecordingProvider {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn default_model(&self) -> &str {
        self.inner.default_model()
    }

    async fn complete(&self, request: CompletionRequest) -> Result<CompletionResponse, LlmError> {
        let user = request
            .messages
            .iter()
            .find(|message| message.role == Role::User)
            .map(|message| message.content.clone())
            .unwrap_or_default();
        let (_, items) = wire::parse_items(&user);
        let texts: Vec<String> = items
            .into_iter()
            .map(|item| item.values.into_iter().next().unwrap_or_default())
            .collect();
        let fails = texts.iter().any(|text| self.fail_on.contains(text));
        self.requests.lock().unwrap().push(texts);

        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        if fails {
            return Err(LlmError::Server {
                provider: self.name().to_owned(),
                status: 503,
                body: "scripted outage".into(),
            });
        }
        self.inner.complete(request).await
    }
}
