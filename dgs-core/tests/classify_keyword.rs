//! The engine with the offline keyword provider and the built-in Spanish prompt: the path a
//! fresh machine without an API key runs.

use dgs_core::classify::{
    ClassificationStatus as Status, ClassifyOptions, Engine, EnginePrompt, Item,
};
use dgs_core::llm::KeywordProvider;
use dgs_core::prompt::{builtin_default_prompt, compile, CompileOptions};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn keyword_provider_classifies_every_item() {
    let compiled = compile(&builtin_default_prompt(), &CompileOptions::default()).unwrap();
    let provider = Arc::new(KeywordProvider::from_compiled(&compiled));
    let options = ClassifyOptions {
        chunk_size: 3,
        ..ClassifyOptions::default()
    };
    let engine = Engine::new(provider, EnginePrompt::from(&compiled), options, None).unwrap();
    let texts = [
        "pago sueldo marzo",
        "arriendo oficina central",
        "compra bencina camioneta",
        "póliza seguro incendio",
        "xyzzy sin pistas",
        "cuenta de luz enel",
        "iva mensual",
    ];
    let items: Vec<Item> = texts
        .iter()
        .enumerate()
        .map(|(n, text)| Item::new(n as u64, "cleanLineDescription", *text))
        .collect();

    let run = engine.classify_all(items, CancellationToken::new()).await;

    let categories: Vec<&str> = run.results.iter().map(|r| r.category.as_str()).collect();
    assert_eq!(
        categories,
        vec![
            "Remuneraciones",
            "Arriendos",
            "Combustibles",
            "Seguros",
            "Indeterminado",
            "Servicios básicos",
            "Impuestos",
        ]
    );
    assert!(run.results.iter().all(|r| r.status == Status::Ok));
    assert_eq!(run.summary.requests, 3);
    assert!(run.summary.failed_chunks.is_empty());
}
