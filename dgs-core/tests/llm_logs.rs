//! API keys never reach log output, even at TRACE level with hyper's own logs.
//!
//! This check has its own test binary: `tracing` caches per call site whether anyone listens,
//! and another test hitting the same call sites on another thread without a subscriber can
//! cache "nobody listens" before this test installs its thread-local one.

mod llm_support;

use dgs_core::llm::LlmProvider;
use llm_support::{assert_no_key, gemini, openai, request, GEMINI_KEY, OPENAI_KEY};
use std::io::Write;
use std::sync::{Arc, Mutex};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A `tracing` writer that keeps everything written in memory.
#[derive(Clone, Default)]
struct CapturedLogs(Arc<Mutex<Vec<u8>>>);

impl Write for CapturedLogs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_never_contain_keys() {
    let logs = CapturedLogs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(
            ResponseTemplate::new(401).set_body_string(format!("invalid key {OPENAI_KEY}")),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1beta/models/gemini-2.0-flash:generateContent"))
        .respond_with(
            ResponseTemplate::new(403).set_body_string(format!("invalid key {GEMINI_KEY}")),
        )
        .mount(&server)
        .await;
    openai(&server).complete(request(None)).await.unwrap_err();
    gemini(&server).complete(request(None)).await.unwrap_err();

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("chat completion failed"), "{text}");
    assert!(text.contains("generateContent failed"), "{text}");
    assert_no_key(&text, OPENAI_KEY);
    assert_no_key(&text, GEMINI_KEY);
}
