//! The OpenAI and Gemini providers against local wiremock servers on 127.0.0.1: request
//! shape, answer and usage parsing, HTTP error mapping, and API keys kept out of URLs, errors,
//! and Debug output. The log check runs in `llm_logs.rs`, a binary of its own.

mod llm_support;

use dgs_core::llm::{
    GeminiOptions, GeminiProvider, LlmError, LlmProvider, OpenAiAuth, OpenAiOptions,
    OpenAiProvider, SecretString, TokenUsage,
};
use llm_support::{assert_no_key, gemini, openai, request, GEMINI_KEY, OPENAI_KEY};
use serde_json::{json, Value};
use std::time::Duration;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn openai_answer() -> Value {
    json!({
        "id": "chatcmpl-123",
        "object": "chat.completion",
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": "{\"results\":[{\"id\":1,\"category\":3,\"score\":0.9}]}"},
            "finish_reason": "stop"
        }],
        "usage": {"prompt_tokens": 120, "completion_tokens": 17, "total_tokens": 137}
    })
}

async fn openai_error(template: ResponseTemplate) -> LlmError {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(template)
        .mount(&server)
        .await;
    let error = openai(&server).complete(request(None)).await.unwrap_err();
    assert_no_key(&error.to_string(), OPENAI_KEY);
    assert_no_key(&format!("{error:?}"), OPENAI_KEY);
    error
}

#[tokio::test]
async fn openai_request_shape_and_usage() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header(
            "authorization",
            format!("Bearer {OPENAI_KEY}").as_str(),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(openai_answer())
                .insert_header("x-request-id", "req-abc"),
        )
        .expect(1)
        .mount(&server)
        .await;

    let schema = dgs_core::wire::answer_schema(true);
    let response = openai(&server)
        .complete(request(Some(schema.clone())))
        .await
        .unwrap();

    assert_eq!(
        response.content,
        r#"{"results":[{"id":1,"category":3,"score":0.9}]}"#
    );
    assert_eq!(
        response.usage,
        TokenUsage {
            prompt_tokens: 120,
            completion_tokens: 17
        }
    );
    assert_eq!(response.model, "gpt-4o-mini-2024-07-18");
    assert_eq!(response.request_id.as_deref(), Some("req-abc"));

    let received = server.received_requests().await.unwrap();
    let sent = &received[0];
    assert_no_key(sent.url.as_str(), OPENAI_KEY);
    assert_eq!(sent.url.query(), None);
    let body: Value = sent.body_json().unwrap();
    assert_eq!(body["model"], "gpt-4o-mini");
    assert_eq!(body["temperature"], 0.0);
    assert_eq!(body["max_tokens"], 512);
    let roles: Vec<&str> = body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, vec!["system", "user", "assistant", "user"]);
    assert_eq!(body["messages"][0]["content"], "Clasifica cada ítem.");
    assert_eq!(body["response_format"]["type"], "json_schema");
    assert_eq!(body["response_format"]["json_schema"]["strict"], true);
    assert_eq!(
        body["response_format"]["json_schema"]["name"],
        "classification_results"
    );
    assert_eq!(body["response_format"]["json_schema"]["schema"], schema);
}

#[tokio::test]
async fn openai_without_structured_output_sends_no_format() {
    let server = MockServer::start().await;
    let answer = json!({"choices": [{"message": {"content": "{}"}}]});
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .mount(&server)
        .await;
    let provider = OpenAiProvider::new(OpenAiOptions {
        api_key: None,
        base_url: format!("{}/v1/", server.uri()),
        model: "llama3.1".into(),
        structured_output: false,
        ..OpenAiOptions::default()
    })
    .unwrap();

    let mut with_model = request(Some(dgs_core::wire::answer_schema(false)));
    with_model.max_tokens = None;
    with_model.temperature = 0.2;
    let response = provider.complete(with_model).await.unwrap();
    assert_eq!(response.usage, TokenUsage::default());
    assert_eq!(response.model, "llama3.1");
    assert_eq!(response.request_id, None);

    let sent = &server.received_requests().await.unwrap()[0];
    let body: Value = sent.body_json().unwrap();
    assert_eq!(body["model"], "llama3.1");
    assert_eq!(body["temperature"].to_string(), "0.2");
    assert!(body.get("response_format").is_none(), "{body}");
    assert!(body.get("max_tokens").is_none(), "{body}");
    assert!(sent.headers.get("authorization").is_none());
}

#[tokio::test]
async fn openai_azure_uses_api_key_header() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/openai/deployments/clasificador/chat/completions"))
        .and(header("api-key", OPENAI_KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(openai_answer()))
        .expect(1)
        .mount(&server)
        .await;
    let provider = OpenAiProvider::new(OpenAiOptions {
        api_key: Some(SecretString::new(OPENAI_KEY)),
        base_url: format!("{}/openai/deployments/clasificador", server.uri()),
        auth: OpenAiAuth::ApiKeyHeader,
        api_version: Some("2024-10-21".into()),
        ..OpenAiOptions::default()
    })
    .unwrap();

    let response = provider.complete(request(None)).await.unwrap();
    assert_eq!(
        response.request_id.as_deref(),
        Some("chatcmpl-123"),
        "falls back to the response id"
    );
    let sent = &server.received_requests().await.unwrap()[0];
    assert_eq!(sent.url.query(), Some("api-version=2024-10-21"));
    assert!(sent.headers.get("authorization").is_none());
}

#[tokio::test]
async fn openai_429_reads_retry_after_seconds() {
    let error = openai_error(ResponseTemplate::new(429).insert_header("retry-after", "7")).await;
    assert!(
        matches!(error, LlmError::RateLimited { retry_after: Some(delay), .. } if delay == Duration::from_secs(7)),
        "{error:?}"
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn openai_429_reads_retry_after_date() {
    let at = chrono::Utc::now() + chrono::Duration::seconds(120);
    let date = at.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let error =
        openai_error(ResponseTemplate::new(429).insert_header("retry-after", date.as_str())).await;
    let LlmError::RateLimited {
        retry_after: Some(delay),
        ..
    } = error
    else {
        panic!("{error:?}")
    };
    assert!(
        delay > Duration::from_secs(100) && delay <= Duration::from_secs(120),
        "{delay:?}"
    );
}

#[tokio::test]
async fn openai_500_is_server_error() {
    let error =
        openai_error(ResponseTemplate::new(500).set_body_string("upstream overloaded")).await;
    assert!(
        matches!(error, LlmError::Server { status: 500, ref body, .. } if body == "upstream overloaded"),
        "{error:?}"
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn openai_401_is_rejected_without_key() {
    let echoed = json!({"error": {"message": format!("Incorrect API key provided: {OPENAI_KEY}. {}", "x".repeat(900))}});
    let error = openai_error(ResponseTemplate::new(401).set_body_json(echoed)).await;
    let LlmError::Rejected {
        status, ref body, ..
    } = error
    else {
        panic!("{error:?}")
    };
    assert_eq!(status, 401);
    assert!(body.contains("Incorrect API key provided: ***"), "{body}");
    assert!(
        body.chars().count() <= 501,
        "the body is truncated: {} chars",
        body.chars().count()
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn openai_invalid_body_is_invalid_response() {
    let error =
        openai_error(ResponseTemplate::new(200).set_body_string("<html>proxy error</html>")).await;
    assert!(
        matches!(error, LlmError::InvalidResponse { ref message, .. } if message.contains("<html>")),
        "{error:?}"
    );
    assert!(error.is_retryable());

    let no_choices =
        openai_error(ResponseTemplate::new(200).set_body_json(json!({"choices": []}))).await;
    assert!(
        matches!(no_choices, LlmError::InvalidResponse { ref message, .. } if message.contains("no choices"))
    );

    let refusal =
        json!({"choices": [{"message": {"content": null, "refusal": "no puedo ayudar"}}]});
    let refused = openai_error(ResponseTemplate::new(200).set_body_json(refusal)).await;
    assert!(
        matches!(refused, LlmError::InvalidResponse { ref message, .. } if message.contains("no puedo ayudar"))
    );
}

#[tokio::test]
async fn openai_connection_failure_is_transport() {
    // A port that was just free: nothing listens there, so the connection is refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let provider = OpenAiProvider::new(OpenAiOptions {
        api_key: Some(SecretString::new(OPENAI_KEY)),
        base_url: format!("http://127.0.0.1:{port}/v1"),
        ..OpenAiOptions::default()
    })
    .unwrap();

    let error = provider.complete(request(None)).await.unwrap_err();
    assert!(matches!(error, LlmError::Transport { .. }), "{error:?}");
    assert!(error.is_retryable());
    assert_no_key(&error.to_string(), OPENAI_KEY);
}

#[tokio::test]
async fn provider_debug_hides_keys() {
    let server = MockServer::start().await;
    let openai = openai(&server);
    let gemini = gemini(&server);
    for debug in [
        format!("{openai:?}"),
        format!("{gemini:?}"),
        format!(
            "{:?}",
            OpenAiOptions {
                api_key: Some(SecretString::new(OPENAI_KEY)),
                ..OpenAiOptions::default()
            }
        ),
    ] {
        assert_no_key(&debug, OPENAI_KEY);
        assert_no_key(&debug, GEMINI_KEY);
        assert!(debug.contains("***"), "{debug}");
    }
}

fn gemini_answer() -> Value {
    json!({
        "candidates": [{
            "content": {"role": "model", "parts": [{"text": "{\"results\":"}, {"text": "[]}"}]},
            "finishReason": "STOP"
        }],
        "usageMetadata": {"promptTokenCount": 210, "candidatesTokenCount": 33, "totalTokenCount": 243},
        "modelVersion": "gemini-2.0-flash-001",
        "responseId": "resp-xyz"
    })
}

async fn gemini_error(template: ResponseTemplate) -> LlmError {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1beta/models/gemini-2.0-flash:generateContent"))
        .respond_with(template)
        .mount(&server)
        .await;
    let error = gemini(&server).complete(request(None)).await.unwrap_err();
    assert_no_key(&error.to_string(), GEMINI_KEY);
    assert_no_key(&format!("{error:?}"), GEMINI_KEY);
    error
}

#[tokio::test]
async fn gemini_request_shape_and_usage() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1beta/models/gemini-2.0-flash:generateContent"))
        .and(header("x-goog-api-key", GEMINI_KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(gemini_answer()))
        .expect(1)
        .mount(&server)
        .await;

    let response = gemini(&server)
        .complete(request(Some(dgs_core::wire::answer_schema(true))))
        .await
        .unwrap();
    assert_eq!(response.content, r#"{"results":[]}"#);
    assert_eq!(
        response.usage,
        TokenUsage {
            prompt_tokens: 210,
            completion_tokens: 33
        }
    );
    assert_eq!(response.model, "gemini-2.0-flash-001");
    assert_eq!(response.request_id.as_deref(), Some("resp-xyz"));

    let sent = &server.received_requests().await.unwrap()[0];
    assert_eq!(sent.url.query(), None, "the key is never in the URL");
    assert_no_key(sent.url.as_str(), GEMINI_KEY);
    let body: Value = sent.body_json().unwrap();
    assert_eq!(
        body["systemInstruction"]["parts"][0]["text"],
        "Clasifica cada ítem."
    );
    let roles: Vec<&str> = body["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, vec!["user", "model", "user"]);
    assert_eq!(
        body["contents"][0]["parts"][0]["text"],
        "id\tcleanGlosa\n1\tarriendo oficina"
    );
    let config = &body["generationConfig"];
    assert_eq!(config["temperature"], 0.0);
    assert_eq!(config["maxOutputTokens"], 512);
    assert_eq!(config["responseMimeType"], "application/json");
    assert_eq!(config["responseSchema"]["type"], "OBJECT");
    assert!(!config["responseSchema"]
        .to_string()
        .contains("additionalProperties"));
}

#[tokio::test]
async fn gemini_model_prefix_and_no_schema() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1beta/models/gemini-1.5-flash:generateContent"))
        .respond_with(ResponseTemplate::new(200).set_body_json(gemini_answer()))
        .expect(1)
        .mount(&server)
        .await;
    let mut with_model = request(None);
    with_model.model = "models/gemini-1.5-flash".into();
    gemini(&server).complete(with_model).await.unwrap();

    let body: Value = server.received_requests().await.unwrap()[0]
        .body_json()
        .unwrap();
    assert!(body["generationConfig"].get("responseSchema").is_none());
    assert!(body["generationConfig"].get("responseMimeType").is_none());

    let mut bad_model = request(None);
    bad_model.model = "../secrets?x=1".into();
    let error = gemini(&server).complete(bad_model).await.unwrap_err();
    assert!(matches!(error, LlmError::Config { .. }), "{error:?}");
}

#[tokio::test]
async fn gemini_429_reads_retry_delay() {
    let body = json!({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "details": [
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "23s"}]}});
    let error = gemini_error(ResponseTemplate::new(429).set_body_json(body)).await;
    assert!(
        matches!(error, LlmError::RateLimited { retry_after: Some(delay), .. } if delay == Duration::from_secs(23)),
        "{error:?}"
    );

    let header_wins =
        gemini_error(ResponseTemplate::new(429).insert_header("retry-after", "3")).await;
    assert!(
        matches!(header_wins, LlmError::RateLimited { retry_after: Some(delay), .. } if delay == Duration::from_secs(3))
    );
}

#[tokio::test]
async fn gemini_http_errors_map_to_kinds() {
    let server_error =
        gemini_error(ResponseTemplate::new(503).set_body_string("unavailable")).await;
    assert!(
        matches!(server_error, LlmError::Server { status: 503, .. }),
        "{server_error:?}"
    );

    let echoed = format!("API key not valid: {GEMINI_KEY}");
    let rejected = gemini_error(ResponseTemplate::new(400).set_body_string(echoed)).await;
    assert!(
        matches!(rejected, LlmError::Rejected { status: 400, ref body, .. } if body == "API key not valid: ***")
    );
}

#[tokio::test]
async fn gemini_invalid_answers_are_reported() {
    let not_json = gemini_error(ResponseTemplate::new(200).set_body_string("oops")).await;
    assert!(
        matches!(not_json, LlmError::InvalidResponse { .. }),
        "{not_json:?}"
    );

    let no_text = json!({"candidates": [{"content": {"parts": []}, "finishReason": "SAFETY"}]});
    let empty = gemini_error(ResponseTemplate::new(200).set_body_json(no_text)).await;
    assert!(
        matches!(empty, LlmError::InvalidResponse { ref message, .. } if message.contains("SAFETY")),
        "{empty:?}"
    );

    let blocked = json!({"promptFeedback": {"blockReason": "SAFETY"}});
    let blocked = gemini_error(ResponseTemplate::new(200).set_body_json(blocked)).await;
    assert!(
        matches!(blocked, LlmError::Rejected { ref body, .. } if body.contains("blocked")),
        "{blocked:?}"
    );
}

#[test]
fn gemini_requires_key() {
    let error = GeminiProvider::new(GeminiOptions::default()).unwrap_err();
    assert!(
        matches!(error, LlmError::Config { ref message, .. } if message.contains("GEMINI_API_KEY")),
        "{error:?}"
    );
}
