use super::*;
use chrono::{TimeZone, Utc};

fn category(id: u32, name: &str, keywords: &[&str]) -> Category {
    Category {
        id,
        name: name.to_owned(),
        description: format!("Gastos de {}", name.to_lowercase()),
        priority: 0,
        keywords: keywords.iter().map(|k| (*k).to_owned()).collect(),
    }
}

fn sample_prompt() -> Prompt {
    Prompt {
        id: "gastos".into(),
        name: "Gastos".into(),
        label: String::new(),
        template: "Clasifica cada línea.\n\n{categories}\n\nSi dudas, usa {fallback}.".into(),
        categories: vec![
            category(1, "Arriendos", &["arriendo", "alquiler"]),
            category(2, "Combustibles", &["bencina", "diésel"]),
        ],
        is_default: false,
        created_by: "ana".into(),
        created_at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
        updated_at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
        version: 1,
    }
}

fn compiled(prompt: &Prompt) -> CompiledPrompt {
    prompt.compile(&CompileOptions::default()).unwrap()
}

#[test]
fn valid_prompt_has_no_problems() {
    assert_eq!(sample_prompt().problems(DEFAULT_FALLBACK), vec![]);
    assert!(sample_prompt().validate().is_ok());
}

#[test]
fn validate_rejects_empty_id_and_name() {
    let mut prompt = sample_prompt();
    prompt.id = " ".into();
    prompt.name = String::new();
    let problems = prompt.problems(DEFAULT_FALLBACK);
    assert_eq!(problems[0], PromptError::EmptyId);
    assert_eq!(problems[1], PromptError::EmptyName { id: " ".into() });
}

#[test]
fn validate_rejects_empty_template() {
    let mut prompt = sample_prompt();
    prompt.template = "\n  ".into();
    assert_eq!(
        prompt.validate(),
        Err(PromptError::EmptyTemplate {
            id: "gastos".into()
        })
    );
}

#[test]
fn validate_names_unknown_placeholder() {
    let mut prompt = sample_prompt();
    prompt.template = "Clasifica.\nUsa {categorias} y {fallback}.".into();
    let error = prompt.validate().unwrap_err();
    assert_eq!(
        error,
        PromptError::UnknownPlaceholder {
            name: "categorias".into(),
            line: 2,
            column: 5
        }
    );
    let message = error.to_string();
    assert!(message.contains("{categorias}"), "{message}");
    assert!(message.contains("{categories}"), "{message}");
}

#[test]
fn validate_rejects_no_categories() {
    let mut prompt = sample_prompt();
    prompt.categories.clear();
    assert_eq!(
        prompt.validate(),
        Err(PromptError::NoCategories {
            id: "gastos".into()
        })
    );
}

#[test]
fn validate_rejects_empty_category_name() {
    let mut prompt = sample_prompt();
    prompt.categories[1].name = "  ".into();
    assert_eq!(
        prompt.validate(),
        Err(PromptError::EmptyCategoryName {
            index: 1,
            category_id: 2
        })
    );
}

#[test]
fn validate_rejects_category_id_zero() {
    let mut prompt = sample_prompt();
    prompt.categories[0].id = 0;
    assert_eq!(
        prompt.validate(),
        Err(PromptError::ReservedCategoryId {
            name: "Arriendos".into()
        })
    );
}

#[test]
fn validate_names_both_duplicate_ids() {
    let mut prompt = sample_prompt();
    prompt.categories[1].id = 1;
    let error = prompt.validate().unwrap_err();
    assert_eq!(
        error,
        PromptError::DuplicateCategoryId {
            category_id: 1,
            first_name: "Arriendos".into(),
            second_name: "Combustibles".into()
        }
    );
}

#[test]
fn validate_finds_duplicate_names_ignoring_accents() {
    let mut prompt = sample_prompt();
    prompt.categories.push(category(3, "Mantención", &[]));
    prompt.categories.push(category(4, "MANTENCION ", &[]));
    let error = prompt.validate().unwrap_err();
    assert_eq!(
        error,
        PromptError::DuplicateCategoryName {
            first_id: 3,
            first_name: "Mantención".into(),
            second_id: 4,
            second_name: "MANTENCION ".into()
        }
    );
    let message = error.to_string();
    assert!(message.contains("`Mantención` (id 3)"), "{message}");
    assert!(message.contains("`MANTENCION ` (id 4)"), "{message}");
}

#[test]
fn validate_rejects_category_named_like_fallback() {
    let mut prompt = sample_prompt();
    prompt.categories.push(category(9, "indeterminado", &[]));
    assert_eq!(
        prompt.validate(),
        Err(PromptError::FallbackNameClash {
            category_id: 9,
            name: "indeterminado".into(),
            fallback: "Indeterminado".into()
        })
    );
}

#[test]
fn compile_rejects_empty_fallback() {
    let options = CompileOptions {
        fallback: " ".into(),
        ..CompileOptions::default()
    };
    assert_eq!(
        sample_prompt().compile(&options),
        Err(PromptError::EmptyFallback)
    );
}

#[test]
fn compile_requires_fields_for_fields_placeholder() {
    let mut prompt = sample_prompt();
    prompt.template = "Campos: {fields}".into();
    assert_eq!(
        prompt.compile(&CompileOptions::default()),
        Err(PromptError::MissingFields)
    );

    let options = CompileOptions {
        fields: vec!["cleanGlosa".into(), "cleanCuenta".into()],
        ..CompileOptions::default()
    };
    let compiled = prompt.compile(&options).unwrap();
    assert!(
        compiled
            .system
            .starts_with("Campos: cleanGlosa, cleanCuenta"),
        "{}",
        compiled.system
    );
}

#[test]
fn problems_lists_every_error() {
    let mut prompt = sample_prompt();
    prompt.template = "{x}".into();
    prompt.categories[0].id = 2;
    let problems = prompt.problems(DEFAULT_FALLBACK);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(matches!(
        problems[0],
        PromptError::UnknownPlaceholder { .. }
    ));
    assert!(matches!(
        problems[1],
        PromptError::DuplicateCategoryId { category_id: 2, .. }
    ));
}

#[test]
fn compile_lists_categories_by_number() {
    let compiled = compiled(&sample_prompt());
    let system = &compiled.system;
    assert!(
        system.starts_with("Clasifica cada línea.\n\n0. Indeterminado: "),
        "{system}"
    );
    assert!(
        system.contains(
            "\n1. Arriendos: Gastos de arriendos\n   Palabras clave: arriendo, alquiler\n"
        ),
        "{system}"
    );
    assert!(
        system.contains(
            "\n2. Combustibles: Gastos de combustibles\n   Palabras clave: bencina, diésel"
        ),
        "{system}"
    );
    assert!(system.contains("Si dudas, usa Indeterminado."), "{system}");
    assert!(!system.contains("Prioridad"), "{system}");
}

#[test]
fn compile_appends_output_format_and_rules() {
    let compiled = compiled(&sample_prompt());
    let system = &compiled.system;
    assert!(
        system.contains(r#"{"results":[{"id":1,"category":3,"score":0.92,"reason":"#),
        "{system}"
    );
    assert!(
        system.contains("exactamente un resultado por cada ítem"),
        "{system}"
    );
    assert!(system.contains("una sola vez"), "{system}");
    assert!(system.contains("usa 0 (Indeterminado)"), "{system}");
    assert!(compiled.with_reason);
    assert_eq!(
        compiled.answer_schema()["properties"]["results"]["items"]["required"][3],
        "reason"
    );
}

#[test]
fn compile_without_reason_omits_reason() {
    let options = CompileOptions {
        with_reason: false,
        ..CompileOptions::default()
    };
    let compiled = sample_prompt().compile(&options).unwrap();
    assert!(!compiled.system.contains("reason"), "{}", compiled.system);
    assert!(
        compiled.answer_schema()["properties"]["results"]["items"]["properties"]
            .get("reason")
            .is_none()
    );
}

#[test]
fn compile_appends_categories_without_placeholder() {
    let mut prompt = sample_prompt();
    prompt.template = "Clasifica cada línea contable.".into();
    let system = compiled(&prompt).system;
    assert!(system.starts_with("Clasifica cada línea contable.\n\nCATEGORÍAS (responde con el número)\n0. Indeterminado"), "{system}");
    let categories_at = system.find("1. Arriendos").unwrap();
    let format_at = system.find("FORMATO DE RESPUESTA").unwrap();
    assert!(categories_at < format_at);
}

#[test]
fn compile_shows_priorities_when_they_differ() {
    let mut prompt = sample_prompt();
    prompt.categories[1].priority = 5;
    let system = compiled(&prompt).system;
    assert!(system.contains("   Prioridad: 5"), "{system}");
    assert!(system.contains("elige la de mayor prioridad"), "{system}");
}

#[test]
fn compiled_maps_numbers_and_names() {
    let compiled = compiled(&sample_prompt());
    assert_eq!(
        compiled.category_name(FALLBACK_CATEGORY_ID),
        Some("Indeterminado")
    );
    assert_eq!(compiled.category_name(2), Some("Combustibles"));
    assert_eq!(compiled.category_name(7), None);
    assert_eq!(compiled.category_number("COMBUSTIBLES"), Some(2));
    assert_eq!(
        compiled.category_number("indeterminado"),
        Some(FALLBACK_CATEGORY_ID)
    );
    assert_eq!(compiled.category_number("Viajes"), None);
}

#[test]
fn hash_ignores_metadata() {
    let base = compiled(&sample_prompt()).hash;
    assert_eq!(base.len(), 64);

    let mut prompt = sample_prompt();
    prompt.created_at = Utc.with_ymd_and_hms(2030, 5, 6, 7, 8, 9).unwrap();
    prompt.updated_at = prompt.created_at;
    prompt.version = 9;
    prompt.created_by = "luis".into();
    prompt.name = "Otro nombre".into();
    prompt.label = "v9".into();
    prompt.is_default = true;
    assert_eq!(compiled(&prompt).hash, base);

    prompt.categories.reverse();
    assert_eq!(
        compiled(&prompt).hash,
        base,
        "category order in the file does not change the prompt"
    );
}

#[test]
fn hash_changes_with_content() {
    let base = compiled(&sample_prompt()).hash;
    type Change = Box<dyn Fn(&mut Prompt)>;
    let changes: Vec<(&str, Change)> = vec![
        ("template", Box::new(|p| p.template.push('!'))),
        (
            "category name",
            Box::new(|p| p.categories[0].name = "Arriendo".into()),
        ),
        ("category id", Box::new(|p| p.categories[0].id = 5)),
        (
            "description",
            Box::new(|p| p.categories[0].description.push('.')),
        ),
        ("priority", Box::new(|p| p.categories[0].priority = 1)),
        (
            "keyword added",
            Box::new(|p| p.categories[0].keywords.push("renta".into())),
        ),
        (
            "keyword order",
            Box::new(|p| p.categories[0].keywords.reverse()),
        ),
        (
            "category added",
            Box::new(|p| p.categories.push(category(3, "Viajes", &[]))),
        ),
    ];
    for (what, change) in changes {
        let mut prompt = sample_prompt();
        change(&mut prompt);
        assert_ne!(
            compiled(&prompt).hash,
            base,
            "changing the {what} must change the hash"
        );
    }

    let prompt = sample_prompt();
    let other_fallback = CompileOptions {
        fallback: "Sin clasificar".into(),
        ..CompileOptions::default()
    };
    assert_ne!(prompt.compile(&other_fallback).unwrap().hash, base);
    let no_reason = CompileOptions {
        with_reason: false,
        ..CompileOptions::default()
    };
    assert_ne!(prompt.compile(&no_reason).unwrap().hash, base);
}

#[test]
fn hash_includes_fields_only_when_used() {
    let prompt = sample_prompt();
    let with_fields = CompileOptions {
        fields: vec!["cleanGlosa".into()],
        ..CompileOptions::default()
    };
    assert_eq!(
        prompt.compile(&with_fields).unwrap().hash,
        compiled(&prompt).hash
    );

    let mut uses_fields = sample_prompt();
    uses_fields.template.push_str(" Campos: {fields}");
    let other_fields = CompileOptions {
        fields: vec!["cleanCuenta".into()],
        ..CompileOptions::default()
    };
    assert_ne!(
        uses_fields.compile(&with_fields).unwrap().hash,
        uses_fields.compile(&other_fields).unwrap().hash
    );
}

#[test]
fn default_fallback_matches_classify() {
    assert_eq!(DEFAULT_FALLBACK, crate::classify::FALLBACK_CATEGORY);
}

fn examples_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/prompts")
}

#[test]
fn builtin_default_matches_example_file() {
    let example = std::fs::read_to_string(examples_dir().join("default.es.json")).unwrap();
    assert_eq!(example, BUILTIN_DEFAULT_JSON);

    let prompt = builtin_default_prompt();
    assert_eq!(prompt.validate(), Ok(()));
    assert!(prompt.is_default);
    assert!(prompt.categories.len() >= 12);
    assert!(prompt
        .categories
        .iter()
        .all(|category| !category.keywords.is_empty()));
}

#[tokio::test]
async fn example_folder_loads_as_source() {
    let source = JsonPromptSource::open(examples_dir()).unwrap();
    let prompts = source.list().await.unwrap();
    let ids: Vec<&str> = prompts.iter().map(|prompt| prompt.id.as_str()).collect();
    assert_eq!(ids, vec!["chilecompra-es", "default-es"]);
    assert_eq!(source.default_prompt().await.unwrap().id, "default-es");

    let chilecompra = source.get("chilecompra-es").await.unwrap();
    assert_eq!(chilecompra.categories.len(), 57);
    assert!(chilecompra
        .categories
        .iter()
        .all(|category| category.name != "x"));
    assert!(chilecompra.compile(&CompileOptions::default()).is_ok());
}

#[tokio::test]
async fn json_source_keeps_latest_version() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = sample_prompt();
    first.is_default = true;
    let mut second = first.clone();
    second.version = 2;
    second.categories.push(category(3, "Viajes", &["pasaje"]));
    std::fs::write(
        dir.path().join("a.json"),
        serde_json::to_string(&vec![&first, &second]).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a prompt").unwrap();

    let source = JsonPromptSource::open(dir.path()).unwrap();
    assert_eq!(source.get("gastos").await.unwrap().version, 2);
    assert_eq!(source.default_prompt().await.unwrap().categories.len(), 3);
    assert_eq!(source.list().await.unwrap().len(), 1);
    assert_eq!(
        source.get("otro").await.unwrap_err(),
        PromptError::NotFound { id: "otro".into() }
    );
}

#[test]
fn json_source_reports_syntax_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roto.json");
    std::fs::write(&path, "{\n  \"id\": \"x\",\n  \"name\" \"y\"\n}").unwrap();
    let error = JsonPromptSource::open(&path).unwrap_err();
    let PromptError::Parse {
        path: error_path,
        line,
        ..
    } = &error
    else {
        panic!("unexpected error {error:?}")
    };
    assert_eq!(error_path, &path);
    assert_eq!(*line, 3);
    assert!(error.to_string().contains("roto.json"), "{error}");
}

#[test]
fn json_source_names_file_of_invalid_prompt() {
    let dir = tempfile::tempdir().unwrap();
    let mut prompt = sample_prompt();
    prompt.categories.clear();
    let path = dir.path().join("vacio.json");
    std::fs::write(&path, serde_json::to_string(&prompt).unwrap()).unwrap();
    let error = JsonPromptSource::open(dir.path()).unwrap_err();
    assert_eq!(
        error,
        PromptError::InvalidInFile {
            path,
            id: "gastos".into(),
            source: Box::new(PromptError::NoCategories {
                id: "gastos".into()
            })
        }
    );
}

#[test]
fn json_source_rejects_two_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = sample_prompt();
    first.is_default = true;
    let mut second = first.clone();
    second.id = "otro".into();
    std::fs::write(
        dir.path().join("a.json"),
        serde_json::to_string(&first).unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.json"),
        serde_json::to_string(&second).unwrap(),
    )
    .unwrap();
    assert_eq!(
        JsonPromptSource::open(dir.path()).unwrap_err(),
        PromptError::MultipleDefaults {
            first: "gastos".into(),
            second: "otro".into()
        }
    );
}

#[test]
fn json_source_rejects_repeated_version() {
    let dir = tempfile::tempdir().unwrap();
    let prompt = sample_prompt();
    std::fs::write(
        dir.path().join("a.json"),
        serde_json::to_string(&prompt).unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.json"),
        serde_json::to_string(&prompt).unwrap(),
    )
    .unwrap();
    let error = JsonPromptSource::open(dir.path()).unwrap_err();
    assert!(
        matches!(error, PromptError::DuplicateVersion { ref id, version: 1, .. } if id == "gastos"),
        "{error:?}"
    );
}

#[tokio::test]
async fn memory_source_default_rules() {
    let source = MemoryPromptSource::new();
    assert_eq!(
        source.default_prompt().await.unwrap_err(),
        PromptError::NoDefault
    );

    source.insert(sample_prompt()).unwrap();
    assert_eq!(
        source.default_prompt().await.unwrap().id,
        "gastos",
        "a single prompt is the default"
    );

    let mut other = sample_prompt();
    other.id = "otro".into();
    source.insert(other.clone()).unwrap();
    assert_eq!(
        source.default_prompt().await.unwrap_err(),
        PromptError::NoDefault
    );

    other.version = 2;
    other.is_default = true;
    source.insert(other).unwrap();
    assert_eq!(source.default_prompt().await.unwrap().id, "otro");

    let mut invalid = sample_prompt();
    invalid.id = "malo".into();
    invalid.template = "{nada}".into();
    assert!(matches!(
        source.insert(invalid),
        Err(PromptError::UnknownPlaceholder { .. })
    ));
}
