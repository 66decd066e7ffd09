//! Runs the store conformance suite against every store in dgs-core, and checks that the
//! suite catches a store that breaks the contract.

use async_trait::async_trait;
use dgs_core::classify::Classification;
use dgs_core::prompt::Prompt;
use dgs_core::store::conformance::{
    run_conformance, verify_durability_fixture, write_durability_fixture,
};
use dgs_core::store::{
    CacheKey, CachedAnswer, ChunkCheckpoint, GroupRecord, IterationRecord, JobRecord, JobStatus,
    JobTotals, MemoryStore, SampleRecord, SqliteStore, Store, StoreError, Verdict,
};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_store_conforms() {
    let store = MemoryStore::new();

    let report = run_conformance(&store).await;

    report.assert_passed();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_file_store_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(dir.path().join("dgs.db")).await.unwrap());

    let report = run_conformance(store.as_ref()).await;

    report.assert_passed();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_in_memory_store_conforms() {
    let store = SqliteStore::open(":memory:").await.unwrap();

    let report = run_conformance(&store).await;

    report.assert_passed();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_store_durable_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dgs.db");

    let store = SqliteStore::open(&path).await.unwrap();
    let fixture = write_durability_fixture(&store).await.unwrap();
    drop(store);

    let reopened = SqliteStore::open(&path).await.unwrap();
    let report = verify_durability_fixture(&reopened, &fixture).await;

    report.assert_passed();
    assert_eq!(report.checks.len(), 7);
}

#[tokio::test]
async fn memory_store_loses_data_when_dropped() {
    let store = MemoryStore::new();
    let fixture = write_durability_fixture(&store).await.unwrap();

    let report = verify_durability_fixture(&MemoryStore::new(), &fixture).await;

    assert!(!report.passed());
    assert_eq!(report.failures().len(), report.checks.len(), "{report}");
}

#[tokio::test]
async fn report_names_every_check() {
    let report = run_conformance(&MemoryStore::new()).await;
    let names: Vec<&str> = report
        .checks
        .iter()
        .map(|check| check.name.as_str())
        .collect();

    assert_eq!(names.len(), 24);
    for expected in [
        "job_create_is_idempotent",
        "commit_chunk_visible_with_results",
        "prompt_versioning",
        "default_prompt_switching",
        "cache_round_trip",
        "verdict_replacement",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suite_catches_broken_store() {
    let store = BrokenStore {
        inner: MemoryStore::new(),
    };

    let report = run_conformance(&store).await;

    let failed: Vec<&str> = report
        .failures()
        .iter()
        .map(|check| check.name.as_str())
        .collect();
    assert_eq!(
        failed,
        vec![
            "job_list_newest_first",
            "commit_chunk_round_trip",
            "commit_chunk_is_idempotent",
            "commit_chunk_rejects_mismatch",
            "commit_chunk_visible_with_results",
            "classifications_per_iteration",
            "prompt_versioning",
            "default_prompt_switching",
            "verdict_replacement",
        ],
        "{report}"
    );
    let versioning = report
        .checks
        .iter()
        .find(|check| check.name == "prompt_versioning")
        .unwrap();
    assert!(
        versioning
            .message
            .as_deref()
            .unwrap()
            .contains("version after saving the same content"),
        "{versioning:?}"
    );
}

/// A store with five contract violations: jobs listed oldest first, a chunk checkpoint
/// stored before its results in a separate write, classifications in descending group id
/// order, a new prompt version on every save (the template gets a random suffix), and
/// verdicts whose re-import overwrites `recorded_at`.
struct BrokenStore {
    inner: MemoryStore,
}

#[async_trait]
impl Store for BrokenStore {
    async fn create_job(&self, job: &JobRecord) -> Result<(), StoreError> {
        self.inner.create_job(job).await
    }

    async fn get_job(&self, job_id: &str) -> Result<JobRecord, StoreError> {
        self.inner.get_job(job_id).await
    }

    async fn list_jobs(&self) -> Result<Vec<JobRecord>, StoreError> {
        let mut jobs = self.inner.list_jobs().await?;
        jobs.reverse();
        Ok(jobs)
    }

    async fn update_job_status(
        &self,
        job_id: &str,
        status: JobStatus,
        error: Option<String>,
    ) -> Result<(), StoreError> {
        self.inner.update_job_status(job_id, status, error).await
    }

    async fn update_job_progress(
        &self,
        job_id: &str,
        totals: JobTotals,
        current_iteration: u32,
    ) -> Result<(), StoreError> {
        self.inner
            .update_job_progress(job_id, totals, current_iteration)
            .await
    }

    async fn put_groups(
        &self,
        job_id: &str,
        group_of: &[u64],
        groups: &[GroupRecord],
    ) -> Result<(), StoreError> {
        self.inner.put_groups(job_id, group_of, groups).await
    }

    async fn get_group_map(&self, job_id: &str) -> Result<Vec<u64>, StoreError> {
        self.inner.get_group_map(job_id).await
    }

    async fn get_groups(
        &self,
        job_id: &str,
        group_ids: Option<&[u64]>,
    ) -> Result<Vec<GroupRecord>, StoreError> {
        self.inner.get_groups(job_id, group_ids).await
    }

    async fn commit_chunk(
        &self,
        checkpoint: &ChunkCheckpoint,
        results: &[Classification],
    ) -> Result<(), StoreError> {
        // Two writes with a suspension point between them: the checkpoint becomes visible
        // before its results.
        let empty = ChunkCheckpoint {
            item_ids: Vec::new(),
            ..checkpoint.clone()
        };
        self.inner.commit_chunk(&empty, &[]).await?;
        tokio::task::yield_now().await;
        self.inner.commit_chunk(checkpoint, results).await
    }

    async fn committed_chunks(&self, job_id: &str, iteration: u32) -> Result<Vec<u32>, StoreError> {
        self.inner.committed_chunks(job_id, iteration).await
    }

    async fn list_checkpoints(
        &self,
        job_id: &str,
        iteration: u32,
    ) -> Result<Vec<ChunkCheckpoint>, StoreError> {
        self.inner.list_checkpoints(job_id, iteration).await
    }

    async fn get_classifications(
        &self,
        job_id: &str,
        iteration: u32,
    ) -> Result<Vec<Classification>, StoreError> {
        let mut results = self.inner.get_classifications(job_id, iteration).await?;
        results.sort_by_key(|result| std::cmp::Reverse(result.id));
        Ok(results)
    }

    async fn put_iteration(&self, record: &IterationRecord) -> Result<(), StoreError> {
        self.inner.put_iteration(record).await
    }

    async fn get_iteration(
        &self,
        job_id: &str,
        iteration: u32,
    ) -> Result<IterationRecord, StoreError> {
        self.inner.get_iteration(job_id, iteration).await
    }

    async fn list_iterations(&self, job_id: &str) -> Result<Vec<IterationRecord>, StoreError> {
        self.inner.list_iterations(job_id).await
    }

    async fn save_prompt(&self, prompt: &Prompt) -> Result<u32, StoreError> {
        let mut changed = prompt.clone();
        changed.template.push_str(&format!(" [{}]", rand_suffix()));
        self.inner.save_prompt(&changed).await
    }

    async fn get_prompt(
        &self,
        prompt_id: &str,
        version: Option<u32>,
    ) -> Result<Prompt, StoreError> {
        self.inner.get_prompt(prompt_id, version).await
    }

    async fn list_prompts(&self) -> Result<Vec<Prompt>, StoreError> {
        self.inner.list_prompts().await
    }

    async fn prompt_history(&self, prompt_id: &str) -> Result<Vec<Prompt>, StoreError> {
        self.inner.prompt_history(prompt_id).await
    }

    async fn set_default_prompt(&self, prompt_id: &str) -> Result<(), StoreError> {
        self.inner.set_default_prompt(prompt_id).await
    }

    async fn default_prompt(&self) -> Result<Option<Prompt>, StoreError> {
        self.inner.default_prompt().await
    }

    async fn put_sample(&self, sample: &SampleRecord) -> Result<(), StoreError> {
        self.inner.put_sample(sample).await
    }

    async fn get_sample(&self, job_id: &str, sample_id: &str) -> Result<SampleRecord, StoreError> {
        self.inner.get_sample(job_id, sample_id).await
    }

    async fn list_samples(&self, job_id: &str) -> Result<Vec<SampleRecord>, StoreError> {
        self.inner.list_samples(job_id).await
    }

    async fn put_verdicts(&self, verdicts: &[Verdict]) -> Result<(), StoreError> {
        // Writing a different verdict first defeats the "same content keeps recorded_at"
        // rule when the real one is written again.
        let fresh: Vec<Verdict> = verdicts
            .iter()
            .map(|verdict| Verdict {
                reviewer: Some(format!("{:?}-{}", verdict.reviewer, rand_suffix())),
                ..verdict.clone()
            })
            .collect();
        self.inner.put_verdicts(&fresh).await?;
        self.inner.put_verdicts(verdicts).await
    }

    async fn verdicts(&self, job_id: &str) -> Result<Vec<Verdict>, StoreError> {
        self.inner.verdicts(job_id).await
    }

    async fn put_metrics(
        &self,
        job_id: &str,
        iteration: u32,
        metrics: &serde_json::Value,
    ) -> Result<(), StoreError> {
        self.inner.put_metrics(job_id, iteration, metrics).await
    }

    async fn get_metrics(
        &self,
        job_id: &str,
        iteration: u32,
    ) -> Result<Option<serde_json::Value>, StoreError> {
        self.inner.get_metrics(job_id, iteration).await
    }

    async fn cache_get_many(
        &self,
        keys: &[CacheKey],
    ) -> Result<Vec<Option<CachedAnswer>>, StoreError> {
        self.inner.cache_get_many(keys).await
    }

    async fn cache_put_many(&self, entries: &[(CacheKey, CachedAnswer)]) -> Result<(), StoreError> {
        self.inner.cache_put_many(entries).await
    }
}

fn rand_suffix() -> u64 {
    rand::random()
}
