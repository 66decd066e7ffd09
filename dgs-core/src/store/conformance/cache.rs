//! Checks of the answer cache.

use super::{call, ensure_eq};
use crate::store::{new_job_id, CacheKey, CachedAnswer, Store};

pub(crate) async fn cache_round_trip(store: &dyn Store) -> Result<(), String> {
    let run = new_job_id();
    let key = |text: &str| CacheKey {
        provider: "openai".into(),
        model: "gpt-4o-mini".into(),
        prompt_hash: format!("prompt-{run}"),
        text: text.to_owned(),
    };
    let answer = |category: &str, score: f64| CachedAnswer {
        category: category.to_owned(),
        score,
        reason: format!("matches {category}"),
    };

    let payroll = key("pago nomina enero");
    let stationery = key("compra papeleria");
    let absent = key("no guardado");

    let before = call(
        "cache_get_many",
        store
            .cache_get_many(&[payroll.clone(), stationery.clone()])
            .await,
    )?;
    ensure_eq("answers before any put", &before, &vec![None, None])?;

    let entries = vec![
        (payroll.clone(), answer("Nómina", 0.93)),
        (stationery.clone(), answer("Papelería", 0.71)),
    ];
    call("cache_put_many", store.cache_put_many(&entries).await)?;
    call(
        "repeated cache_put_many",
        store.cache_put_many(&entries).await,
    )?;

    let found = call(
        "cache_get_many",
        store
            .cache_get_many(&[
                stationery.clone(),
                absent.clone(),
                payroll.clone(),
                stationery.clone(),
            ])
            .await,
    )?;
    ensure_eq(
        "answers in key order",
        &found,
        &vec![
            Some(answer("Papelería", 0.71)),
            None,
            Some(answer("Nómina", 0.93)),
            Some(answer("Papelería", 0.71)),
        ],
    )?;

    let other_provider = CacheKey {
        provider: "gemini".into(),
        ..payroll.clone()
    };
    let other_model = CacheKey {
        model: "gpt-4o".into(),
        ..payroll.clone()
    };
    let other_prompt = CacheKey {
        prompt_hash: format!("prompt-{run}-v2"),
        ..payroll.clone()
    };
    let misses = call(
        "cache_get_many with one field changed",
        store
            .cache_get_many(&[other_provider, other_model, other_prompt])
            .await,
    )?;
    ensure_eq(
        "answers for keys that differ in one field",
        &misses,
        &vec![None, None, None],
    )?;

    call(
        "cache_put_many replacement",
        store
            .cache_put_many(&[(payroll.clone(), answer("Honorarios", 0.5))])
            .await,
    )?;
    let replaced = call("cache_get_many", store.cache_get_many(&[payroll]).await)?;
    ensure_eq(
        "answer after replacement",
        &replaced,
        &vec![Some(answer("Honorarios", 0.5))],
    )?;

    let empty = call(
        "cache_get_many with no keys",
        store.cache_get_many(&[]).await,
    )?;
    ensure_eq("answers for no keys", &empty, &vec![])
}
