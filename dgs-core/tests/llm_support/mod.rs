//! Requests, providers and checks shared by the provider tests.

use dgs_core::llm::{
    CompletionRequest, GeminiOptions, GeminiProvider, Message, OpenAiOptions, OpenAiProvider, Role,
    SecretString,
};
use serde_json::Value;
use wiremock::MockServer;

pub const OPENAI_KEY: &str = "sk-test-openai-0123456789abcdef";
pub const GEMINI_KEY: &str = "AIza-test-gemini-0123456789abcdef";

pub fn request(json_schema: Option<Value>) -> CompletionRequest {
    CompletionRequest {
        messages: vec![
            Message {
                role: Role::System,
                content: "Clasifica cada ítem.".into(),
            },
            Message {
                role: Role::User,
                content: "id\tcleanGlosa\n1\tarriendo oficina".into(),
            },
            Message {
                role: Role::Assistant,
                content: "{\"results\":[]}".into(),
            },
            Message {
                role: Role::User,
                content: "id\tcleanGlosa\n1\tarriendo oficina".into(),
            },
        ],
        model: String::new(),
        temperature: 0.0,
        max_tokens: Some(512),
        json_schema,
    }
}

pub fn assert_no_key(text: &str, key: &str) {
    assert!(!text.contains(key), "the API key leaked into: {text}");
}

pub fn openai(server: &MockServer) -> OpenAiProvider {
    OpenAiProvider::new(OpenAiOptions {
        api_key: Some(SecretString::new(OPENAI_KEY)),
        base_url: format!("{}/v1", server.uri()),
        ..OpenAiOptions::default()
    })
    .unwrap()
}

pub fn gemini(server: &MockServer) -> GeminiProvider {
    GeminiProvider::new(GeminiOptions {
        api_key: Some(SecretString::new(GEMINI_KEY)),
        base_url: format!("{}/v1beta", server.uri()),
        ..GeminiOptions::default()
    })
    .unwrap()
}
