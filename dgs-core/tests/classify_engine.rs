//! Engine behaviour against a scripted in-process provider: one test per way a model or an
//! API misbehaves. The clock is paused, so backoff and timeouts take no real time.

mod support;

use dgs_core::classify::{
    ClassificationStatus as Status, ClassifyEvent, ClassifyOptions, Engine, MemoryAnswerCache,
    FALLBACK_CATEGORY, MISSING_REASON,
};
use dgs_core::llm::LlmError;
use dgs_core::wire::{self, WireItem};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::*;
use tokio_util::sync::CancellationToken;

fn categories(outcome: &dgs_core::classify::ChunkOutcome) -> Vec<&str> {
    outcome
        .results
        .iter()
        .map(|r| r.category.as_str())
        .collect()
}

fn statuses(outcome: &dgs_core::classify::ChunkOutcome) -> Vec<Status> {
    outcome.results.iter().map(|r| r.status).collect()
}

#[tokio::test(start_paused = true)]
async fn all_answers_in_order() {
    let provider = ScriptedProvider::new(vec![Step::Reply(answers(&[(1, 1), (2, 2), (3, 3)]))]);
    let engine = engine(provider.clone(), options(50));
    let items = items(3);

    let outcome = engine.classify_chunk(0, &items).await;

    assert_eq!(
        categories(&outcome),
        vec!["Gastos Operación", "Nómina", "Ventas"]
    );
    assert_eq!(statuses(&outcome), vec![Status::Ok; 3]);
    let ids: Vec<u64> = outcome.results.iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![100, 101, 102]);
    assert_eq!(outcome.results[0].score, 0.9);
    assert_eq!(outcome.results[0].attempts, 1);
    assert_eq!(outcome.requests, 1);
    assert_eq!(outcome.usage.prompt_tokens, 100);
    assert!(outcome.failed.is_none());

    let request = &provider.requests()[0];
    let expected = wire::format_items(
        &[FIELD.to_owned()],
        &items
            .iter()
            .enumerate()
            .map(|(n, item)| WireItem {
                id: n as u32 + 1,
                values: vec![item.primary_text().to_owned()],
            })
            .collect::<Vec<_>>(),
    );
    assert_eq!(user_message(request), expected);
    assert_eq!(request.messages[0].content, "Classify each ledger line.");
    assert_eq!(request.json_schema, Some(wire::answer_schema(true)));
    assert_eq!(request.temperature, 0.0);
}

#[tokio::test(start_paused = true)]
async fn fewer_answers_follow_up_only_missing() {
    let provider = ScriptedProvider::new(vec![
        Step::Reply(answers(&[(1, 1), (3, 3)])),
        Step::Reply(answers(&[(1, 2)])),
    ]);
    let engine = engine(provider.clone(), options(50));
    let items = items(4);

    let outcome = engine.classify_chunk(0, &items).await;

    let requests = provider.requests();
    assert_eq!(requests.len(), 2);
    let expected_follow_up = wire::format_items(
        &[FIELD.to_owned()],
        &[
            WireItem {
                id: 1,
                values: vec![items[1].primary_text().to_owned()],
            },
            WireItem {
                id: 2,
                values: vec![items[3].primary_text().to_owned()],
            },
        ],
    );
    assert_eq!(user_message(&requests[1]), expected_follow_up);

    assert_eq!(
        categories(&outcome),
        vec!["Gastos Operación", "Nómina", "Ventas", FALLBACK_CATEGORY]
    );
    assert_eq!(
        statuses(&outcome),
        vec![Status::Ok, Status::Ok, Status::Ok, Status::Missing]
    );
    let attempts: Vec<u32> = outcome.results.iter().map(|r| r.attempts).collect();
    assert_eq!(attempts, vec![1, 2, 1, 2]);
    assert_eq!(outcome.follow_up_items, 2);
    assert_eq!(outcome.requests, 2);
    assert!(outcome.failed.is_none());

    let missing = &outcome.results[3];
    assert_eq!(missing.score, -1.0);
    assert_eq!(missing.reason, MISSING_REASON);
}

#[tokio::test(start_paused = true)]
async fn empty_results_follow_up_all() {
    let provider = ScriptedProvider::new(vec![
        Step::Reply(r#"{"results":[]}"#.into()),
        Step::Reply(r#"{"results":[]}"#.into()),
    ]);
    let engine = engine(provider.clone(), options(50));

    let outcome = engine.classify_chunk(0, &items(2)).await;

    assert_eq!(provider.request_count(), 2);
    assert_eq!(statuses(&outcome), vec![Status::Missing; 2]);
    assert!(
        outcome.failed.is_none(),
        "a readable answer is not a failure"
    );
}

#[tokio::test(start_paused = true)]
async fn extra_answers_dropped_and_counted() {
    let provider = ScriptedProvider::new(vec![Step::Reply(answers(&[
        (1, 1),
        (2, 2),
        (3, 3),
        (4, 1),
    ]))]);
    let engine = engine(provider.clone(), options(50));

    let outcome = engine.classify_chunk(0, &items(2)).await;

    assert_eq!(categories(&outcome), vec!["Gastos Operación", "Nómina"]);
    assert_eq!(outcome.results.len(), 2);
    assert_eq!(outcome.dropped_answers.unknown_id, 2);
    assert_eq!(provider.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn duplicated_ids_keep_first() {
    let provider = ScriptedProvider::new(vec![Step::Reply(answers(&[
        (1, 2),
        (2, 3),
        (1, 1),
        (2, 1),
    ]))]);
    let engine = engine(provider.clone(), options(50));

    let outcome = engine.classify_chunk(0, &items(2)).await;

    assert_eq!(categories(&outcome), vec!["Nómina", "Ventas"]);
    assert_eq!(outcome.dropped_answers.duplicate_id, 2);
}

#[tokio::test(start_paused = true)]
async fn duplicate_with_valid_category_wins() {
    let content = r#"{"results":[{"id":1,"category":"Viajes"},{"id":1,"category":2,"score":0.7}]}"#;
    let provider = ScriptedProvider::new(vec![Step::Reply(content.into())]);
    let engine = engine(provider.clone(), options(50));

    let outcome = engine.classify_chunk(0, &items(1)).await;

    assert_eq!(categories(&outcome), vec!["Nómina"]);
    assert_eq!(outcome.results[0].status, Status::Ok);
    assert_eq!(outcome.results[0].score, 0.7);
}

#[tokio::test(start_paused = true)]
async fn unknown_ids_dropped() {
    let content = r#"{"results":[{"id":0,"category":1},{"id":-1,"category":1},{"id":99,"category":1},{"id":2,"category":3}]}"#;
    let provider = ScriptedProvider::new(vec![
        Step::Reply(content.into()),
        Step::Reply(answers(&[(1, 2)])),
    ]);
    let engine = engine(provider.clone(), options(50));

    let outcome = engine.classify_chunk(0, &items(2)).await;

    assert_eq!(outcome.dropped_answers.unknown_id, 3);
    assert_eq!(categories(&outcome), vec!["Nómina", "Ventas"]);
    let attempts: Vec<u32> = outcome.results.iter().map(|r| r.attempts).collect();
    assert_eq!(attempts, vec![2, 1]);
}

#[tokio::test(start_paused = true)]
async fn reordered_answers_match_by_id() {
    let provider = ScriptedProvider::new(vec![Step::Reply(answers(&[(3, 3), (1, 1), (2, 2)]))]);
    let engine = engine(provider.clone(), options(50));

    let outcome = engine.classify_chunk(0, &items(3)).await;

    assert_eq!(
        categories(&outcome),
        vec!["Gastos Operación", "Nómina", "Ventas"]
    );
}

#[tokio::test(start_paused = true)]
async fn ids_as_strings_parsed() {
    let content = r#"{"results":[{"id":"2","category":"1"},{"id":" 1 ","category":3}]}"#;
    let provider = ScriptedProvider::new(vec![Step::Reply(content.into())]);
    let engine = engine(provider.clone(), options(50));

    let outcome = engine.classify_chunk(0, &items(2)).await;

    assert_eq!(categories(&outcome), vec!["Ventas", "Gastos Operación"]);
    assert_eq!(provider.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn answers_without_ids_match_by_text() {
    let items = items(3);
    let content = serde_json::json!({"results": [
        {"text": items[1].primary_text().to_uppercase(), "category": 3},
        {"description": format!("  {}  ", items[0].primary_text()), "category": 1},
        {"item": "NOMINA   QUINCENA 2", "category": 2},
    ]})
    .to_string();
    let provider = ScriptedProvider::new(vec![Step::Reply(content)]);
    let engine = engine(provider.clone(), options(50));

    let outcome = engine.classify_chunk(0, &items).await;

    assert_eq!(items[2].primary_text(), "nómina quincena 2");
    assert_eq!(
        categories(&outcome),
        vec!["Gastos Operación", "Ventas", "Nómina"]
    );
    assert_eq!(outcome.matched_by_text, 3);
    assert_eq!(provider.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn answers_never_matched_by_position() {
    let content = r#"{"results":[{"category":1},{"category":2}]}"#;
    let provider = ScriptedProvider::new(vec![
        Step::Reply(content.into()),
        Step::Reply(content.into()),
    ]);
    let engine = engine(provider.clone(), options(50));

    let outcome = engine.classify_chunk(0, &items(2)).await;

    assert_eq!(statuses(&outcome), vec![Status::Missing; 2]);
    assert_eq!(outcome.dropped_answers.unmatched, 4);
}

#[tokio::test(start_paused = true)]
async fn unknown_category_becomes_fallback() {
    let content = r#"{"results":[{"id":1,"category":"Viajes","score":0.8,"reason":"hotel"},{"id":2,"category":42}]}"#;
    let provider = ScriptedProvider::new(vec![Step::Reply(content.into())]);
    let engine = engine(provider.clone(), options(50));

    let outcome = engine.classify_chunk(0, &items(2)).await;

    assert_eq!(categories(&outcome), vec![FALLBACK_CATEGORY; 2]);
    assert_eq!(statuses(&outcome), vec![Status::UnknownCategory; 2]);
    assert_eq!(
        outcome.results[0].reason,
        r#"unknown category "Viajes": hotel"#
    );
    assert_eq!(outcome.results[1].reason, r#"unknown category "42""#);
    assert_eq!(outcome.results[0].score, -1.0);
    assert_eq!(
        provider.request_count(),
        1,
        "unknown categories get no follow-up"
    );
}

#[tokio::test(start_paused = true)]
async fn category_names_ignore_accents_case() {
    let content = r#"{"results":[{"id":1,"category":"NOMINA"},{"id":2,"category":"gastos  operacion"},{"id":3,"category":"Ventas "}]}"#;
    let provider = ScriptedProvider::new(vec![Step::Reply(content.into())]);
    let engine = engine(provider.clone(), options(50));

    let outcome = engine.classify_chunk(0, &items(3)).await;

    assert_eq!(
        categories(&outcome),
        vec!["Nómina", "Gastos Operación", "Ventas"]
    );
    assert_eq!(statuses(&outcome), vec![Status::Ok; 3]);
}

#[tokio::test(start_paused = true)]
async fn category_zero_is_explicit_fallback() {
    let content = r#"{"results":[{"id":1,"category":0,"score":0.3,"reason":"unclear"}]}"#;
    let provider = ScriptedProvider::new(vec![Step::Reply(content.into())]);
    let engine = engine(provider.clone(), options(50));

    let outcome = engine.classify_chunk(0, &items(1)).await;

    let result = &outcome.results[0];
    assert_eq!(result.category, FALLBACK_CATEGORY);
    assert_eq!(result.status, Status::Ok);
    assert_eq!(result.score, 0.3);
    assert_eq!(result.reason, "unclear");
}

#[tokio::test(start_paused = true)]
async fn malformed_json_then_valid() {
    let provider = ScriptedProvider::new(vec![
        Step::Reply(r#"{"results":[{"id":1,"category":1},{"id":2,"#.into()),
        Step::Reply(answers(&[(1, 1), (2, 2)])),
    ]);
    let engine = engine(provider.clone(), options(50));

    let outcome = engine.classify_chunk(0, &items(2)).await;

    assert_eq!(categories(&outcome), vec!["Gastos Operación", "Nómina"]);
    assert_eq!(outcome.requests, 2);
    let attempts: Vec<u32> = outcome.results.iter().map(|r| r.attempts).collect();
    assert_eq!(attempts, vec![2, 2]);
    assert_eq!(
        outcome.usage.prompt_tokens, 200,
        "usage of the unparsable answer counts"
    );
    assert!(outcome.failed.is_none());
}

#[tokio::test(start_paused = true)]
async fn code_fenced_json_accepted() {
    let content = format!(
        "Here is the classification:\n```json\n{}\n```\n",
        answers(&[(1, 3)])
    );
    let provider = ScriptedProvider::new(vec![Step::Reply(content)]);
    let engine = engine(provider.clone(), options(50));

    let outcome = engine.classify_chunk(0, &items(1)).await;

    assert_eq!(categories(&outcome), vec!["Ventas"]);
    assert_eq!(provider.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn bare_array_alternative_key_accepted() {
    let provider = ScriptedProvider::new(vec![
        Step::Reply(r#"[{"id":1,"category":2},]"#.into()),
        Step::Reply(r#"{"classifications":[{"id":1,"category":3}]}"#.into()),
    ]);
    let engine = engine(provider.clone(), options(50));

    let first = engine.classify_chunk(0, &items(1)).await;
    let second = engine.classify_chunk(1, &items(1)).await;

    assert_eq!(categories(&first), vec!["Nómina"]);
    assert_eq!(categories(&second), vec!["Ventas"]);
}

#[tokio::test(start_paused = true)]
async fn empty_content_retried() {
    let provider = ScriptedProvider::new(vec![
        Step::Reply(String::new()),
        Step::Reply("   ".into()),
        Step::Reply(answers(&[(1, 1)])),
    ]);
    let engine = engine(provider.clone(), options(50));

    let outcome = engine.classify_chunk(0, &items(1)).await;

    assert_eq!(categories(&outcome), vec!["Gastos Operación"]);
    assert_eq!(outcome.results[0].attempts, 3);
    assert_eq!(provider.request_count(), 3);
}

#[tokio::test(start_paused = true)]
async fn rate_limit_honours_retry_after() {
    let provider = ScriptedProvider::new(vec![
        Step::Fail(rate_limited(Some(Duration::from_secs(7)))),
        Step::Reply(answers(&[(1, 2)])),
    ]);
    let engine = engine(provider.clone(), options(50));
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = {
        let events = Arc::clone(&events);
        move |event| events.lock().unwrap().push(event)
    };

    let start = tokio::time::Instant::now();
    let outcome = engine
        .classify_chunk_with(0, &items(1), &CancellationToken::new(), &sink)
        .await
        .expect("not cancelled");
    let waited = start.elapsed();

    assert_eq!(categories(&outcome), vec!["Nómina"]);
    assert!(waited >= Duration::from_secs(7), "waited {waited:?}");
    let events = events.lock().unwrap();
    let retry = events
        .iter()
        .find_map(|event| match event {
            ClassifyEvent::Retry {
                attempt,
                delay_ms,
                error,
                ..
            } => Some((*attempt, *delay_ms, error.clone())),
            _ => None,
        })
        .expect("a retry event");
    assert_eq!(retry.0, 1);
    assert_eq!(retry.1, 7_000);
    assert!(retry.2.contains("429"), "{}", retry.2);
}

#[tokio::test(start_paused = true)]
async fn retry_after_capped() {
    let provider = ScriptedProvider::new(vec![
        Step::Fail(rate_limited(Some(Duration::from_secs(3600)))),
        Step::Reply(answers(&[(1, 2)])),
    ]);
    let engine = engine(provider.clone(), options(50));

    let start = tokio::time::Instant::now();
    let outcome = engine.classify_chunk(0, &items(1)).await;
    let waited = start.elapsed();

    assert_eq!(categories(&outcome), vec!["Nómina"]);
    assert!(waited >= Duration::from_secs(60), "waited {waited:?}");
    assert!(waited < Duration::from_secs(61), "waited {waited:?}");
}

#[tokio::test(start_paused = true)]
async fn server_error_then_success() {
    let provider = ScriptedProvider::new(vec![
        Step::Fail(server_error(500)),
        Step::Fail(LlmError::Transport {
            provider: "scripted".into(),
            message: "connection reset".into(),
        }),
        Step::Reply(answers(&[(1, 3), (2, 3)])),
    ]);
    let engine = engine(provider.clone(), options(50));

    let outcome = engine.classify_chunk(0, &items(2)).await;

    assert_eq!(categories(&outcome), vec!["Ventas", "Ventas"]);
    assert_eq!(outcome.requests, 3);
    assert_eq!(outcome.results[0].attempts, 3);
    assert!(outcome.failed.is_none());
}

#[tokio::test(start_paused = true)]
async fn hung_request_times_out() {
    let provider = ScriptedProvider::new(vec![Step::Hang, Step::Reply(answers(&[(1, 1)]))]);
    let options = ClassifyOptions {
        request_timeout: Duration::from_secs(5),
        ..options(50)
    };
    let engine = engine(provider.clone(), options);
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = {
        let events = Arc::clone(&events);
        move |event| events.lock().unwrap().push(event)
    };

    let outcome = engine
        .classify_chunk_with(0, &items(1), &CancellationToken::new(), &sink)
        .await
        .expect("not cancelled");

    assert_eq!(categories(&outcome), vec!["Gastos Operación"]);
    assert_eq!(outcome.results[0].attempts, 2);
    let timed_out = events.lock().unwrap().iter().any(|event| {
        matches!(event, ClassifyEvent::Retry { error, .. } if error.contains("timed out after 5s"))
    });
    assert!(timed_out, "a retry event names the timeout");
}

#[tokio::test(start_paused = true)]
async fn exhausted_retries_fail_chunk() {
    let provider = ScriptedProvider::new((0..4).map(|_| Step::Fail(server_error(503))).collect());
    let engine = engine(provider.clone(), options(50));

    let outcome = engine.classify_chunk(3, &items(2)).await;

    assert_eq!(provider.request_count(), 4, "1 attempt + 3 retries");
    assert_eq!(outcome.chunk_index, 3);
    assert_eq!(statuses(&outcome), vec![Status::Failed; 2]);
    assert_eq!(categories(&outcome), vec![FALLBACK_CATEGORY; 2]);
    let failed = outcome.failed.as_deref().expect("chunk marked failed");
    assert!(failed.contains("HTTP 503"), "{failed}");
    assert_eq!(outcome.results[0].reason, failed);
    assert_eq!(outcome.results[0].score, -1.0);
    assert_eq!(outcome.results[0].attempts, 4);
}

#[tokio::test(start_paused = true)]
async fn rejected_request_not_retried() {
    let provider = ScriptedProvider::new(vec![Step::Fail(LlmError::Rejected {
        provider: "scripted".into(),
        status: 401,
        body: "invalid api key".into(),
    })]);
    let engine = engine(provider.clone(), options(50));

    let outcome = engine.classify_chunk(0, &items(1)).await;

    assert_eq!(provider.request_count(), 1);
    assert_eq!(statuses(&outcome), vec![Status::Failed]);
    assert!(outcome.failed.unwrap().contains("401"));
}

#[tokio::test(start_paused = true)]
async fn failed_follow_up_fails_chunk() {
    let mut steps = vec![Step::Reply(answers(&[(1, 1)]))];
    steps.extend((0..4).map(|_| Step::Fail(server_error(502))));
    let provider = ScriptedProvider::new(steps);
    let engine = engine(provider.clone(), options(50));

    let outcome = engine.classify_chunk(0, &items(2)).await;

    assert_eq!(statuses(&outcome), vec![Status::Ok, Status::Failed]);
    assert!(outcome.failed.is_some());
    assert_eq!(outcome.results[1].attempts, 5);
}

#[tokio::test(start_paused = true)]
async fn cache_hits_skip_calls() {
    let provider = ScriptedProvider::new(vec![
        Step::Reply(r#"{"results":[{"id":1,"category":1,"score":0.8},{"id":2,"category":0},{"id":3,"category":"Viajes"}]}"#.into()),
        Step::Reply(r#"{"results":[{"id":1,"category":2},{"id":2,"category":2}]}"#.into()),
    ]);
    let cache = Arc::new(MemoryAnswerCache::new());
    let engine = Engine::new(provider.clone(), prompt(), options(50), Some(cache.clone())).unwrap();
    let items = items(3);

    let first = engine.classify_chunk(0, &items).await;
    assert_eq!(
        cache.len(),
        1,
        "only answers with a prompt category are cached"
    );
    let second = engine.classify_chunk(0, &items).await;

    assert_eq!(first.cache_hits, 0);
    assert_eq!(second.cache_hits, 1);
    assert_eq!(
        statuses(&second),
        vec![Status::Cached, Status::Ok, Status::Ok]
    );
    assert_eq!(second.results[0].category, "Gastos Operación");
    assert_eq!(second.results[0].score, 0.8);
    assert_eq!(second.results[0].attempts, 0);
    let resent: Vec<String> = sent_items(&provider.requests()[1])
        .into_iter()
        .map(|(_, text)| text)
        .collect();
    assert_eq!(
        resent,
        vec![
            items[1].primary_text().to_owned(),
            items[2].primary_text().to_owned()
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn cache_key_includes_prompt_hash() {
    let provider = ScriptedProvider::then_answer_all(vec![], 2);
    let cache = Arc::new(MemoryAnswerCache::new());
    let first = Engine::new(provider.clone(), prompt(), options(50), Some(cache.clone())).unwrap();
    let mut other_prompt = prompt();
    other_prompt.prompt_hash = "prompt-hash-2".into();
    let second = Engine::new(
        provider.clone(),
        other_prompt,
        options(50),
        Some(cache.clone()),
    )
    .unwrap();

    first.classify_chunk(0, &items(2)).await;
    let outcome = second.classify_chunk(0, &items(2)).await;

    assert_eq!(outcome.cache_hits, 0);
    assert_eq!(provider.request_count(), 2);
    assert_eq!(cache.len(), 4);
}

#[tokio::test(start_paused = true)]
async fn structured_output_off_sends_no_schema() {
    let provider = ScriptedProvider::then_answer_all(vec![], 1);
    let options = ClassifyOptions {
        structured_output: false,
        model: "gpt-test".into(),
        max_tokens: Some(900),
        ..options(50)
    };
    let engine = engine(provider.clone(), options);

    engine.classify_chunk(0, &items(1)).await;

    let request = &provider.requests()[0];
    assert_eq!(request.json_schema, None);
    assert_eq!(request.model, "gpt-test");
    assert_eq!(request.max_tokens, Some(900));
}

#[tokio::test(start_paused = true)]
async fn run_chunks_skips_and_sums_usage() {
    let provider = ScriptedProvider::then_answer_all(vec![], 3);
    let engine = engine(provider.clone(), options(4));
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = {
        let events = Arc::clone(&events);
        move |event| events.lock().unwrap().push(event)
    };

    let mut run = engine.run(
        items(10),
        HashSet::from([1]),
        CancellationToken::new(),
        sink,
    );
    let mut outcomes = Vec::new();
    while let Some(outcome) = run.next_outcome().await {
        outcomes.push(outcome);
    }
    let summary = run.finish().await;

    let mut indexes: Vec<usize> = outcomes.iter().map(|o| o.chunk_index).collect();
    indexes.sort_unstable();
    assert_eq!(indexes, vec![0, 2]);
    let chunk_2 = outcomes.iter().find(|o| o.chunk_index == 2).unwrap();
    let ids: Vec<u64> = chunk_2.results.iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![108, 109]);

    assert_eq!(summary.total_chunks, 3);
    assert_eq!(summary.skipped_chunks, 1);
    assert_eq!(summary.finished_chunks, 2);
    assert!(!summary.cancelled);
    assert_eq!(summary.requests, 2);
    assert_eq!(summary.usage.prompt_tokens, 200);
    assert_eq!(summary.usage.completion_tokens, 40);
    assert_eq!(summary.ok, 6);

    let events = events.lock().unwrap();
    assert!(matches!(
        events.first(),
        Some(ClassifyEvent::RunStarted {
            total_items: 10,
            total_chunks: 3,
            skipped_chunks: 1
        })
    ));
    assert!(matches!(
        events.last(),
        Some(ClassifyEvent::RunFinished { .. })
    ));
    let finished: Vec<(usize, usize)> = events
        .iter()
        .filter_map(|event| match event {
            ClassifyEvent::ChunkFinished { done, total, .. } => Some((*done, *total)),
            _ => None,
        })
        .collect();
    assert_eq!(finished, vec![(1, 2), (2, 2)]);
}

#[tokio::test(start_paused = true)]
async fn classify_all_returns_item_order() {
    let provider = ScriptedProvider::then_answer_all(vec![], 2);
    let engine = engine(provider.clone(), options(3));
    let items = items(8);

    let run = engine
        .classify_all(items.clone(), CancellationToken::new())
        .await;

    let ids: Vec<u64> = run.results.iter().map(|r| r.id).collect();
    let expected: Vec<u64> = items.iter().map(|i| i.id).collect();
    assert_eq!(ids, expected);
    assert_eq!(run.summary.requests, 3);
}

#[tokio::test(start_paused = true)]
async fn concurrency_limit_bounds_in_flight() {
    let steps = (0..12)
        .map(|_| Step::Delayed(Duration::from_millis(200), answers(&[(1, 1)])))
        .collect();
    let provider = ScriptedProvider::new(steps);
    let options = ClassifyOptions {
        concurrency_limit: 3,
        max_workers: 8,
        ..options(1)
    };
    let engine = engine(provider.clone(), options);

    let run = engine
        .classify_all(items(12), CancellationToken::new())
        .await;

    assert_eq!(run.summary.ok, 12);
    assert_eq!(provider.max_in_flight(), 3);
}

#[tokio::test(start_paused = true)]
async fn cancel_keeps_finished_chunks() {
    let provider = ScriptedProvider::new(vec![
        Step::Reply(answers(&[(1, 1), (2, 1)])),
        Step::Hang,
        Step::Hang,
    ]);
    let options = ClassifyOptions {
        max_workers: 1,
        ..options(2)
    };
    let engine = engine(provider.clone(), options);
    let cancel = CancellationToken::new();

    let mut run = engine.run(items(6), HashSet::new(), cancel.clone(), |_| {});
    let first = run.next_outcome().await.expect("first chunk finishes");
    tokio::time::sleep(Duration::from_secs(1)).await;
    cancel.cancel();
    let rest = run.next_outcome().await;
    let summary = run.finish().await;

    assert_eq!(first.chunk_index, 0);
    assert!(rest.is_none());
    assert!(summary.cancelled);
    assert_eq!(summary.finished_chunks, 1);
    assert_eq!(
        provider.request_count(),
        2,
        "no request starts after cancellation"
    );
}

#[tokio::test(start_paused = true)]
async fn requests_per_minute_limit_spaces_calls() {
    let provider = ScriptedProvider::then_answer_all(vec![], 1);
    let options = ClassifyOptions {
        requests_per_minute: Some(2),
        ..options(1)
    };
    let engine = engine(provider.clone(), options);

    let start = tokio::time::Instant::now();
    let run = engine
        .classify_all(items(4), CancellationToken::new())
        .await;

    assert_eq!(run.summary.ok, 4);
    // Two requests fit the full bucket; the next two wait 30 s each for a refill.
    assert!(
        start.elapsed() >= Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn invalid_prompt_rejected() {
    let provider = ScriptedProvider::new(vec![]);
    let mut bad = prompt();
    bad.categories.push((2, "Otra".into()));
    let error = Engine::new(provider, bad, ClassifyOptions::default(), None).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("category number 2 is used twice"),
        "{error}"
    );
}

#[tokio::test(start_paused = true)]
async fn tokens_per_minute_counts_real_usage() {
    let provider = ScriptedProvider::then_answer_all(vec![], 1);
    let options = ClassifyOptions {
        tokens_per_minute: Some(100),
        ..options(1)
    };
    let engine = engine(provider.clone(), options).with_token_estimator(|_| 50);

    let start = tokio::time::Instant::now();
    let run = engine
        .classify_all(items(3), CancellationToken::new())
        .await;

    assert_eq!(run.summary.ok, 3);
    // The estimate alone would let the third request start after 30 s; each call reports
    // 120 tokens, so 70 more per call are charged and the third waits longer.
    assert!(
        start.elapsed() >= Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn multi_field_items_keep_header_order() {
    let provider = ScriptedProvider::then_answer_all(vec![], 2);
    let engine = engine(provider.clone(), options(50));
    let items = vec![
        dgs_core::classify::Item {
            id: 1,
            fields: vec![
                ("cleanLineDescription".into(), "pago\tluz".into()),
                ("cleanVendor".into(), "enel".into()),
            ],
        },
        dgs_core::classify::Item {
            id: 2,
            fields: vec![
                ("cleanVendor".into(), "acme".into()),
                ("cleanLineDescription".into(), "factura".into()),
            ],
        },
    ];

    let outcome = engine.classify_chunk(0, &items).await;

    assert_eq!(statuses(&outcome), vec![Status::Ok; 2]);
    assert_eq!(
        user_message(&provider.requests()[0]),
        "id\tcleanLineDescription\tcleanVendor\n1\tpago luz\tenel\n2\tfactura\tacme"
    );
}

#[tokio::test(start_paused = true)]
async fn dropping_run_stops_requests() {
    let steps = (0..6)
        .map(|_| Step::Delayed(Duration::from_secs(10), answers(&[(1, 1)])))
        .collect();
    let provider = ScriptedProvider::new(steps);
    let options = ClassifyOptions {
        concurrency_limit: 1,
        ..options(1)
    };
    let engine = engine(provider.clone(), options);

    let run = engine.run(items(6), HashSet::new(), CancellationToken::new(), |_| {});
    tokio::time::sleep(Duration::from_secs(1)).await;
    drop(run);
    tokio::time::sleep(Duration::from_secs(100)).await;

    assert_eq!(provider.request_count(), 1);
}
