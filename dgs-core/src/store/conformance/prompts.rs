//! Checks of prompt versions and the default prompt.

use super::{call, ensure_eq, ensure_same_time, expect_error, now_millis};
use crate::prompt::{Category, Prompt};
use crate::store::{new_job_id, Store, StoreError};

/// Builds a prompt with a fresh id, so checks never see each other's versions.
pub(crate) fn fresh_prompt(label: &str) -> Prompt {
    let now = now_millis();
    Prompt {
        id: format!("conformance-{label}-{}", new_job_id()),
        name: format!("Gastos {label}"),
        label: "Clasificación de gastos".into(),
        template: "Clasifica cada línea contable en una de las categorías.".into(),
        categories: vec![
            Category {
                id: 1,
                name: "Nómina".into(),
                description: "Pagos de sueldos".into(),
                priority: 2,
                keywords: vec!["nómina".into(), "sueldo".into()],
            },
            Category {
                id: 2,
                name: "Papelería".into(),
                description: String::new(),
                priority: 0,
                keywords: vec!["papel".into()],
            },
        ],
        is_default: false,
        created_by: "conformance".into(),
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

pub(crate) async fn prompt_versioning(store: &dyn Store) -> Result<(), String> {
    let first = fresh_prompt("versions");

    let version = call("save_prompt", store.save_prompt(&first).await)?;
    ensure_eq("version of a new prompt", &version, &1)?;

    let mut repeat = first.clone();
    repeat.version = 7;
    repeat.created_by = "someone else".into();
    repeat.updated_at = first.updated_at + chrono::TimeDelta::seconds(5);
    let version = call(
        "save_prompt (same content)",
        store.save_prompt(&repeat).await,
    )?;
    ensure_eq("version after saving the same content", &version, &1)?;

    let mut changed = first.clone();
    changed.template.push_str(" Responde solo con JSON.");
    let version = call(
        "save_prompt (new template)",
        store.save_prompt(&changed).await,
    )?;
    ensure_eq("version after a template change", &version, &2)?;

    let mut recategorised = changed.clone();
    recategorised.categories[1].keywords.push("tóner".into());
    let version = call(
        "save_prompt (new keyword)",
        store.save_prompt(&recategorised).await,
    )?;
    ensure_eq("version after a keyword change", &version, &3)?;
    let version = call(
        "save_prompt (repeat)",
        store.save_prompt(&recategorised).await,
    )?;
    ensure_eq("version after repeating the last save", &version, &3)?;

    let history = call("prompt_history", store.prompt_history(&first.id).await)?;
    let versions: Vec<u32> = history.iter().map(|prompt| prompt.version).collect();
    ensure_eq("versions in history", &versions, &vec![1, 2, 3])?;
    ensure_eq("version 1 template", &history[0].template, &first.template)?;
    ensure_eq(
        "version 2 template",
        &history[1].template,
        &changed.template,
    )?;
    ensure_eq(
        "version 3 categories",
        &history[2].categories,
        &recategorised.categories,
    )?;
    ensure_same_time(
        "version 3 created_at (the first version's)",
        history[2].created_at,
        first.created_at,
    )?;

    let latest = call("get_prompt(None)", store.get_prompt(&first.id, None).await)?;
    ensure_eq("latest version", &latest.version, &3)?;
    ensure_eq("latest name", &latest.name, &first.name)?;
    ensure_eq("latest label", &latest.label, &first.label)?;
    ensure_eq("latest created_by", &latest.created_by, &first.created_by)?;

    let old = call(
        "get_prompt(Some(1))",
        store.get_prompt(&first.id, Some(1)).await,
    )?;
    ensure_eq(
        "version 1 fetched by number",
        &old.template,
        &first.template,
    )?;
    ensure_eq("version 1 categories", &old.categories, &first.categories)?;

    let listed = call("list_prompts", store.list_prompts().await)?;
    let mine: Vec<&Prompt> = listed
        .iter()
        .filter(|prompt| prompt.id == first.id)
        .collect();
    ensure_eq("copies of the prompt in list_prompts", &mine.len(), &1)?;
    ensure_eq("version in list_prompts", &mine[0].version, &3)?;

    let ids: Vec<&str> = listed.iter().map(|prompt| prompt.id.as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    ensure_eq("list_prompts ordered by id", &ids, &sorted)
}

pub(crate) async fn prompt_missing_not_found(store: &dyn Store) -> Result<(), String> {
    let prompt = fresh_prompt("missing");
    call("save_prompt", store.save_prompt(&prompt).await)?;
    let unknown = format!("missing-{}", new_job_id());

    expect_error(
        "get_prompt of an unknown id",
        store.get_prompt(&unknown, None).await,
        "not found",
        StoreError::is_not_found,
    )?;
    expect_error(
        "get_prompt of an unknown version",
        store.get_prompt(&prompt.id, Some(2)).await,
        "not found",
        StoreError::is_not_found,
    )?;
    expect_error(
        "prompt_history of an unknown id",
        store.prompt_history(&unknown).await,
        "not found",
        StoreError::is_not_found,
    )?;
    expect_error(
        "set_default_prompt of an unknown id",
        store.set_default_prompt(&unknown).await,
        "not found",
        StoreError::is_not_found,
    )
}

pub(crate) async fn default_prompt_switching(store: &dyn Store) -> Result<(), String> {
    let first = fresh_prompt("default-a");
    let second = fresh_prompt("default-b");
    call("save_prompt a", store.save_prompt(&first).await)?;
    call("save_prompt b", store.save_prompt(&second).await)?;

    call(
        "set_default_prompt a",
        store.set_default_prompt(&first.id).await,
    )?;
    call(
        "repeated set_default_prompt a",
        store.set_default_prompt(&first.id).await,
    )?;
    let default = call("default_prompt", store.default_prompt().await)?
        .ok_or("default_prompt returned None after set_default_prompt")?;
    ensure_eq("default prompt id", &default.id, &first.id)?;
    ensure_eq("is_default of default_prompt", &default.is_default, &true)?;

    let fetched = call("get_prompt a", store.get_prompt(&first.id, None).await)?;
    ensure_eq(
        "is_default of the default prompt",
        &fetched.is_default,
        &true,
    )?;
    let other = call("get_prompt b", store.get_prompt(&second.id, None).await)?;
    ensure_eq("is_default of another prompt", &other.is_default, &false)?;

    let mut updated = first.clone();
    updated.template = "Nueva plantilla.".into();
    call("save_prompt a version 2", store.save_prompt(&updated).await)?;
    let default = call("default_prompt", store.default_prompt().await)?
        .ok_or("default_prompt returned None")?;
    ensure_eq("default follows the latest version", &default.version, &2)?;
    ensure_eq("default template", &default.template, &updated.template)?;

    call(
        "set_default_prompt b",
        store.set_default_prompt(&second.id).await,
    )?;
    let default = call("default_prompt", store.default_prompt().await)?
        .ok_or("default_prompt returned None")?;
    ensure_eq("default prompt id after switching", &default.id, &second.id)?;
    let previous = call("get_prompt a", store.get_prompt(&first.id, None).await)?;
    ensure_eq(
        "is_default of the previous default",
        &previous.is_default,
        &false,
    )?;

    let listed = call("list_prompts", store.list_prompts().await)?;
    let defaults: Vec<&str> = listed
        .iter()
        .filter(|prompt| prompt.is_default)
        .map(|prompt| prompt.id.as_str())
        .collect();
    ensure_eq(
        "defaults in list_prompts",
        &defaults,
        &vec![second.id.as_str()],
    )
}
