use super::*;
use crate::llm::Message;
use crate::prompt::{builtin_default_prompt, CompileOptions};
use crate::wire::{format_items, WireItem};

fn category(id: u32, name: &str, priority: i32, keywords: &[&str]) -> Category {
    Category {
        id,
        name: name.to_owned(),
        description: String::new(),
        priority,
        keywords: keywords.iter().map(|k| (*k).to_owned()).collect(),
    }
}

fn default_provider() -> (KeywordProvider, CompiledPrompt) {
    let compiled = builtin_default_prompt()
        .compile(&CompileOptions::default())
        .unwrap();
    (KeywordProvider::from_compiled(&compiled), compiled)
}

fn classify_text(provider: &KeywordProvider, text: &str) -> WireAnswer {
    provider.classify(1, &[text.to_owned()])
}

#[test]
fn spanish_lines_get_expected_categories() {
    let (provider, compiled) = default_provider();
    let cases = [
        ("PAGO ARRIENDO OFICINA MARZO", "Arriendos"),
        ("Liquidación de sueldos marzo 2024", "Remuneraciones"),
        ("bencina camioneta ruta 5", "Combustibles"),
        (
            "MANTENCIÓN AIRE ACONDICIONADO - REPARACION",
            "Mantención y reparaciones",
        ),
        (
            "Comisión mantención cuenta corriente banco",
            "Gastos financieros",
        ),
        ("pago iva f29 septiembre", "Impuestos"),
        ("licencia office 365 anual", "Tecnología y software"),
        ("boleta de honorarios diseñador", "Honorarios"),
    ];
    for (text, expected) in cases {
        let answer = classify_text(&provider, text);
        assert_eq!(
            compiled.category_name(answer.category),
            Some(expected),
            "{text}: {answer:?}"
        );
        assert!(
            answer.score > 0.0 && answer.score <= 1.0,
            "{text}: {answer:?}"
        );
    }
}

#[test]
fn unmatched_line_gets_fallback() {
    let (provider, _) = default_provider();
    let answer = classify_text(&provider, "zzz 12345 qwerty");
    assert_eq!(answer.category, FALLBACK_CATEGORY_ID);
    assert_eq!(answer.score, 0.0);
    assert!(answer.reason.unwrap().contains("Indeterminado"));
}

#[test]
fn plural_and_accents_match() {
    let provider = KeywordProvider::new(
        &[category(1, "Viajes", 0, &["pasaje aéreo"])],
        "Indeterminado",
    );
    let answer = classify_text(&provider, "PASAJES AEREOS SANTIAGO");
    assert_eq!(answer.category, 1);
    assert_eq!(
        answer.reason.as_deref(),
        Some("palabras clave: pasaje aéreo")
    );
    assert_eq!(answer.score, 0.67);
}

#[test]
fn keywords_match_whole_words_only() {
    let provider = KeywordProvider::new(&[category(1, "Gas", 0, &["gas"])], "Indeterminado");
    assert_eq!(
        classify_text(&provider, "gasto notarial").category,
        FALLBACK_CATEGORY_ID
    );
    assert_eq!(classify_text(&provider, "cilindro de gas").category, 1);
}

#[test]
fn score_follows_formula() {
    let categories = [
        category(1, "Aaaa", 0, &["arriendo"]),
        category(2, "Bbbb", 0, &["bodega"]),
    ];
    let provider = KeywordProvider::new(&categories, "Indeterminado");

    // One keyword only: best = 2, second = 0 -> 2/4 * 1.
    assert_eq!(classify_text(&provider, "arriendo").score, 0.5);
    // A tie: best = 2, second = 2 -> 2/4 * (1 - 2/4).
    let tie = classify_text(&provider, "arriendo bodega");
    assert_eq!(tie.category, 1, "lowest id wins a tie");
    assert_eq!(tie.score, 0.25);
}

#[test]
fn ties_prefer_priority_then_lowest_id() {
    let categories = [
        category(4, "Aaaa", 0, &["cuota"]),
        category(2, "Bbbb", 0, &["cuota"]),
        category(3, "Cccc", 1, &["cuota"]),
    ];
    let provider = KeywordProvider::new(&categories, "Indeterminado");
    assert_eq!(classify_text(&provider, "cuota 3").category, 3);

    let equal_priority = KeywordProvider::new(&categories[..2], "Indeterminado");
    assert_eq!(classify_text(&equal_priority, "cuota 3").category, 2);
}

#[test]
fn longer_keyword_outweighs_shorter() {
    let categories = [
        category(1, "Aaaa", 0, &["gastos"]),
        category(2, "Bbbb", 0, &["gastos comunes"]),
    ];
    let provider = KeywordProvider::new(&categories, "Indeterminado");
    assert_eq!(
        classify_text(&provider, "GASTOS COMUNES EDIFICIO").category,
        2
    );
}

#[test]
fn generic_name_words_are_ignored() {
    let categories = [
        category(1, "Servicios de aseo", 0, &[]),
        category(2, "Servicios de transporte", 0, &[]),
        category(3, "Servicios financieros", 0, &[]),
    ];
    let provider = KeywordProvider::new(&categories, "Indeterminado");
    assert_eq!(
        classify_text(&provider, "servicio de consultoría").category,
        FALLBACK_CATEGORY_ID
    );
    let answer = classify_text(&provider, "servicio de transporte escolar");
    assert_eq!(answer.category, 2);
    assert_eq!(
        answer.reason.as_deref(),
        Some("nombre de la categoría: transporte")
    );
}

#[tokio::test]
async fn complete_answers_every_item_once() {
    let (provider, compiled) = default_provider();
    let items = vec![
        WireItem {
            id: 1,
            values: vec!["arriendo bodega enero".into()],
        },
        WireItem {
            id: 2,
            values: vec!["xx".into()],
        },
        WireItem {
            id: 7,
            values: vec!["seguro vehículo póliza 123".into()],
        },
    ];
    let request = CompletionRequest {
        messages: vec![
            Message {
                role: Role::System,
                content: compiled.system.clone(),
            },
            Message {
                role: Role::User,
                content: format_items(&["cleanGlosa".to_owned()], &items),
            },
        ],
        model: String::new(),
        temperature: 0.0,
        max_tokens: None,
        json_schema: Some(compiled.answer_schema()),
    };

    let response = provider.complete(request).await.unwrap();
    let answers: WireAnswers = serde_json::from_str(&response.content).unwrap();
    let ids: Vec<u32> = answers.results.iter().map(|answer| answer.id).collect();
    assert_eq!(ids, vec![1, 2, 7]);
    assert_eq!(
        compiled.category_name(answers.results[0].category),
        Some("Arriendos")
    );
    assert_eq!(answers.results[1].category, FALLBACK_CATEGORY_ID);
    assert_eq!(
        compiled.category_name(answers.results[2].category),
        Some("Seguros")
    );

    assert_eq!(response.model, KEYWORD_MODEL);
    assert!(response.usage.prompt_tokens > Tokenizer::O200kBase.count(&compiled.system));
    assert_eq!(
        response.usage.completion_tokens,
        Tokenizer::O200kBase.count(&response.content)
    );
}

#[tokio::test]
async fn complete_without_reason_omits_it() {
    let provider = KeywordProvider::new(
        &[category(1, "Arriendos", 0, &["arriendo"])],
        "Indeterminado",
    )
    .with_reason(false);
    let request = CompletionRequest {
        messages: vec![Message {
            role: Role::User,
            content: "id\tcleanGlosa\n1\tarriendo".into(),
        }],
        model: String::new(),
        temperature: 0.0,
        max_tokens: None,
        json_schema: None,
    };
    let response = provider.complete(request).await.unwrap();
    assert_eq!(
        response.content,
        r#"{"results":[{"id":1,"category":1,"score":0.6}]}"#
    );
}

#[tokio::test]
async fn complete_rejects_request_without_items() {
    let provider = KeywordProvider::new(&[category(1, "Arriendos", 0, &[])], "Indeterminado");
    let request = CompletionRequest {
        messages: vec![Message {
            role: Role::System,
            content: "solo sistema".into(),
        }],
        model: String::new(),
        temperature: 0.0,
        max_tokens: None,
        json_schema: None,
    };
    let error = provider.complete(request).await.unwrap_err();
    assert!(
        matches!(error, LlmError::Rejected { status: 400, .. }),
        "{error:?}"
    );
    assert!(!error.is_retryable());
}
