//! The engine's misbehaviour scenarios through the real OpenAI provider, against wiremock
//! servers on 127.0.0.1: real HTTP status codes, `Retry-After` headers and slow responses.

mod support;

use dgs_core::classify::{
    ChunkOutcome, ClassificationStatus as Status, ClassifyEvent, ClassifyOptions, Engine,
    FALLBACK_CATEGORY, MISSING_REASON,
};
use dgs_core::llm::{OpenAiOptions, OpenAiProvider, SecretString};
use dgs_core::wire::{self, WireItem};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{answers, items, prompt, FIELD};
use tokio_util::sync::CancellationToken;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Replies with the queued templates in order, then with HTTP 400.
struct Sequence(Mutex<VecDeque<ResponseTemplate>>);

impl Respond for Sequence {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        self.0
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(|| ResponseTemplate::new(400).set_body_string("no response left"))
    }
}

/// A chat completion whose first choice has `content`.
fn completion(content: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "model": "gpt-test",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "finish_reason": "stop"
        }],
        "usage": {"prompt_tokens": 50, "completion_tokens": 10, "total_tokens": 60}
    }))
}

fn error(status: u16) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"error": {"message": "upstream failure"}}))
}

/// Options with short backoff and timeout so the scenarios take little real time.
fn fast_options() -> ClassifyOptions {
    ClassifyOptions {
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_millis(40),
        request_timeout: Duration::from_secs(5),
        ..ClassifyOptions::default()
    }
}

struct Scenario {
    server: MockServer,
    engine: Engine,
    events: Arc<Mutex<Vec<ClassifyEvent>>>,
}

impl Scenario {
    async fn start(responses: Vec<ResponseTemplate>, options: ClassifyOptions) -> Self {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/chat/completions"))
            .respond_with(Sequence(Mutex::new(responses.into())))
            .mount(&server)
            .await;

        let provider = OpenAiProvider::new(OpenAiOptions {
            api_key: Some(SecretString::new("sk-test-not-a-real-key")),
            base_url: format!("{}/v1", server.uri()),
            model: "gpt-test".into(),
            ..OpenAiOptions::default()
        })
        .expect("valid provider options");
        let engine = Engine::new(Arc::new(provider), prompt(), options, None).unwrap();
        Scenario {
            server,
            engine,
            events: Arc::new(Mutex::new(Vec::new())),
        }
    }

    async fn classify(&self, count: usize) -> ChunkOutcome {
        let events = Arc::clone(&self.events);
        let sink = move |event| events.lock().unwrap().push(event);
        self.engine
            .classify_chunk_with(0, &items(count), &CancellationToken::new(), &sink)
            .await
            .expect("not cancelled")
    }

    /// Returns the JSON bodies of the requests the server received.
    async fn bodies(&self) -> Vec<Value> {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .map(|request| serde_json::from_slice(&request.body).expect("JSON request body"))
            .collect()
    }

    fn retry_delays(&self) -> Vec<u64> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter_map(|event| match event {
                ClassifyEvent::Retry { delay_ms, .. } => Some(*delay_ms),
                _ => None,
            })
            .collect()
    }
}

fn categories(outcome: &ChunkOutcome) -> Vec<&str> {
    outcome
        .results
        .iter()
        .map(|r| r.category.as_str())
        .collect()
}

fn statuses(outcome: &ChunkOutcome) -> Vec<Status> {
    outcome.results.iter().map(|r| r.status).collect()
}

fn user_content(body: &Value) -> &str {
    body["messages"][1]["content"]
        .as_str()
        .expect("user message")
}

#[tokio::test]
async fn http_request_carries_items_and_schema() {
    let scenario = Scenario::start(
        vec![completion(&answers(&[(1, 1), (2, 2)]))],
        fast_options(),
    )
    .await;

    let outcome = scenario.classify(2).await;

    assert_eq!(categories(&outcome), vec!["Gastos Operación", "Nómina"]);
    assert_eq!(outcome.usage.prompt_tokens, 50);
    let bodies = scenario.bodies().await;
    assert_eq!(bodies.len(), 1);
    assert_eq!(bodies[0]["model"], "gpt-test");
    assert_eq!(bodies[0]["messages"][0]["role"], "system");
    let schema = &bodies[0]["response_format"]["json_schema"]["schema"];
    assert_eq!(*schema, wire::answer_schema(true));
    let requests = scenario.server.received_requests().await.unwrap();
    let auth = requests[0].headers.get("authorization").unwrap();
    assert_eq!(auth.to_str().unwrap(), "Bearer sk-test-not-a-real-key");
}

#[tokio::test]
async fn http_fewer_answers_follow_up_only_missing() {
    let scenario = Scenario::start(
        vec![
            completion(&answers(&[(2, 3)])),
            completion(&answers(&[(1, 1)])),
        ],
        fast_options(),
    )
    .await;

    let outcome = scenario.classify(3).await;

    let bodies = scenario.bodies().await;
    assert_eq!(bodies.len(), 2);
    let all = items(3);
    let expected = wire::format_items(
        &[FIELD.to_owned()],
        &[
            WireItem {
                id: 1,
                values: vec![all[0].primary_text().to_owned()],
            },
            WireItem {
                id: 2,
                values: vec![all[2].primary_text().to_owned()],
            },
        ],
    );
    assert_eq!(user_content(&bodies[1]), expected);
    assert_eq!(
        categories(&outcome),
        vec!["Gastos Operación", "Ventas", FALLBACK_CATEGORY]
    );
    assert_eq!(
        statuses(&outcome),
        vec![Status::Ok, Status::Ok, Status::Missing]
    );
    assert_eq!(outcome.results[2].reason, MISSING_REASON);
}

#[tokio::test]
async fn http_extra_and_unknown_ids_dropped() {
    let content = r#"{"results":[{"id":1,"category":1},{"id":2,"category":2},{"id":3,"category":1},{"id":0,"category":1},{"id":77,"category":3}]}"#;
    let scenario = Scenario::start(vec![completion(content)], fast_options()).await;

    let outcome = scenario.classify(2).await;

    assert_eq!(categories(&outcome), vec!["Gastos Operación", "Nómina"]);
    assert_eq!(outcome.dropped_answers.unknown_id, 3);
}

#[tokio::test]
async fn http_duplicated_ids_keep_first() {
    let scenario = Scenario::start(
        vec![completion(&answers(&[(1, 3), (1, 1), (2, 2), (2, 1)]))],
        fast_options(),
    )
    .await;

    let outcome = scenario.classify(2).await;

    assert_eq!(categories(&outcome), vec!["Ventas", "Nómina"]);
    assert_eq!(outcome.dropped_answers.duplicate_id, 2);
}

#[tokio::test]
async fn http_reordered_answers_match_by_id() {
    let scenario = Scenario::start(
        vec![completion(&answers(&[(3, 1), (1, 2), (2, 3)]))],
        fast_options(),
    )
    .await;

    let outcome = scenario.classify(3).await;

    assert_eq!(
        categories(&outcome),
        vec!["Nómina", "Ventas", "Gastos Operación"]
    );
}

#[tokio::test]
async fn http_ids_as_strings() {
    let content = r#"{"results":[{"id":"2","category":"3"},{"id":"1","category":1}]}"#;
    let scenario = Scenario::start(vec![completion(content)], fast_options()).await;

    let outcome = scenario.classify(2).await;

    assert_eq!(categories(&outcome), vec!["Gastos Operación", "Ventas"]);
}

#[tokio::test]
async fn http_no_ids_matched_by_text() {
    let all = items(2);
    let content = json!({"results": [
        {"description": all[1].primary_text().to_uppercase(), "category": 2},
        {"text": all[0].primary_text(), "category": 3},
    ]})
    .to_string();
    let scenario = Scenario::start(vec![completion(&content)], fast_options()).await;

    let outcome = scenario.classify(2).await;

    assert_eq!(categories(&outcome), vec!["Ventas", "Nómina"]);
    assert_eq!(outcome.matched_by_text, 2);
}

#[tokio::test]
async fn http_unknown_category_names() {
    let content = r#"{"results":[{"id":1,"category":"Viajes","reason":"hotel"},{"id":2,"category":"nomina"},{"id":3,"category":"GASTOS OPERACION"}]}"#;
    let scenario = Scenario::start(vec![completion(content)], fast_options()).await;

    let outcome = scenario.classify(3).await;

    assert_eq!(
        categories(&outcome),
        vec![FALLBACK_CATEGORY, "Nómina", "Gastos Operación"]
    );
    assert_eq!(
        statuses(&outcome),
        vec![Status::UnknownCategory, Status::Ok, Status::Ok]
    );
    assert_eq!(
        outcome.results[0].reason,
        r#"unknown category "Viajes": hotel"#
    );
}

#[tokio::test]
async fn http_malformed_then_valid() {
    let scenario = Scenario::start(
        vec![
            completion(r#"{"results":[{"id":1,"#),
            completion(&answers(&[(1, 2)])),
        ],
        fast_options(),
    )
    .await;

    let outcome = scenario.classify(1).await;

    assert_eq!(categories(&outcome), vec!["Nómina"]);
    assert_eq!(outcome.results[0].attempts, 2);
    assert_eq!(outcome.usage.prompt_tokens, 100);
}

#[tokio::test]
async fn http_code_fenced_json() {
    let content = format!("```json\n{}\n```", answers(&[(1, 3)]));
    let scenario = Scenario::start(vec![completion(&content)], fast_options()).await;

    let outcome = scenario.classify(1).await;

    assert_eq!(categories(&outcome), vec!["Ventas"]);
}

#[tokio::test]
async fn http_empty_content_retried() {
    let scenario = Scenario::start(
        vec![completion(""), completion(&answers(&[(1, 1)]))],
        fast_options(),
    )
    .await;

    let outcome = scenario.classify(1).await;

    assert_eq!(categories(&outcome), vec!["Gastos Operación"]);
    assert_eq!(outcome.results[0].attempts, 2);
    assert_eq!(scenario.bodies().await.len(), 2);
}

#[tokio::test]
async fn http_429_honours_retry_after() {
    let limited = error(429).insert_header("retry-after", "1");
    let scenario = Scenario::start(
        vec![limited, completion(&answers(&[(1, 2)]))],
        fast_options(),
    )
    .await;

    let start = std::time::Instant::now();
    let outcome = scenario.classify(1).await;
    let waited = start.elapsed();

    assert_eq!(categories(&outcome), vec!["Nómina"]);
    assert_eq!(scenario.retry_delays(), vec![1_000]);
    assert!(waited >= Duration::from_secs(1), "waited {waited:?}");
}

#[tokio::test]
async fn http_500_then_success() {
    let scenario = Scenario::start(
        vec![error(500), error(503), completion(&answers(&[(1, 3)]))],
        fast_options(),
    )
    .await;

    let outcome = scenario.classify(1).await;

    assert_eq!(categories(&outcome), vec!["Ventas"]);
    assert_eq!(outcome.results[0].attempts, 3);
    assert_eq!(scenario.retry_delays().len(), 2);
}

#[tokio::test]
async fn http_slow_response_times_out() {
    let slow = completion(&answers(&[(1, 3)])).set_delay(Duration::from_secs(3));
    let options = ClassifyOptions {
        request_timeout: Duration::from_millis(200),
        ..fast_options()
    };
    let scenario = Scenario::start(vec![slow, completion(&answers(&[(1, 1)]))], options).await;

    let outcome = scenario.classify(1).await;

    assert_eq!(categories(&outcome), vec!["Gastos Operación"]);
    assert_eq!(outcome.results[0].attempts, 2);
    let timed_out = scenario.events.lock().unwrap().iter().any(
        |event| matches!(event, ClassifyEvent::Retry { error, .. } if error.contains("timed out")),
    );
    assert!(timed_out, "a retry event names the timeout");
}

#[tokio::test]
async fn http_exhausted_retries_fail_chunk() {
    let scenario = Scenario::start((0..4).map(|_| error(503)).collect(), fast_options()).await;

    let outcome = scenario.classify(2).await;

    assert_eq!(scenario.bodies().await.len(), 4);
    assert_eq!(statuses(&outcome), vec![Status::Failed; 2]);
    let failed = outcome.failed.as_deref().expect("chunk marked failed");
    assert!(failed.contains("503"), "{failed}");
    assert!(!failed.contains("sk-test"), "no key in the error: {failed}");
}

#[tokio::test]
async fn http_bad_key_not_retried() {
    let scenario = Scenario::start(vec![error(401)], fast_options()).await;

    let outcome = scenario.classify(1).await;

    assert_eq!(scenario.bodies().await.len(), 1);
    assert_eq!(statuses(&outcome), vec![Status::Failed]);
    assert!(outcome.failed.unwrap().contains("401"));
}
