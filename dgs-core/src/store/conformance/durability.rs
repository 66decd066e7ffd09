//! Checks that a persistent store keeps every record type across a close and reopen.

use super::chunks::{checkpoint, results_for};
use super::jobs::sample_grouping;
use super::prompts::fresh_prompt;
use super::{call, ensure_eq, ensure_same_time, fresh_job, now_millis, ConformanceReport};
use crate::classify::Classification;
use crate::llm::TokenUsage;
use crate::store::{
    CacheKey, CachedAnswer, ChunkCheckpoint, IterationRecord, JobRecord, JobStatus, JobTotals,
    SampleRecord, Store, Verdict, VerdictKind,
};
use serde::{Deserialize, Serialize};

/// Everything [`write_durability_fixture`] wrote, for [`verify_durability_fixture`] to
/// compare after the store is reopened.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DurabilityFixture {
    pub job: JobRecord,
    pub totals: JobTotals,
    pub group_of: Vec<u64>,
    pub checkpoint: ChunkCheckpoint,
    pub results: Vec<Classification>,
    pub iteration: IterationRecord,
    pub prompt_id: String,
    pub prompt_templates: Vec<String>,
    pub sample: SampleRecord,
    pub verdict: Verdict,
    pub metrics: serde_json::Value,
    pub cache_entry: (CacheKey, CachedAnswer),
}

/// Writes one record of every kind and returns what was written. Close the store after
/// this, reopen it, and call [`verify_durability_fixture`].
pub async fn write_durability_fixture(store: &dyn Store) -> Result<DurabilityFixture, String> {
    let job = fresh_job(store, "durability").await?;
    let totals = JobTotals {
        rows: 7,
        groups: 3,
        chunks: 1,
    };
    call(
        "update_job_status",
        store
            .update_job_status(&job.id, JobStatus::Running, None)
            .await,
    )?;
    call(
        "update_job_progress",
        store.update_job_progress(&job.id, totals, 1).await,
    )?;

    let (group_of, groups) = sample_grouping();
    call(
        "put_groups",
        store.put_groups(&job.id, &group_of, &groups).await,
    )?;

    let iteration = IterationRecord {
        job_id: job.id.clone(),
        iteration: 1,
        prompt_id: "gastos".into(),
        prompt_version: 2,
        prompt_hash: "c0ffee".into(),
        started_at: now_millis(),
        finished_at: None,
        usage: TokenUsage::default(),
        cost: None,
        duration_ms: None,
    };
    call("put_iteration", store.put_iteration(&iteration).await)?;

    let chunk = checkpoint(&job.id, 1, 0, vec![0, 1, 3]);
    let results = results_for(&chunk.item_ids, "Nómina");
    call("commit_chunk", store.commit_chunk(&chunk, &results).await)?;

    let prompt = fresh_prompt("durability");
    let mut second = prompt.clone();
    second.template = "Versión dos.".into();
    call("save_prompt", store.save_prompt(&prompt).await)?;
    call("save_prompt v2", store.save_prompt(&second).await)?;
    call(
        "set_default_prompt",
        store.set_default_prompt(&prompt.id).await,
    )?;

    let sample = SampleRecord {
        job_id: job.id.clone(),
        sample_id: "s1".into(),
        iteration: 1,
        seed: 20_260_101,
        created_at: now_millis(),
        group_ids: vec![3, 0],
    };
    call("put_sample", store.put_sample(&sample).await)?;

    let verdict = Verdict {
        job_id: job.id.clone(),
        group_id: 3,
        verdict: VerdictKind::Incorrect,
        corrected_category: Some("Otros".into()),
        reviewer: Some("ana.garcia".into()),
        iteration_reviewed: 1,
        recorded_at: now_millis(),
    };
    call(
        "put_verdicts",
        store.put_verdicts(std::slice::from_ref(&verdict)).await,
    )?;

    let metrics = serde_json::json!({"accuracy": 0.5, "reviewed": 2});
    call("put_metrics", store.put_metrics(&job.id, 1, &metrics).await)?;

    let cache_entry = (
        CacheKey {
            provider: "openai".into(),
            model: "gpt-4o-mini".into(),
            prompt_hash: format!("durability-{}", job.id),
            text: "pago nomina".into(),
        },
        CachedAnswer {
            category: "Nómina".into(),
            score: 0.9,
            reason: "salary".into(),
        },
    );
    call(
        "cache_put_many",
        store
            .cache_put_many(std::slice::from_ref(&cache_entry))
            .await,
    )?;

    Ok(DurabilityFixture {
        job,
        totals,
        group_of,
        checkpoint: chunk,
        results,
        iteration,
        prompt_id: prompt.id,
        prompt_templates: vec![prompt.template, second.template],
        sample,
        verdict,
        metrics,
        cache_entry,
    })
}

/// Reads back everything [`write_durability_fixture`] wrote and reports what is missing or
/// different.
pub async fn verify_durability_fixture(
    store: &dyn Store,
    fixture: &DurabilityFixture,
) -> ConformanceReport {
    let mut report = ConformanceReport::default();
    let job_id = fixture.job.id.as_str();

    report.record(
        "durable_job",
        async {
            let job = call("get_job", store.get_job(job_id).await)?;
            ensure_eq("status", &job.status, &JobStatus::Running)?;
            ensure_eq("totals", &job.totals, &fixture.totals)?;
            ensure_eq("config", &job.config, &fixture.job.config)?;
            ensure_same_time("created_at", job.created_at, fixture.job.created_at)
        }
        .await,
    );

    report.record(
        "durable_groups",
        async {
            let group_of = call("get_group_map", store.get_group_map(job_id).await)?;
            ensure_eq("group map", &group_of, &fixture.group_of)?;
            let groups = call("get_groups", store.get_groups(job_id, None).await)?;
            ensure_eq("groups", &groups, &sample_grouping().1)
        }
        .await,
    );

    report.record(
        "durable_chunk",
        async {
            let committed = call("committed_chunks", store.committed_chunks(job_id, 1).await)?;
            ensure_eq(
                "committed chunks",
                &committed,
                &vec![fixture.checkpoint.chunk_index],
            )?;
            let checkpoints = call("list_checkpoints", store.list_checkpoints(job_id, 1).await)?;
            ensure_eq(
                "checkpoint usage",
                &checkpoints[0].usage,
                &fixture.checkpoint.usage,
            )?;
            ensure_eq(
                "checkpoint item ids",
                &checkpoints[0].item_ids,
                &fixture.checkpoint.item_ids,
            )?;
            let results = call(
                "get_classifications",
                store.get_classifications(job_id, 1).await,
            )?;
            ensure_eq("classifications", &results, &fixture.results)
        }
        .await,
    );

    report.record(
        "durable_iteration",
        async {
            let iteration = call("get_iteration", store.get_iteration(job_id, 1).await)?;
            ensure_eq(
                "prompt_hash",
                &iteration.prompt_hash,
                &fixture.iteration.prompt_hash,
            )?;
            ensure_eq("finished_at", &iteration.finished_at, &None)
        }
        .await,
    );

    report.record(
        "durable_prompts",
        async {
            let history = call(
                "prompt_history",
                store.prompt_history(&fixture.prompt_id).await,
            )?;
            let templates: Vec<String> =
                history.into_iter().map(|prompt| prompt.template).collect();
            ensure_eq(
                "templates of every version",
                &templates,
                &fixture.prompt_templates,
            )?;
            let default = call("default_prompt", store.default_prompt().await)?;
            ensure_eq(
                "default prompt id",
                &default.map(|prompt| prompt.id),
                &Some(fixture.prompt_id.clone()),
            )
        }
        .await,
    );

    report.record(
        "durable_review",
        async {
            let sample = call(
                "get_sample",
                store.get_sample(job_id, &fixture.sample.sample_id).await,
            )?;
            ensure_eq(
                "sample group ids",
                &sample.group_ids,
                &fixture.sample.group_ids,
            )?;
            ensure_eq("sample seed", &sample.seed, &fixture.sample.seed)?;
            let verdicts = call("verdicts", store.verdicts(job_id).await)?;
            ensure_eq("verdict count", &verdicts.len(), &1)?;
            ensure_eq(
                "verdict",
                &verdicts[0].corrected_category,
                &fixture.verdict.corrected_category,
            )?;
            let metrics = call("get_metrics", store.get_metrics(job_id, 1).await)?;
            ensure_eq("metrics", &metrics, &Some(fixture.metrics.clone()))
        }
        .await,
    );

    report.record(
        "durable_cache",
        async {
            let (key, answer) = &fixture.cache_entry;
            let found = call(
                "cache_get_many",
                store.cache_get_many(std::slice::from_ref(key)).await,
            )?;
            ensure_eq("cached answer", &found, &vec![Some(answer.clone())])
        }
        .await,
    );

    report
}
