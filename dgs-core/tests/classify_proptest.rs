//! Property test of the 1:1 invariant: a provider that misbehaves at random (drops,
//! duplicates, reorders and garbles answers, invents ids and categories, fails, hangs)
//! never makes the engine lose an item, invent one, or attach another item's category.

mod support;

use async_trait::async_trait;
use dgs_core::classify::{
    ClassificationStatus as Status, ClassifyOptions, Engine, Item, FALLBACK_CATEGORY,
};
use dgs_core::llm::{CompletionRequest, CompletionResponse, LlmError, LlmProvider, TokenUsage};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use support::{prompt, sent_items, FIELD};

const NAMES: [&str; 3] = ["Gastos Operación", "Nómina", "Ventas"];
const SHOUTED_NAMES: [&str; 3] = ["GASTOS OPERACION", "nomina", "ventas "];

/// Returns the category a well-behaved model gives a text: a hash of the text, 1..=3.
fn true_category(text: &str) -> u32 {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    (hash % 3) as u32 + 1
}

/// SplitMix64, enough randomness for a reproducible fake model.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

struct ChaosProvider {
    seed: u64,
    calls: AtomicU64,
}

impl ChaosProvider {
    fn answer_entries(&self, rng: &mut Rng, request: &CompletionRequest) -> Vec<Value> {
        let sent = sent_items(request);
        let mut entries = Vec::new();

        for (id, text) in &sent {
            let truth = true_category(text);
            let score = rng.below(101) as f64 / 100.0;
            match rng.below(100) {
                0..=9 => {}
                10..=17 => {
                    entries.push(json!({"id": id, "category": truth, "score": score}));
                    entries.push(json!({"id": id, "category": truth, "score": 0.1}));
                }
                18..=24 => entries.push(json!({"text": text.to_uppercase(), "category": truth})),
                25..=29 => entries.push(json!({"id": id, "category": "Desconocida"})),
                30..=34 => entries.push(json!({"id": id.to_string(), "category": truth})),
                35..=39 => {
                    entries.push(json!({"id": id, "category": SHOUTED_NAMES[truth as usize - 1]}))
                }
                40..=42 => entries.push(json!({"id": id, "category": 0, "score": 0.2})),
                43..=45 => entries.push(json!({"id": id, "category": 17})),
                46..=47 => entries.push(json!({"id": id})),
                _ => entries.push(json!({"id": id, "category": truth, "score": score})),
            }
        }

        let extras = rng.below(3);
        for n in 0..extras {
            let bogus_id = match n {
                0 => json!(sent.len() as u64 + 1 + rng.below(5)),
                1 => json!(0),
                _ => json!(-3),
            };
            entries.push(json!({"id": bogus_id, "category": rng.below(3) + 1}));
        }
        if rng.below(10) == 0 {
            entries.push(json!("not an object"));
        }

        for i in (1..entries.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            entries.swap(i, j);
        }
        entries
    }
}

#[async_trait]
impl LlmProvider for ChaosProvider {
    fn name(&self) -> &str {
        "chaos"
    }

    fn default_model(&self) -> &str {
        "chaos-1"
    }

    async fn complete(&self, request: CompletionRequest) -> Result<CompletionResponse, LlmError> {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        let mut rng = Rng(self.seed ^ call.wrapping_mul(0x2545_f491_4f6c_dd1d));
        let provider = "chaos".to_owned();

        let content = match rng.below(100) {
            0..=5 => {
                return Err(LlmError::Server {
                    provider,
                    status: 500,
                    body: "boom".into(),
                })
            }
            6..=9 => {
                return Err(LlmError::RateLimited {
                    provider,
                    retry_after: Some(Duration::from_secs(rng.below(5))),
                })
            }
            10..=11 => {
                return Err(LlmError::Transport {
                    provider,
                    message: "reset".into(),
                })
            }
            12..=13 => std::future::pending().await,
            14..=17 => r#"{"results":[{"id":1,"category":"#.to_owned(),
            18..=19 => String::new(),
            _ => {
                let entries = self.answer_entries(&mut rng, &request);
                match rng.below(4) {
                    0 => Value::Array(entries).to_string(),
                    1 => format!("```json\n{}\n```", json!({ "results": entries })),
                    2 => format!("Sure: {} Done.", json!({ "items": entries })),
                    _ => json!({ "results": entries }).to_string(),
                }
            }
        };

        Ok(CompletionResponse {
            content,
            usage: TokenUsage {
                prompt_tokens: 10,
                completion_tokens: 5,
            },
            model: "chaos-1".into(),
            request_id: None,
        })
    }
}

fn check_invariant(items: &[Item], results: &[dgs_core::classify::Classification]) {
    assert_eq!(results.len(), items.len(), "one result per item");

    let mut seen: HashMap<u64, usize> = HashMap::new();
    for result in results {
        *seen.entry(result.id).or_default() += 1;
    }
    for item in items {
        assert_eq!(
            seen.get(&item.id),
            Some(&1),
            "item {} has exactly one result",
            item.id
        );
    }
    assert_eq!(
        seen.len(),
        items.len(),
        "no result for an id not in the input"
    );

    let texts: HashMap<u64, &str> = items.iter().map(|i| (i.id, i.primary_text())).collect();
    for result in results {
        let is_known = NAMES.contains(&result.category.as_str());
        assert!(
            is_known || result.category == FALLBACK_CATEGORY,
            "category {:?} is a prompt category or the fallback",
            result.category
        );

        match result.status {
            Status::Ok if is_known => {
                let truth = NAMES[true_category(texts[&result.id]) as usize - 1];
                assert_eq!(
                    result.category, truth,
                    "item {} got another item's category",
                    result.id
                );
            }
            Status::Ok => assert!((0.0..=1.0).contains(&result.score)),
            Status::Missing | Status::Failed | Status::UnknownCategory => {
                assert_eq!(result.category, FALLBACK_CATEGORY);
                assert_eq!(result.score, -1.0);
            }
            Status::Cached => panic!("no cache in this test"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn misbehaving_model_keeps_one_result_per_item(
        texts in prop::collection::vec("[a-zñé ]{1,10}", 0..40),
        chunk_size in 1usize..9,
        max_retries in 0u32..4,
        seed in any::<u64>(),
    ) {
        let items: Vec<Item> = texts
            .iter()
            .enumerate()
            .map(|(n, text)| Item::new(1000 + n as u64, FIELD, text.clone()))
            .collect();
        let provider = Arc::new(ChaosProvider { seed, calls: AtomicU64::new(0) });
        let options = ClassifyOptions {
            chunk_size,
            max_retries,
            max_workers: 3,
            concurrency_limit: 2,
            ..ClassifyOptions::default()
        };
        let engine = Engine::new(provider, prompt(), options, None).unwrap();

        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        let run = runtime.block_on(
            engine.classify_all(items.clone(), tokio_util::sync::CancellationToken::new()),
        );

        check_invariant(&items, &run.results);
        prop_assert!(!run.summary.cancelled);
        prop_assert_eq!(run.summary.finished_chunks, items.len().div_ceil(chunk_size));
        let counted = run.summary.ok + run.summary.missing + run.summary.unknown_category
            + run.summary.failed;
        prop_assert_eq!(counted as usize, items.len());
    }
}
