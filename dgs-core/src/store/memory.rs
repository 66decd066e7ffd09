//! A [`Store`] kept in process memory, for tests, dry runs and short-lived jobs that need no
//! resume.

use super::error::{RecordKind, StoreError};
use super::{
    check_chunk_results, check_group_map, check_job_config, next_prompt_version, CacheKey,
    CachedAnswer, ChunkCheckpoint, GroupRecord, IterationRecord, JobRecord, JobStatus, JobTotals,
    SampleRecord, Store, Verdict,
};
use crate::classify::Classification;
use crate::prompt::Prompt;
use ahash::AHashMap;
use async_trait::async_trait;
use chrono::Utc;
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

/// A [`Store`] in memory. Everything is lost when it is dropped.
///
/// One mutex guards all tables and no call awaits while holding it, so each call, including
/// [`Store::commit_chunk`], is atomic for other callers.
#[derive(Debug, Default)]
pub struct MemoryStore {
    tables: Mutex<Tables>,
}

#[derive(Debug, Default)]
struct Tables {
    jobs: BTreeMap<String, JobRecord>,
    group_maps: AHashMap<String, Vec<u64>>,
    groups: AHashMap<String, BTreeMap<u64, GroupRecord>>,
    checkpoints: BTreeMap<(String, u32, u32), ChunkCheckpoint>,
    classifications: AHashMap<(String, u32), BTreeMap<u64, Classification>>,
    iterations: BTreeMap<(String, u32), IterationRecord>,
    /// Versions of each prompt, oldest first.
    prompts: BTreeMap<String, Vec<Prompt>>,
    default_prompt_id: Option<String>,
    samples: BTreeMap<(String, String), SampleRecord>,
    verdicts: BTreeMap<(String, u64), Verdict>,
    metrics: AHashMap<(String, u32), serde_json::Value>,
    cache: AHashMap<CacheKey, CachedAnswer>,
}

impl MemoryStore {
    /// Creates an empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn tables(&self) -> MutexGuard<'_, Tables> {
        // Every method checks its input before mutating, so a panic while the lock is held
        // cannot leave half a write behind and the poisoned data is still consistent.
        self.tables
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Tables {
    fn require_job(&self, job_id: &str) -> Result<(), StoreError> {
        if self.jobs.contains_key(job_id) {
            Ok(())
        } else {
            Err(StoreError::not_found(RecordKind::Job, job_id))
        }
    }

    fn job_mut(&mut self, job_id: &str) -> Result<&mut JobRecord, StoreError> {
        self.jobs
            .get_mut(job_id)
            .ok_or_else(|| StoreError::not_found(RecordKind::Job, job_id))
    }

    fn with_default_flag(&self, mut prompt: Prompt) -> Prompt {
        prompt.is_default = self.default_prompt_id.as_deref() == Some(prompt.id.as_str());
        prompt
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn create_job(&self, job: &JobRecord) -> Result<(), StoreError> {
        check_job_config(&job.id, &job.config)?;

        let mut tables = self.tables();
        if let Some(existing) = tables.jobs.get(&job.id) {
            if existing.same_definition(job) {
                return Ok(());
            }
            return Err(StoreError::conflict(
                RecordKind::Job,
                &job.id,
                "input path, input hash or configuration differ",
            ));
        }

        tables.jobs.insert(job.id.clone(), job.clone());
        Ok(())
    }

    async fn get_job(&self, job_id: &str) -> Result<JobRecord, StoreError> {
        self.tables()
            .jobs
            .get(job_id)
            .cloned()
            .ok_or_else(|| StoreError::not_found(RecordKind::Job, job_id))
    }

    async fn list_jobs(&self) -> Result<Vec<JobRecord>, StoreError> {
        let mut jobs: Vec<JobRecord> = self.tables().jobs.values().cloned().collect();
        jobs.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
        Ok(jobs)
    }

    async fn update_job_status(
        &self,
        job_id: &str,
        status: JobStatus,
        error: Option<String>,
    ) -> Result<(), StoreError> {
        let mut tables = self.tables();
        let job = tables.job_mut(job_id)?;
        job.status = status;
        job.error = error;
        job.updated_at = Utc::now();
        Ok(())
    }

    async fn update_job_progress(
        &self,
        job_id: &str,
        totals: JobTotals,
        current_iteration: u32,
    ) -> Result<(), StoreError> {
        let mut tables = self.tables();
        let job = tables.job_mut(job_id)?;
        job.totals = totals;
        job.current_iteration = current_iteration;
        job.updated_at = Utc::now();
        Ok(())
    }

    async fn put_groups(
        &self,
        job_id: &str,
        group_of: &[u64],
        groups: &[GroupRecord],
    ) -> Result<(), StoreError> {
        check_group_map(job_id, group_of, groups)?;

        let mut tables = self.tables();
        tables.require_job(job_id)?;

        let by_id = groups
            .iter()
            .map(|group| (group.group_id, group.clone()))
            .collect();
        tables
            .group_maps
            .insert(job_id.to_owned(), group_of.to_vec());
        tables.groups.insert(job_id.to_owned(), by_id);
        Ok(())
    }

    async fn get_group_map(&self, job_id: &str) -> Result<Vec<u64>, StoreError> {
        self.tables()
            .group_maps
            .get(job_id)
            .cloned()
            .ok_or_else(|| StoreError::not_found(RecordKind::GroupMap, job_id))
    }

    async fn get_groups(
        &self,
        job_id: &str,
        group_ids: Option<&[u64]>,
    ) -> Result<Vec<GroupRecord>, StoreError> {
        let tables = self.tables();
        let Some(groups) = tables.groups.get(job_id) else {
            return Ok(Vec::new());
        };

        let selected = match group_ids {
            None => groups.values().cloned().collect(),
            Some(ids) => {
                let mut ids = ids.to_vec();
                ids.sort_unstable();
                ids.dedup();
                ids.iter()
                    .filter_map(|id| groups.get(id).cloned())
                    .collect()
            }
        };
        Ok(selected)
    }

    async fn commit_chunk(
        &self,
        checkpoint: &ChunkCheckpoint,
        results: &[Classification],
    ) -> Result<(), StoreError> {
        check_chunk_results(checkpoint, results)?;

        let mut tables = self.tables();
        tables.require_job(&checkpoint.job_id)?;

        let iteration_key = (checkpoint.job_id.clone(), checkpoint.iteration);
        let stored = tables.classifications.entry(iteration_key).or_default();
        for result in results {
            stored.insert(result.id, result.clone());
        }

        let chunk_key = (
            checkpoint.job_id.clone(),
            checkpoint.iteration,
            checkpoint.chunk_index,
        );
        tables.checkpoints.insert(chunk_key, checkpoint.clone());
        Ok(())
    }

    async fn committed_chunks(&self, job_id: &str, iteration: u32) -> Result<Vec<u32>, StoreError> {
        let chunks = self
            .list_checkpoints(job_id, iteration)
            .await?
            .iter()
            .map(|checkpoint| checkpoint.chunk_index)
            .collect();
        Ok(chunks)
    }

    async fn list_checkpoints(
        &self,
        job_id: &str,
        iteration: u32,
    ) -> Result<Vec<ChunkCheckpoint>, StoreError> {
        let tables = self.tables();
        let from = (job_id.to_owned(), iteration, 0);
        let to = (job_id.to_owned(), iteration, u32::MAX);
        let checkpoints = tables
            .checkpoints
            .range(from..=to)
            .map(|(_, checkpoint)| checkpoint.clone())
            .collect();
        Ok(checkpoints)
    }

    async fn get_classifications(
        &self,
        job_id: &str,
        iteration: u32,
    ) -> Result<Vec<Classification>, StoreError> {
        let tables = self.tables();
        let results = tables
            .classifications
            .get(&(job_id.to_owned(), iteration))
            .map(|by_id| by_id.values().cloned().collect())
            .unwrap_or_default();
        Ok(results)
    }

    async fn put_iteration(&self, record: &IterationRecord) -> Result<(), StoreError> {
        let mut tables = self.tables();
        tables.require_job(&record.job_id)?;
        tables
            .iterations
            .insert((record.job_id.clone(), record.iteration), record.clone());
        Ok(())
    }

    async fn get_iteration(
        &self,
        job_id: &str,
        iteration: u32,
    ) -> Result<IterationRecord, StoreError> {
        self.tables()
            .iterations
            .get(&(job_id.to_owned(), iteration))
            .cloned()
            .ok_or_else(|| {
                StoreError::not_found(
                    RecordKind::Iteration,
                    format!("{job_id}/iteration {iteration}"),
                )
            })
    }

    async fn list_iterations(&self, job_id: &str) -> Result<Vec<IterationRecord>, StoreError> {
        let tables = self.tables();
        let from = (job_id.to_owned(), 0);
        let to = (job_id.to_owned(), u32::MAX);
        Ok(tables
            .iterations
            .range(from..=to)
            .map(|(_, record)| record.clone())
            .collect())
    }

    async fn save_prompt(&self, prompt: &Prompt) -> Result<u32, StoreError> {
        let mut tables = self.tables();
        let versions = tables.prompts.entry(prompt.id.clone()).or_default();

        match next_prompt_version(versions.last(), prompt, Utc::now()) {
            None => Ok(versions.last().map_or(1, |latest| latest.version)),
            Some(next) => {
                let version = next.version;
                versions.push(next);
                Ok(version)
            }
        }
    }

    async fn get_prompt(
        &self,
        prompt_id: &str,
        version: Option<u32>,
    ) -> Result<Prompt, StoreError> {
        let tables = self.tables();
        let versions = tables.prompts.get(prompt_id);
        let found = match version {
            None => versions.and_then(|versions| versions.last()),
            Some(wanted) => versions
                .and_then(|versions| versions.iter().find(|prompt| prompt.version == wanted)),
        };

        match found {
            Some(prompt) => Ok(tables.with_default_flag(prompt.clone())),
            None => Err(StoreError::not_found(
                RecordKind::Prompt,
                prompt_key(prompt_id, version),
            )),
        }
    }

    async fn list_prompts(&self) -> Result<Vec<Prompt>, StoreError> {
        let tables = self.tables();
        Ok(tables
            .prompts
            .values()
            .filter_map(|versions| versions.last())
            .map(|prompt| tables.with_default_flag(prompt.clone()))
            .collect())
    }

    async fn prompt_history(&self, prompt_id: &str) -> Result<Vec<Prompt>, StoreError> {
        let tables = self.tables();
        match tables.prompts.get(prompt_id) {
            Some(versions) if !versions.is_empty() => Ok(versions
                .iter()
                .map(|prompt| tables.with_default_flag(prompt.clone()))
                .collect()),
            _ => Err(StoreError::not_found(RecordKind::Prompt, prompt_id)),
        }
    }

    async fn set_default_prompt(&self, prompt_id: &str) -> Result<(), StoreError> {
        let mut tables = self.tables();
        let exists = tables
            .prompts
            .get(prompt_id)
            .is_some_and(|versions| !versions.is_empty());
        if !exists {
            return Err(StoreError::not_found(RecordKind::Prompt, prompt_id));
        }

        tables.default_prompt_id = Some(prompt_id.to_owned());
        Ok(())
    }

    async fn default_prompt(&self) -> Result<Option<Prompt>, StoreError> {
        let tables = self.tables();
        let latest = tables
            .default_prompt_id
            .as_ref()
            .and_then(|id| tables.prompts.get(id))
            .and_then(|versions| versions.last());
        Ok(latest.map(|prompt| tables.with_default_flag(prompt.clone())))
    }

    async fn put_sample(&self, sample: &SampleRecord) -> Result<(), StoreError> {
        let mut tables = self.tables();
        tables.require_job(&sample.job_id)?;

        let key = (sample.job_id.clone(), sample.sample_id.clone());
        if let Some(existing) = tables.samples.get(&key) {
            return check_same_sample(existing, sample);
        }

        tables.samples.insert(key, sample.clone());
        Ok(())
    }

    async fn get_sample(&self, job_id: &str, sample_id: &str) -> Result<SampleRecord, StoreError> {
        self.tables()
            .samples
            .get(&(job_id.to_owned(), sample_id.to_owned()))
            .cloned()
            .ok_or_else(|| {
                StoreError::not_found(RecordKind::Sample, format!("{job_id}/{sample_id}"))
            })
    }

    async fn list_samples(&self, job_id: &str) -> Result<Vec<SampleRecord>, StoreError> {
        let mut samples: Vec<SampleRecord> = self
            .tables()
            .samples
            .values()
            .filter(|sample| sample.job_id == job_id)
            .cloned()
            .collect();
        samples.sort_by(|a, b| (a.created_at, &a.sample_id).cmp(&(b.created_at, &b.sample_id)));
        Ok(samples)
    }

    async fn put_verdicts(&self, verdicts: &[Verdict]) -> Result<(), StoreError> {
        let mut tables = self.tables();
        for verdict in verdicts {
            tables.require_job(&verdict.job_id)?;
        }

        for verdict in verdicts {
            let key = (verdict.job_id.clone(), verdict.group_id);
            let unchanged = tables
                .verdicts
                .get(&key)
                .is_some_and(|existing| existing.same_content(verdict));
            if !unchanged {
                tables.verdicts.insert(key, verdict.clone());
            }
        }
        Ok(())
    }

    async fn verdicts(&self, job_id: &str) -> Result<Vec<Verdict>, StoreError> {
        let tables = self.tables();
        let from = (job_id.to_owned(), 0);
        let to = (job_id.to_owned(), u64::MAX);
        Ok(tables
            .verdicts
            .range(from..=to)
            .map(|(_, verdict)| verdict.clone())
            .collect())
    }

    async fn put_metrics(
        &self,
        job_id: &str,
        iteration: u32,
        metrics: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let mut tables = self.tables();
        tables.require_job(job_id)?;
        tables
            .metrics
            .insert((job_id.to_owned(), iteration), metrics.clone());
        Ok(())
    }

    async fn get_metrics(
        &self,
        job_id: &str,
        iteration: u32,
    ) -> Result<Option<serde_json::Value>, StoreError> {
        Ok(self
            .tables()
            .metrics
            .get(&(job_id.to_owned(), iteration))
            .cloned())
    }

    async fn cache_get_many(
        &self,
        keys: &[CacheKey],
    ) -> Result<Vec<Option<CachedAnswer>>, StoreError> {
        let tables = self.tables();
        Ok(keys
            .iter()
            .map(|key| tables.cache.get(key).cloned())
            .collect())
    }

    async fn cache_put_many(&self, entries: &[(CacheKey, CachedAnswer)]) -> Result<(), StoreError> {
        let mut tables = self.tables();
        for (key, answer) in entries {
            tables.cache.insert(key.clone(), answer.clone());
        }
        Ok(())
    }
}

/// Formats a prompt key for messages: `<id>` or `<id> version <n>`.
pub(crate) fn prompt_key(prompt_id: &str, version: Option<u32>) -> String {
    match version {
        Some(version) => format!("{prompt_id} version {version}"),
        None => prompt_id.to_owned(),
    }
}

/// Accepts a repeated sample write when it has the same content, else returns a conflict.
pub(crate) fn check_same_sample(
    existing: &SampleRecord,
    sample: &SampleRecord,
) -> Result<(), StoreError> {
    let same = existing.iteration == sample.iteration
        && existing.seed == sample.seed
        && existing.group_ids == sample.group_ids;
    if same {
        return Ok(());
    }

    Err(StoreError::conflict(
        RecordKind::Sample,
        format!("{}/{}", sample.job_id, sample.sample_id),
        "iteration, seed or group ids differ",
    ))
}
