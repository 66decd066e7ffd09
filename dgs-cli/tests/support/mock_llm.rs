//! A slow OpenAI-compatible chat completions server on 127.0.0.1 for the CLI tests.
//!
//! It answers each request like the offline keyword provider would, so answers are
//! deterministic, and records the item texts of every request it received.

use dgs_core::llm::KeywordProvider;
use dgs_core::prompt::{CompileOptions, JsonPromptSource, PromptSource};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// One request the server received.
#[derive(Clone, Debug)]
pub struct Received {
    /// Primary field value of every item in the user message.
    pub items: Vec<String>,
    /// HTTP status the server answered with.
    pub status: u16,
}

struct Shared {
    classifier: KeywordProvider,
    delay: Mutex<Duration>,
    /// Requests still to answer with HTTP 500.
    failures_left: AtomicU32,
    received: Mutex<Vec<Received>>,
    answered: AtomicUsize,
}

/// A running mock server. The listener thread lives until the test process ends.
pub struct MockLlm {
    pub port: u16,
    shared: Arc<Shared>,
}

impl MockLlm {
    /// Starts a server answering with the categories of the prompt file `prompt_path`,
    /// after waiting `delay` per request.
    pub fn start(prompt_path: &Path, delay: Duration) -> MockLlm {
        let classifier = keyword_classifier(prompt_path);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared {
            classifier,
            delay: Mutex::new(delay),
            failures_left: AtomicU32::new(0),
            received: Mutex::new(Vec::new()),
            answered: AtomicUsize::new(0),
        });

        let accept_shared = Arc::clone(&shared);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let shared = Arc::clone(&accept_shared);
                thread::spawn(move || serve(stream, &shared));
            }
        });
        MockLlm { port, shared }
    }

    /// Returns the base URL for `OPENAI_BASE_URL`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }

    /// Makes the next `count` requests fail with HTTP 500.
    pub fn fail_next(&self, count: u32) {
        self.shared.failures_left.store(count, Ordering::SeqCst);
    }

    pub fn set_delay(&self, delay: Duration) {
        *self.shared.delay.lock().unwrap() = delay;
    }

    /// Returns every request received so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Returns the number of requests answered with HTTP 200.
    pub fn answered(&self) -> usize {
        self.shared.answered.load(Ordering::SeqCst)
    }
}

/// Builds the keyword classifier for the default prompt of a prompt file.
pub fn keyword_classifier(prompt_path: &Path) -> KeywordProvider {
    let source = JsonPromptSource::open(prompt_path).expect("prompt file loads");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let prompt = runtime
        .block_on(source.default_prompt())
        .expect("prompt file has a default prompt");
    let compiled = prompt.compile(&CompileOptions::default()).unwrap();
    KeywordProvider::from_compiled(&compiled)
}

/// Serves requests on one connection until the client closes it.
fn serve(stream: TcpStream, shared: &Shared) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut writer = stream;
    loop {
        let Some(body) = read_request(&mut reader) else {
            return;
        };
        let (status, response) = answer(&body, shared);
        let head =
            format!(
            "HTTP/1.1 {status} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            if status == 200 { "OK" } else { "Internal Server Error" },
            response.len()
        );
        if writer.write_all(head.as_bytes()).is_err()
            || writer.write_all(response.as_bytes()).is_err()
        {
            return;
        }
        let _ = writer.flush();
    }
}

/// Reads one HTTP/1.1 request and returns its body, or `None` when the connection closed.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Vec<u8>> {
    let mut content_length = 0usize;
    let mut line = String::new();
    let mut first = true;
    loop {
        line.clear();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            if first {
                continue;
            }
            break;
        }
        first = false;
        if let Some((name, value)) = trimmed.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                content_length = value.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0u8; content_length];
    reader.read_exact(&mut body).ok()?;
    Some(body)
}

/// Returns the status and body for one chat completions request.
fn answer(body: &[u8], shared: &Shared) -> (u16, String) {
    let request: serde_json::Value = serde_json::from_slice(body).expect("request is JSON");
    let user = request["messages"]
        .as_array()
        .and_then(|messages| messages.iter().find(|message| message["role"] == "user"))
        .and_then(|message| message["content"].as_str())
        .unwrap_or_default()
        .to_owned();
    let (_, items) = dgs_core::wire::parse_items(&user);
    let texts: Vec<String> = items
        .iter()
        .map(|item| item.values.first().cloned().unwrap_or_default())
        .collect();

    let delay = *shared.delay.lock().unwrap();
    thread::sleep(delay);

    let failing = shared
        .failures_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
            left.checked_sub(1)
        })
        .is_ok();
    let status = if failing { 500 } else { 200 };
    shared.received.lock().unwrap().push(Received {
        items: texts,
        status,
    });
    if failing {
        return (500, r#"{"error":{"message":"mock outage"}}"#.to_owned());
    }

    let answers = shared.classifier.classify_items(&user);
    let content = serde_json::to_string(&answers).unwrap();
    let response = serde_json::json!({
        "id": "chatcmpl-mock",
        "object": "chat.completion",
        "model": "gpt-4o-mini",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "finish_reason": "stop"
        }],
        "usage": {
            "prompt_tokens": 10 * items.len() as u64 + 100,
            "completion_tokens": 8 * items.len() as u64,
            "total_tokens": 18 * items.len() as u64 + 100
        }
    });
    shared.answered.fetch_add(1, Ordering::SeqCst);
    (200, response.to_string())
}
