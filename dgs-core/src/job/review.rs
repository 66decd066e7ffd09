//! The review loop over a stored job: drawing samples, importing verdicts and computing the
//! metrics of each iteration, so the CLI and the bindings share one implementation.

use super::error::JobError;
use super::jobs::{Jobs, StoredConfig};
use crate::classify::Classification;
use crate::prompt::Prompt;
use crate::review::{
    match_category, stratified_sample, GroupResult, ImportProblem, IterationView, ReviewItem,
    Sample, SampleCandidate, SampleOptions, VerdictImport, VerdictView,
};
use crate::store::{IterationRecord, JobRecord, SampleRecord, Verdict, VerdictKind};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};

/// A sample drawn from one iteration, ready to be written as a review file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DrawnSample {
    /// The stored record of the sample.
    pub record: SampleRecord,
    pub sample: Sample,
    /// The sampled groups with their clean fields, in group-id order.
    pub items: Vec<ReviewItem>,
    /// Category names of the iteration's prompt, for the corrected category drop-down.
    pub categories: Vec<String>,
    pub fallback: String,
}

/// Outcome of importing the verdicts of a review file into a job.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct VerdictImportReport {
    /// Verdicts stored, including those equal to the stored ones.
    pub imported: u64,
    /// Rows without a verdict.
    pub blank: u64,
    /// Rows whose group appeared earlier in the file.
    pub repeated: u64,
    /// Problems from reading the file and from matching its rows to the job.
    pub problems: Vec<ImportProblem>,
}

/// Column named in problems about the corrected category.
const CORRECTED_COLUMN: &str = "corrected category";

/// Column named in problems about the group id.
const GROUP_COLUMN: &str = "group";

impl Jobs {
    /// Draws a stratified sample of the classified groups of `iteration` (default: the
    /// current one), stores it as a [`SampleRecord`] and returns it with the review items.
    ///
    /// The sample id is derived from the iteration, seed and groups, so drawing the same
    /// sample again stores nothing new. Fails with [`JobError::NotFinished`] unless every
    /// chunk of the iteration is committed.
    pub async fn draw_sample(
        &self,
        job_id: &str,
        iteration: Option<u32>,
        options: &SampleOptions,
    ) -> Result<DrawnSample, JobError> {
        let record = self.job_record(job_id).await?;
        let iteration = iteration.unwrap_or(record.current_iteration);
        let config = StoredConfig::from_record(&record)?;
        let prompt = self.iteration_prompt(&record, iteration).await?;

        let committed = self
            .store
            .committed_chunks(job_id, iteration)
            .await
            .map_err(JobError::store(job_id))?
            .len() as u64;
        if committed < record.totals.chunks || committed == 0 {
            return Err(JobError::NotFinished {
                job_id: job_id.to_owned(),
                iteration,
                committed,
                total: record.totals.chunks,
            });
        }

        let results = self.iteration_results(job_id, iteration).await?;
        let candidates: Vec<SampleCandidate> = results
            .iter()
            .map(|group| SampleCandidate {
                group_id: group.group_id,
                category: group.category.clone(),
                score: group.score,
                group_size: group.group_size,
            })
            .collect();
        let sample = stratified_sample(&candidates, options).map_err(|error| JobError::Config {
            job_id: job_id.to_owned(),
            message: error.to_string(),
        })?;

        let group_ids: Vec<u64> = sample.items.iter().map(|item| item.group_id).collect();
        let sample_record = SampleRecord {
            job_id: job_id.to_owned(),
            sample_id: sample_id(iteration, sample.seed, &group_ids),
            iteration,
            seed: sample.seed,
            created_at: chrono::Utc::now(),
            group_ids: group_ids.clone(),
        };
        self.store
            .put_sample(&sample_record)
            .await
            .map_err(JobError::store(job_id))?;

        let items = self.review_items(job_id, iteration, &group_ids).await?;
        tracing::info!(job_id, iteration, sample_id = %sample_record.sample_id, groups = group_ids.len(), "sample drawn");
        Ok(DrawnSample {
            record: sample_record,
            sample,
            items,
            categories: prompt.categories.iter().map(|c| c.name.clone()).collect(),
            fallback: config.options.compile.fallback,
        })
    }

    /// Stores the verdicts of `import` for the job and returns the counts and problems.
    ///
    /// A corrected category is matched to the prompt's categories and the fallback with
    /// [`match_category`]. One that matches none is reported as a problem, and the verdict
    /// is still stored as incorrect without a corrected category, because the reviewer's
    /// rejection of the predicted category holds. Rows naming a group the job does not
    /// have are reported and not stored. Verdicts of groups absent from the file are kept.
    ///
    /// Each verdict records the iteration of the latest sample containing its group, or the
    /// current iteration when no sample contains it.
    pub async fn import_verdicts(
        &self,
        job_id: &str,
        import: &VerdictImport,
        reviewer: Option<String>,
    ) -> Result<VerdictImportReport, JobError> {
        let record = self.job_record(job_id).await?;
        let config = StoredConfig::from_record(&record)?;
        let samples = self
            .store
            .list_samples(job_id)
            .await
            .map_err(JobError::store(job_id))?;
        let mut reviewed_iteration: HashMap<u64, u32> = HashMap::new();
        for sample in &samples {
            for group_id in &sample.group_ids {
                reviewed_iteration.insert(*group_id, sample.iteration);
            }
        }

        let mut report = VerdictImportReport {
            blank: import.blank,
            repeated: import.repeated,
            problems: import.problems.clone(),
            ..VerdictImportReport::default()
        };
        let ids: Vec<u64> = import.verdicts.iter().map(|v| v.group_id).collect();
        let known: BTreeSet<u64> = self
            .store
            .get_groups(job_id, Some(&ids))
            .await
            .map_err(JobError::store(job_id))?
            .into_iter()
            .map(|group| group.group_id)
            .collect();

        let mut prompts: HashMap<u32, Vec<String>> = HashMap::new();
        let now = chrono::Utc::now();
        let mut verdicts = Vec::with_capacity(import.verdicts.len());
        for imported in &import.verdicts {
            if !known.contains(&imported.group_id) {
                report.problems.push(ImportProblem {
                    line: imported.line,
                    column: GROUP_COLUMN.to_owned(),
                    value: imported.group_id.to_string(),
                    message: format!("group {} is not a group of job {job_id}", imported.group_id),
                });
                continue;
            }

            let iteration = reviewed_iteration
                .get(&imported.group_id)
                .copied()
                .unwrap_or(record.current_iteration);
            if let Entry::Vacant(slot) = prompts.entry(iteration) {
                let prompt = self.iteration_prompt(&record, iteration).await?;
                let mut names: Vec<String> =
                    prompt.categories.iter().map(|c| c.name.clone()).collect();
                names.push(config.options.compile.fallback.clone());
                slot.insert(names);
            }
            let categories = &prompts[&iteration];

            let mut verdict = imported.to_verdict(job_id, reviewer.clone(), iteration, now);
            if let Some(written) = &imported.corrected_category {
                verdict.corrected_category = match_category(written, categories);
                if verdict.corrected_category.is_none() {
                    report.problems.push(ImportProblem {
                        line: imported.line,
                        column: CORRECTED_COLUMN.to_owned(),
                        value: written.clone(),
                        message: format!(
                            "corrected category {written:?} is not a category of the prompt; \
                             the verdict was stored as incorrect without a corrected category"
                        ),
                    });
                }
            }
            if verdict.verdict == VerdictKind::Correct {
                verdict.corrected_category = None;
            }
            verdicts.push(verdict);
        }

        self.store
            .put_verdicts(&verdicts)
            .await
            .map_err(JobError::store(job_id))?;
        report.imported = verdicts.len() as u64;
        tracing::info!(
            job_id,
            imported = report.imported,
            problems = report.problems.len(),
            "verdicts imported"
        );
        Ok(report)
    }

    /// Returns the job's verdicts, each judged against the category its group had in the
    /// iteration the reviewer saw.
    pub async fn verdict_views(&self, job_id: &str) -> Result<Vec<VerdictView>, JobError> {
        let verdicts: Vec<Verdict> = self
            .store
            .verdicts(job_id)
            .await
            .map_err(JobError::store(job_id))?;

        let mut categories: HashMap<u32, HashMap<u64, String>> = HashMap::new();
        let mut views = Vec::with_capacity(verdicts.len());
        for verdict in &verdicts {
            let iteration = verdict.iteration_reviewed;
            if let Entry::Vacant(slot) = categories.entry(iteration) {
                let results = self.classifications(job_id, iteration).await?;
                let by_id = results.into_iter().map(|c| (c.id, c.category)).collect();
                slot.insert(by_id);
            }
            let Some(category) = categories[&iteration].get(&verdict.group_id) else {
                continue;
            };
            views.push(VerdictView::from_verdict(verdict, category));
        }
        Ok(views)
    }

    /// Builds the view of one iteration: its classifications, its metrics against the
    /// job's verdicts, and its tokens, cost and duration.
    pub async fn iteration_view(
        &self,
        job_id: &str,
        iteration: u32,
    ) -> Result<IterationView, JobError> {
        let record = self.job_record(job_id).await?;
        let config = StoredConfig::from_record(&record)?;
        let iteration_record: IterationRecord = self
            .store
            .get_iteration(job_id, iteration)
            .await
            .map_err(JobError::store(job_id))?;
        let results = self.iteration_results(job_id, iteration).await?;
        let verdicts = self.verdict_views(job_id).await?;

        let samples = self
            .store
            .list_samples(job_id)
            .await
            .map_err(JobError::store(job_id))?;
        let sampled: BTreeSet<u64> = samples
            .iter()
            .filter(|sample| sample.iteration == iteration)
            .flat_map(|sample| sample.group_ids.iter().copied())
            .collect();

        Ok(IterationView::build(
            iteration,
            results,
            &verdicts,
            sampled.len() as u64,
            &config.options.compile.fallback,
            iteration_record.usage,
            iteration_record.cost,
            iteration_record.duration_ms,
        ))
    }

    /// Computes the metrics of `iteration` (default: the current one) with
    /// [`Jobs::iteration_view`], stores them and returns the view.
    pub async fn iteration_metrics(
        &self,
        job_id: &str,
        iteration: Option<u32>,
    ) -> Result<IterationView, JobError> {
        let iteration = match iteration {
            Some(iteration) => iteration,
            None => self.job_record(job_id).await?.current_iteration,
        };
        let view = self.iteration_view(job_id, iteration).await?;
        let metrics = serde_json::to_value(&view.metrics).map_err(|error| JobError::Config {
            job_id: job_id.to_owned(),
            message: error.to_string(),
        })?;
        self.store
            .put_metrics(job_id, iteration, &metrics)
            .await
            .map_err(JobError::store(job_id))?;
        Ok(view)
    }

    /// Returns the views of every iteration of the job, ascending.
    pub async fn iteration_views(&self, job_id: &str) -> Result<Vec<IterationView>, JobError> {
        let iterations = self
            .store
            .list_iterations(job_id)
            .await
            .map_err(JobError::store(job_id))?;
        let mut views = Vec::with_capacity(iterations.len());
        for iteration in iterations {
            views.push(self.iteration_view(job_id, iteration.iteration).await?);
        }
        Ok(views)
    }

    async fn job_record(&self, job_id: &str) -> Result<JobRecord, JobError> {
        self.store
            .get_job(job_id)
            .await
            .map_err(JobError::store(job_id))
    }

    /// Returns the prompt of `iteration`: the one in its iteration record, or the job's
    /// prompt when the iteration has no record yet.
    async fn iteration_prompt(
        &self,
        record: &JobRecord,
        iteration: u32,
    ) -> Result<Prompt, JobError> {
        let (prompt_id, version) = match self.store.get_iteration(&record.id, iteration).await {
            Ok(stored) => (stored.prompt_id, stored.prompt_version),
            Err(_) => {
                let config = StoredConfig::from_record(record)?;
                (config.prompt_id, config.prompt_version)
            }
        };
        self.store
            .get_prompt(&prompt_id, Some(version))
            .await
            .map_err(JobError::store(&record.id))
    }

    async fn classifications(
        &self,
        job_id: &str,
        iteration: u32,
    ) -> Result<Vec<Classification>, JobError> {
        self.store
            .get_classifications(job_id, iteration)
            .await
            .map_err(JobError::store(job_id))
    }

    /// Returns the iteration's classifications joined with the group sizes.
    async fn iteration_results(
        &self,
        job_id: &str,
        iteration: u32,
    ) -> Result<Vec<GroupResult>, JobError> {
        let classifications = self.classifications(job_id, iteration).await?;
        let sizes: HashMap<u64, u64> = self
            .store
            .get_groups(job_id, None)
            .await
            .map_err(JobError::store(job_id))?
            .into_iter()
            .map(|group| (group.group_id, group.size))
            .collect();

        let mut results = Vec::with_capacity(classifications.len());
        for classification in classifications {
            let Some(size) = sizes.get(&classification.id) else {
                return Err(JobError::Config {
                    job_id: job_id.to_owned(),
                    message: format!(
                        "iteration {iteration} classifies group {} that has no stored group",
                        classification.id
                    ),
                });
            };
            results.push(GroupResult {
                group_id: classification.id,
                category: classification.category,
                score: classification.score,
                group_size: *size,
            });
        }
        Ok(results)
    }

    /// Returns the review items of `group_ids`: their clean fields and the iteration's
    /// category, score and reason.
    async fn review_items(
        &self,
        job_id: &str,
        iteration: u32,
        group_ids: &[u64],
    ) -> Result<Vec<ReviewItem>, JobError> {
        let groups = self
            .store
            .get_groups(job_id, Some(group_ids))
            .await
            .map_err(JobError::store(job_id))?;
        let results: HashMap<u64, Classification> = self
            .classifications(job_id, iteration)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();

        let mut items = Vec::with_capacity(groups.len());
        for group in groups {
            let Some(result) = results.get(&group.group_id) else {
                continue;
            };
            // NOTE: the original columns of the representative row are not stored with the
            // group, so review files show only the clean fields.
            items.push(ReviewItem {
                group_id: group.group_id,
                group_size: group.size,
                fields: group.fields,
                original: Vec::new(),
                category: result.category.clone(),
                score: result.score,
                reason: result.reason.clone(),
            });
        }
        Ok(items)
    }
}

/// Derives a sample id from its content, so the same draw gets the same id.
fn sample_id(iteration: u32, seed: u64, group_ids: &[u64]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(iteration.to_le_bytes());
    hasher.update(seed.to_le_bytes());
    for group_id in group_ids {
        hasher.update(group_id.to_le_bytes());
    }
    let digest = hasher.finalize();
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("i{iteration}-{hex}")
}
