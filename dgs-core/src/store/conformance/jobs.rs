//! Checks of jobs, groups and the job reference every write needs.

use super::{call, ensure, ensure_eq, ensure_same_time, expect_error, fresh_job, now_millis};
use crate::classify::{Classification, ClassificationStatus};
use crate::llm::TokenUsage;
use crate::store::{
    new_job_id, ChunkCheckpoint, GroupRecord, IterationRecord, JobStatus, JobTotals, SampleRecord,
    Store, StoreError, Verdict, VerdictKind,
};
use chrono::TimeDelta;

pub(crate) async fn job_round_trip(store: &dyn Store) -> Result<(), String> {
    let job = fresh_job(store, "round_trip").await?;

    let stored = call("get_job", store.get_job(&job.id).await)?;

    ensure_eq("id", &stored.id, &job.id)?;
    ensure_eq("status", &stored.status, &JobStatus::Created)?;
    ensure_eq("input_path", &stored.input_path, &job.input_path)?;
    ensure_eq("input_hash", &stored.input_hash, &job.input_hash)?;
    ensure_eq("config", &stored.config, &job.config)?;
    ensure_eq("totals", &stored.totals, &job.totals)?;
    ensure_eq("current_iteration", &stored.current_iteration, &1)?;
    ensure_eq("error", &stored.error, &None)?;
    ensure_same_time("created_at", stored.created_at, job.created_at)?;
    ensure_same_time("updated_at", stored.updated_at, job.updated_at)
}

pub(crate) async fn job_create_is_idempotent(store: &dyn Store) -> Result<(), String> {
    let job = fresh_job(store, "idempotent").await?;
    call(
        "update_job_status",
        store
            .update_job_status(&job.id, JobStatus::Running, None)
            .await,
    )?;

    call("second create_job", store.create_job(&job).await)?;

    let listed = call("list_jobs", store.list_jobs().await)?;
    let copies = listed.iter().filter(|stored| stored.id == job.id).count();
    ensure_eq("copies of the job in list_jobs", &copies, &1)?;

    let stored = call("get_job", store.get_job(&job.id).await)?;
    ensure_eq(
        "status after a repeated create (must keep progress)",
        &stored.status,
        &JobStatus::Running,
    )
}

pub(crate) async fn job_create_conflict(store: &dyn Store) -> Result<(), String> {
    let job = fresh_job(store, "conflict").await?;

    let mut other_input = job.clone();
    other_input.input_hash = "0".repeat(64);
    let mut other_config = job.clone();
    other_config.config = serde_json::json!({"chunk_size": 10});

    for (what, record) in [
        ("create_job with another input hash", other_input),
        ("create_job with another config", other_config),
    ] {
        expect_error(
            what,
            store.create_job(&record).await,
            "a conflict",
            |error| matches!(error, StoreError::Conflict { .. }),
        )?;
    }

    let stored = call("get_job", store.get_job(&job.id).await)?;
    ensure_eq(
        "input_hash after rejected creates",
        &stored.input_hash,
        &job.input_hash,
    )?;
    ensure_eq("config after rejected creates", &stored.config, &job.config)
}

pub(crate) async fn job_list_newest_first(store: &dyn Store) -> Result<(), String> {
    let base = now_millis();
    let mut ids = Vec::new();

    for offset in [0, 2, 1] {
        let mut job = fresh_job_record("list", base + TimeDelta::seconds(offset));
        job.input_path = format!("conformance/list-{offset}.zip");
        call("create_job", store.create_job(&job).await)?;
        ids.push((offset, job.id));
    }

    let listed: Vec<String> = call("list_jobs", store.list_jobs().await)?
        .into_iter()
        .map(|job| job.id)
        .filter(|id| ids.iter().any(|(_, created)| created == id))
        .collect();

    ids.sort_by_key(|(offset, _)| -offset);
    let expected: Vec<String> = ids.into_iter().map(|(_, id)| id).collect();
    ensure_eq("job ids from list_jobs, newest first", &listed, &expected)
}

fn fresh_job_record(
    label: &str,
    created_at: chrono::DateTime<chrono::Utc>,
) -> crate::store::JobRecord {
    crate::store::JobRecord {
        id: new_job_id(),
        created_at,
        updated_at: created_at,
        status: JobStatus::Created,
        input_path: format!("conformance/{label}.zip"),
        input_hash: "ab".repeat(32),
        config: serde_json::json!({}),
        totals: JobTotals::default(),
        current_iteration: 1,
        error: None,
    }
}

pub(crate) async fn job_missing_is_not_found(store: &dyn Store) -> Result<(), String> {
    let missing = format!("missing-{}", new_job_id());

    expect_error(
        "get_job of an unknown id",
        store.get_job(&missing).await,
        "not found",
        StoreError::is_not_found,
    )?;
    expect_error(
        "update_job_status of an unknown id",
        store
            .update_job_status(&missing, JobStatus::Failed, None)
            .await,
        "not found",
        StoreError::is_not_found,
    )?;
    expect_error(
        "update_job_progress of an unknown id",
        store
            .update_job_progress(&missing, JobTotals::default(), 1)
            .await,
        "not found",
        StoreError::is_not_found,
    )?;
    expect_error(
        "get_group_map of an unknown id",
        store.get_group_map(&missing).await,
        "not found",
        StoreError::is_not_found,
    )
}

pub(crate) async fn job_status_and_progress_update(store: &dyn Store) -> Result<(), String> {
    let job = fresh_job(store, "update").await?;
    let totals = JobTotals {
        rows: 1_000,
        groups: 420,
        chunks: 9,
    };

    call(
        "update_job_status",
        store
            .update_job_status(
                &job.id,
                JobStatus::Failed,
                Some("provider timed out".into()),
            )
            .await,
    )?;
    call(
        "update_job_progress",
        store.update_job_progress(&job.id, totals, 2).await,
    )?;

    let stored = call("get_job", store.get_job(&job.id).await)?;
    ensure_eq("status", &stored.status, &JobStatus::Failed)?;
    ensure_eq(
        "error",
        &stored.error,
        &Some("provider timed out".to_owned()),
    )?;
    ensure_eq("totals", &stored.totals, &totals)?;
    ensure_eq("current_iteration", &stored.current_iteration, &2)?;
    ensure(stored.updated_at >= job.created_at, || {
        format!(
            "updated_at {} is before created_at {}",
            stored.updated_at, job.created_at
        )
    })?;

    call(
        "update_job_status clearing the error",
        store
            .update_job_status(&job.id, JobStatus::Completed, None)
            .await,
    )?;
    let stored = call("get_job", store.get_job(&job.id).await)?;
    ensure_eq("status", &stored.status, &JobStatus::Completed)?;
    ensure_eq("error after clearing", &stored.error, &None)?;
    ensure_eq("totals after a status update", &stored.totals, &totals)
}

pub(crate) async fn job_config_secret_rejected(store: &dyn Store) -> Result<(), String> {
    let mut job = fresh_job_record("secret", now_millis());
    job.config = serde_json::json!({
        "chunk_size": 50,
        "llm": {"provider": "openai", "api_key": "not-a-real-key"},
    });

    expect_error(
        "create_job with an api_key in the config",
        store.create_job(&job).await,
        "a credential error",
        |error| matches!(error, StoreError::SecretInConfig { path, .. } if path == "llm.api_key"),
    )?;
    expect_error(
        "get_job after the rejected create",
        store.get_job(&job.id).await,
        "not found",
        StoreError::is_not_found,
    )
}

/// Seven rows in three groups: rows 0, 2, 6 -> group 0; rows 1, 4 -> group 1; 3, 5 -> 3.
pub(crate) fn sample_grouping() -> (Vec<u64>, Vec<GroupRecord>) {
    let group_of = vec![0, 1, 0, 3, 1, 3, 0];
    let groups = vec![
        GroupRecord {
            group_id: 0,
            size: 3,
            fields: vec![("cleanLineDescription".into(), "pago nómina".into())],
        },
        GroupRecord {
            group_id: 1,
            size: 2,
            fields: vec![
                ("cleanLineDescription".into(), "compra papelería".into()),
                ("cleanVendor".into(), "ofimática s.a.".into()),
            ],
        },
        GroupRecord {
            group_id: 3,
            size: 2,
            fields: vec![("cleanLineDescription".into(), "".into())],
        },
    ];
    (group_of, groups)
}

pub(crate) async fn groups_round_trip(store: &dyn Store) -> Result<(), String> {
    let job = fresh_job(store, "groups").await?;
    let (group_of, groups) = sample_grouping();

    call(
        "put_groups",
        store.put_groups(&job.id, &group_of, &groups).await,
    )?;

    let map = call("get_group_map", store.get_group_map(&job.id).await)?;
    ensure_eq("group map", &map, &group_of)?;

    let all = call("get_groups(None)", store.get_groups(&job.id, None).await)?;
    ensure_eq("all groups", &all, &groups)?;

    let some = call(
        "get_groups(Some)",
        store.get_groups(&job.id, Some(&[3, 0, 99, 3])).await,
    )?;
    let ids: Vec<u64> = some.iter().map(|group| group.group_id).collect();
    ensure_eq("ids from get_groups([3, 0, 99, 3])", &ids, &vec![0, 3])?;
    ensure_eq("group 3 record", &some[1], &groups[2])
}

pub(crate) async fn groups_put_is_idempotent(store: &dyn Store) -> Result<(), String> {
    let job = fresh_job(store, "groups_twice").await?;
    let (group_of, groups) = sample_grouping();

    call(
        "put_groups",
        store.put_groups(&job.id, &group_of, &groups).await,
    )?;
    call(
        "second put_groups",
        store.put_groups(&job.id, &group_of, &groups).await,
    )?;

    let all = call("get_groups", store.get_groups(&job.id, None).await)?;
    ensure_eq("groups after two identical writes", &all, &groups)?;

    let regrouped = vec![0, 1];
    let new_groups = vec![
        GroupRecord {
            group_id: 0,
            size: 1,
            fields: vec![],
        },
        GroupRecord {
            group_id: 1,
            size: 1,
            fields: vec![],
        },
    ];
    call(
        "put_groups with a new grouping",
        store.put_groups(&job.id, &regrouped, &new_groups).await,
    )?;

    let map = call("get_group_map", store.get_group_map(&job.id).await)?;
    ensure_eq("group map after replacement", &map, &regrouped)?;
    let all = call("get_groups", store.get_groups(&job.id, None).await)?;
    ensure_eq("groups after replacement", &all, &new_groups)
}

pub(crate) async fn groups_invalid_rejected(store: &dyn Store) -> Result<(), String> {
    let job = fresh_job(store, "groups_invalid").await?;
    let (group_of, mut groups) = sample_grouping();
    groups[0].size = 2;

    expect_error(
        "put_groups with a wrong group size",
        store.put_groups(&job.id, &group_of, &groups).await,
        "an invalid-input error",
        |error| matches!(error, StoreError::Invalid { .. }),
    )?;
    expect_error(
        "get_group_map after the rejected write",
        store.get_group_map(&job.id).await,
        "not found",
        StoreError::is_not_found,
    )
}

pub(crate) async fn writes_require_job(store: &dyn Store) -> Result<(), String> {
    let missing = format!("missing-{}", new_job_id());
    let (group_of, groups) = sample_grouping();
    let now = now_millis();

    expect_error(
        "put_groups for an unknown job",
        store.put_groups(&missing, &group_of, &groups).await,
        "not found",
        StoreError::is_not_found,
    )?;

    let checkpoint = ChunkCheckpoint {
        job_id: missing.clone(),
        iteration: 1,
        chunk_index: 0,
        item_ids: vec![0],
        usage: TokenUsage::default(),
        requests: 1,
        committed_at: now,
    };
    let result = Classification {
        id: 0,
        category: "Nómina".into(),
        score: 0.9,
        reason: "salary payment".into(),
        status: ClassificationStatus::Ok,
        attempts: 1,
    };
    expect_error(
        "commit_chunk for an unknown job",
        store.commit_chunk(&checkpoint, &[result]).await,
        "not found",
        StoreError::is_not_found,
    )?;
    let committed = call(
        "committed_chunks",
        store.committed_chunks(&missing, 1).await,
    )?;
    ensure_eq("committed chunks of an unknown job", &committed, &vec![])?;

    let iteration = IterationRecord {
        job_id: missing.clone(),
        iteration: 1,
        prompt_id: "p".into(),
        prompt_version: 1,
        prompt_hash: "h".into(),
        started_at: now,
        finished_at: None,
        usage: TokenUsage::default(),
        cost: None,
        duration_ms: None,
    };
    expect_error(
        "put_iteration for an unknown job",
        store.put_iteration(&iteration).await,
        "not found",
        StoreError::is_not_found,
    )?;

    let sample = SampleRecord {
        job_id: missing.clone(),
        sample_id: "s1".into(),
        iteration: 1,
        seed: 7,
        created_at: now,
        group_ids: vec![0],
    };
    expect_error(
        "put_sample for an unknown job",
        store.put_sample(&sample).await,
        "not found",
        StoreError::is_not_found,
    )?;

    let verdict = Verdict {
        job_id: missing.clone(),
        group_id: 0,
        verdict: VerdictKind::Correct,
        corrected_category: None,
        reviewer: None,
        iteration_reviewed: 1,
        recorded_at: now,
    };
    expect_error(
        "put_verdicts for an unknown job",
        store.put_verdicts(&[verdict]).await,
        "not found",
        StoreError::is_not_found,
    )?;

    expect_error(
        "put_metrics for an unknown job",
        store
            .put_metrics(&missing, 1, &serde_json::json!({"accuracy": 1.0}))
            .await,
        "not found",
        StoreError::is_not_found,
    )
}
