//! Checks of review samples, verdicts and metrics.

use super::{call, ensure_eq, ensure_same_time, expect_error, fresh_job, now_millis};
use crate::store::{SampleRecord, Store, StoreError, Verdict, VerdictKind};
use chrono::TimeDelta;

pub(crate) async fn sample_round_trip(store: &dyn Store) -> Result<(), String> {
    let job = fresh_job(store, "samples").await?;
    let base = now_millis();
    let later = SampleRecord {
        job_id: job.id.clone(),
        sample_id: "a-later".into(),
        iteration: 1,
        seed: u64::MAX,
        created_at: base + TimeDelta::seconds(10),
        group_ids: vec![40, 3, 17, u64::MAX - 1],
    };
    let earlier = SampleRecord {
        sample_id: "b-earlier".into(),
        seed: 42,
        created_at: base,
        group_ids: vec![],
        ..later.clone()
    };

    call("put_sample", store.put_sample(&later).await)?;
    call("put_sample", store.put_sample(&earlier).await)?;

    let stored = call("get_sample", store.get_sample(&job.id, "a-later").await)?;
    ensure_eq("seed (full u64 range)", &stored.seed, &u64::MAX)?;
    ensure_eq(
        "group ids (order kept)",
        &stored.group_ids,
        &later.group_ids,
    )?;
    ensure_eq("iteration", &stored.iteration, &1)?;
    ensure_same_time("created_at", stored.created_at, later.created_at)?;

    let mut retried = later.clone();
    retried.created_at = base + TimeDelta::seconds(99);
    call(
        "put_sample repeated with a new created_at",
        store.put_sample(&retried).await,
    )?;

    let listed = call("list_samples", store.list_samples(&job.id).await)?;
    let ids: Vec<&str> = listed
        .iter()
        .map(|sample| sample.sample_id.as_str())
        .collect();
    ensure_eq(
        "samples oldest first, no duplicates",
        &ids,
        &vec!["b-earlier", "a-later"],
    )?;
    ensure_same_time(
        "created_at kept after the repeat",
        listed[1].created_at,
        later.created_at,
    )?;

    let mut reseeded = later.clone();
    reseeded.seed = 7;
    expect_error(
        "put_sample with another seed under the same id",
        store.put_sample(&reseeded).await,
        "a conflict",
        |error| matches!(error, StoreError::Conflict { .. }),
    )?;
    expect_error(
        "get_sample of an unknown id",
        store.get_sample(&job.id, "missing").await,
        "not found",
        StoreError::is_not_found,
    )
}

pub(crate) async fn verdict_replacement(store: &dyn Store) -> Result<(), String> {
    let job = fresh_job(store, "verdicts").await?;
    let first_import = now_millis();
    let correct = Verdict {
        job_id: job.id.clone(),
        group_id: 12,
        verdict: VerdictKind::Correct,
        corrected_category: None,
        reviewer: Some("ana.garcia".into()),
        iteration_reviewed: 1,
        recorded_at: first_import,
    };
    let incorrect = Verdict {
        group_id: 3,
        verdict: VerdictKind::Incorrect,
        corrected_category: Some("Papelería".into()),
        ..correct.clone()
    };

    call(
        "put_verdicts",
        store
            .put_verdicts(&[correct.clone(), incorrect.clone()])
            .await,
    )?;
    let stored = call("verdicts", store.verdicts(&job.id).await)?;
    let groups: Vec<u64> = stored.iter().map(|verdict| verdict.group_id).collect();
    ensure_eq("verdict groups ordered by id", &groups, &vec![3, 12])?;
    ensure_eq(
        "corrected_category",
        &stored[0].corrected_category,
        &incorrect.corrected_category,
    )?;
    ensure_eq("reviewer", &stored[1].reviewer, &correct.reviewer)?;

    let reimport_time = first_import + TimeDelta::minutes(30);
    let reimported: Vec<Verdict> = [&incorrect, &correct]
        .into_iter()
        .map(|verdict| Verdict {
            recorded_at: reimport_time,
            ..verdict.clone()
        })
        .collect();
    call(
        "put_verdicts re-import",
        store.put_verdicts(&reimported).await,
    )?;

    let stored = call("verdicts", store.verdicts(&job.id).await)?;
    ensure_eq("verdict count after re-import", &stored.len(), &2)?;
    for verdict in &stored {
        ensure_same_time(
            &format!(
                "recorded_at of group {} after an identical re-import",
                verdict.group_id
            ),
            verdict.recorded_at,
            first_import,
        )?;
    }

    let changed = Verdict {
        verdict: VerdictKind::Correct,
        corrected_category: None,
        reviewer: Some("luis.perez".into()),
        iteration_reviewed: 2,
        recorded_at: reimport_time,
        ..incorrect.clone()
    };
    call(
        "put_verdicts with a new verdict",
        store.put_verdicts(std::slice::from_ref(&changed)).await,
    )?;

    let stored = call("verdicts", store.verdicts(&job.id).await)?;
    ensure_eq("verdict count after replacement", &stored.len(), &2)?;
    ensure_eq(
        "replaced verdict",
        &stored[0].verdict,
        &VerdictKind::Correct,
    )?;
    ensure_eq(
        "replaced corrected_category",
        &stored[0].corrected_category,
        &None,
    )?;
    ensure_eq("replaced reviewer", &stored[0].reviewer, &changed.reviewer)?;
    ensure_eq(
        "replaced iteration_reviewed",
        &stored[0].iteration_reviewed,
        &2,
    )?;
    ensure_same_time("replaced recorded_at", stored[0].recorded_at, reimport_time)?;
    ensure_eq(
        "untouched verdict",
        &stored[1].verdict,
        &VerdictKind::Correct,
    )
}

pub(crate) async fn metrics_round_trip(store: &dyn Store) -> Result<(), String> {
    let job = fresh_job(store, "metrics").await?;
    let first = serde_json::json!({
        "accuracy": 0.875,
        "accuracy_ci": [0.81, 0.93],
        "per_category": {"Nómina": {"precision": 1.0, "recall": 0.5, "f1": 0.667}},
        "indeterminado_rate": 0.02,
    });
    let replacement = serde_json::json!({"accuracy": 0.9, "reviewed": 80});

    let missing = call(
        "get_metrics before put",
        store.get_metrics(&job.id, 1).await,
    )?;
    ensure_eq("metrics before put", &missing, &None)?;

    call("put_metrics", store.put_metrics(&job.id, 1, &first).await)?;
    call(
        "put_metrics iteration 2",
        store.put_metrics(&job.id, 2, &replacement).await,
    )?;
    let stored = call("get_metrics", store.get_metrics(&job.id, 1).await)?;
    ensure_eq("metrics of iteration 1", &stored, &Some(first))?;

    call(
        "put_metrics replacement",
        store.put_metrics(&job.id, 1, &replacement).await,
    )?;
    let stored = call("get_metrics", store.get_metrics(&job.id, 1).await)?;
    ensure_eq(
        "metrics of iteration 1 after replacement",
        &stored,
        &Some(replacement.clone()),
    )?;
    let other = call("get_metrics 2", store.get_metrics(&job.id, 2).await)?;
    ensure_eq("metrics of iteration 2", &other, &Some(replacement))
}
