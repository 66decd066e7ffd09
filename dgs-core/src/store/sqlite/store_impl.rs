//! [`Store`] methods of [`SqliteStore`]: SQL for each record type.

use super::codec::{
    cache_key_hash, decode_ids, encode_ids, format_time, from_json, parse_optional_time,
    parse_time, to_i64, to_json, to_u64, Context, Ctx,
};
use super::SqliteStore;
use crate::classify::{Classification, ClassificationStatus};
use crate::llm::TokenUsage;
use crate::prompt::Prompt;
use crate::store::memory::{check_same_sample, prompt_key};
use crate::store::validate::chunk_key;
use crate::store::{
    check_chunk_results, check_group_map, check_job_config, next_prompt_version, CacheKey,
    CachedAnswer, ChunkCheckpoint, GroupRecord, IterationRecord, JobRecord, JobStatus, JobTotals,
    RecordKind, SampleRecord, Store, StoreError, Verdict, VerdictKind,
};
use async_trait::async_trait;
use chrono::Utc;
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};

const DEFAULT_PROMPT_SETTING: &str = "default_prompt_id";

const JOB_COLUMNS: &str = "id, created_at, updated_at, status, input_path, input_hash, config, \
     total_rows, total_groups, total_chunks, current_iteration, error";

const CHECKPOINT_COLUMNS: &str = "job_id, iteration, chunk_index, item_ids, prompt_tokens, \
     completion_tokens, requests, committed_at";

const ITERATION_COLUMNS: &str = "job_id, iteration, prompt_id, prompt_version, prompt_hash, \
     started_at, finished_at, prompt_tokens, completion_tokens, cost, duration_ms";

const PROMPT_COLUMNS: &str =
    "id, version, name, label, template, categories, created_by, created_at, updated_at";

const SAMPLE_COLUMNS: &str = "job_id, sample_id, iteration, seed, created_at, group_ids";

const VERDICT_COLUMNS: &str =
    "job_id, group_id, verdict, corrected_category, reviewer, iteration_reviewed, recorded_at";

fn require_job(connection: &Connection, ctx: &Ctx, job_id: &str) -> Result<(), StoreError> {
    let exists: bool = connection
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM jobs WHERE id = ?1)",
            [job_id],
            |row| row.get(0),
        )
        .context(ctx)?;
    if exists {
        Ok(())
    } else {
        Err(StoreError::not_found(RecordKind::Job, job_id))
    }
}

/// Runs a query and converts each row with `convert`.
fn collect_rows<T>(
    connection: &Connection,
    ctx: &Ctx,
    sql: &str,
    params: impl rusqlite::Params,
    mut convert: impl FnMut(&Ctx, &Row<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut statement = connection.prepare_cached(sql).context(ctx)?;
    let mut rows = statement.query(params).context(ctx)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().context(ctx)? {
        out.push(convert(ctx, row)?);
    }
    Ok(out)
}

fn job_from_row(ctx: &Ctx, row: &Row<'_>) -> Result<JobRecord, StoreError> {
    let id: String = row.get(0).context(ctx)?;
    let status_name: String = row.get(3).context(ctx)?;
    let status = JobStatus::parse(&status_name)
        .ok_or_else(|| ctx.corrupt(&id, format!("unknown job status `{status_name}`")))?;
    let config_text: String = row.get(6).context(ctx)?;

    Ok(JobRecord {
        created_at: parse_time(ctx, &id, &row.get::<_, String>(1).context(ctx)?)?,
        updated_at: parse_time(ctx, &id, &row.get::<_, String>(2).context(ctx)?)?,
        status,
        input_path: row.get(4).context(ctx)?,
        input_hash: row.get(5).context(ctx)?,
        config: from_json(ctx, &id, &config_text)?,
        totals: JobTotals {
            rows: to_u64(ctx, &id, "total_rows", row.get(7).context(ctx)?)?,
            groups: to_u64(ctx, &id, "total_groups", row.get(8).context(ctx)?)?,
            chunks: to_u64(ctx, &id, "total_chunks", row.get(9).context(ctx)?)?,
        },
        current_iteration: row.get(10).context(ctx)?,
        error: row.get(11).context(ctx)?,
        id,
    })
}

fn checkpoint_from_row(ctx: &Ctx, row: &Row<'_>) -> Result<ChunkCheckpoint, StoreError> {
    let job_id: String = row.get(0).context(ctx)?;
    let iteration: u32 = row.get(1).context(ctx)?;
    let chunk_index: u32 = row.get(2).context(ctx)?;
    let key = format!("{job_id}/iteration {iteration}/chunk {chunk_index}");
    let item_ids: Vec<u8> = row.get(3).context(ctx)?;

    Ok(ChunkCheckpoint {
        item_ids: decode_ids(ctx, &key, &item_ids)?,
        usage: TokenUsage {
            prompt_tokens: to_u64(ctx, &key, "prompt_tokens", row.get(4).context(ctx)?)?,
            completion_tokens: to_u64(ctx, &key, "completion_tokens", row.get(5).context(ctx)?)?,
        },
        requests: row.get(6).context(ctx)?,
        committed_at: parse_time(ctx, &key, &row.get::<_, String>(7).context(ctx)?)?,
        job_id,
        iteration,
        chunk_index,
    })
}

fn iteration_from_row(ctx: &Ctx, row: &Row<'_>) -> Result<IterationRecord, StoreError> {
    let job_id: String = row.get(0).context(ctx)?;
    let iteration: u32 = row.get(1).context(ctx)?;
    let key = format!("{job_id}/iteration {iteration}");
    let duration_ms: Option<i64> = row.get(10).context(ctx)?;

    Ok(IterationRecord {
        prompt_id: row.get(2).context(ctx)?,
        prompt_version: row.get(3).context(ctx)?,
        prompt_hash: row.get(4).context(ctx)?,
        started_at: parse_time(ctx, &key, &row.get::<_, String>(5).context(ctx)?)?,
        finished_at: parse_optional_time(ctx, &key, row.get(6).context(ctx)?)?,
        usage: TokenUsage {
            prompt_tokens: to_u64(ctx, &key, "prompt_tokens", row.get(7).context(ctx)?)?,
            completion_tokens: to_u64(ctx, &key, "completion_tokens", row.get(8).context(ctx)?)?,
        },
        cost: row.get(9).context(ctx)?,
        duration_ms: duration_ms
            .map(|value| to_u64(ctx, &key, "duration_ms", value))
            .transpose()?,
        job_id,
        iteration,
    })
}

fn prompt_from_row(ctx: &Ctx, row: &Row<'_>) -> Result<Prompt, StoreError> {
    let id: String = row.get(0).context(ctx)?;
    let version: u32 = row.get(1).context(ctx)?;
    let key = prompt_key(&id, Some(version));
    let categories: String = row.get(5).context(ctx)?;

    Ok(Prompt {
        name: row.get(2).context(ctx)?,
        label: row.get(3).context(ctx)?,
        template: row.get(4).context(ctx)?,
        categories: from_json(ctx, &key, &categories)?,
        is_default: false,
        created_by: row.get(6).context(ctx)?,
        created_at: parse_time(ctx, &key, &row.get::<_, String>(7).context(ctx)?)?,
        updated_at: parse_time(ctx, &key, &row.get::<_, String>(8).context(ctx)?)?,
        id,
        version,
    })
}

fn sample_from_row(ctx: &Ctx, row: &Row<'_>) -> Result<SampleRecord, StoreError> {
    let job_id: String = row.get(0).context(ctx)?;
    let sample_id: String = row.get(1).context(ctx)?;
    let key = format!("{job_id}/{sample_id}");
    let seed: i64 = row.get(3).context(ctx)?;
    let group_ids: Vec<u8> = row.get(5).context(ctx)?;

    Ok(SampleRecord {
        iteration: row.get(2).context(ctx)?,
        seed: seed as u64,
        created_at: parse_time(ctx, &key, &row.get::<_, String>(4).context(ctx)?)?,
        group_ids: decode_ids(ctx, &key, &group_ids)?,
        job_id,
        sample_id,
    })
}

fn verdict_from_row(ctx: &Ctx, row: &Row<'_>) -> Result<Verdict, StoreError> {
    let job_id: String = row.get(0).context(ctx)?;
    let group_id: i64 = row.get(1).context(ctx)?;
    let key = format!("{job_id}/group {group_id}");
    let verdict_name: String = row.get(2).context(ctx)?;
    let verdict = VerdictKind::parse(&verdict_name)
        .ok_or_else(|| ctx.corrupt(&key, format!("unknown verdict `{verdict_name}`")))?;

    Ok(Verdict {
        group_id: to_u64(ctx, &key, "group_id", group_id)?,
        verdict,
        corrected_category: row.get(3).context(ctx)?,
        reviewer: row.get(4).context(ctx)?,
        iteration_reviewed: row.get(5).context(ctx)?,
        recorded_at: parse_time(ctx, &key, &row.get::<_, String>(6).context(ctx)?)?,
        job_id,
    })
}

fn parse_status(ctx: &Ctx, key: &str, name: &str) -> Result<ClassificationStatus, StoreError> {
    let status = match name {
        "ok" => ClassificationStatus::Ok,
        "cached" => ClassificationStatus::Cached,
        "missing" => ClassificationStatus::Missing,
        "unknown_category" => ClassificationStatus::UnknownCategory,
        "failed" => ClassificationStatus::Failed,
        other => {
            return Err(ctx.corrupt(key, format!("unknown classification status `{other}`")));
        }
    };
    Ok(status)
}

fn default_prompt_id(connection: &Connection, ctx: &Ctx) -> Result<Option<String>, StoreError> {
    connection
        .query_row(
            "SELECT value FROM settings WHERE name = ?1",
            [DEFAULT_PROMPT_SETTING],
            |row| row.get(0),
        )
        .optional()
        .context(ctx)
}

fn latest_prompt(
    connection: &Connection,
    ctx: &Ctx,
    prompt_id: &str,
) -> Result<Option<Prompt>, StoreError> {
    let sql =
        format!("SELECT {PROMPT_COLUMNS} FROM prompts WHERE id = ?1 ORDER BY version DESC LIMIT 1");
    let mut prompts = collect_rows(connection, ctx, &sql, [prompt_id], prompt_from_row)?;
    Ok(prompts.pop())
}

fn mark_default(mut prompt: Prompt, default_id: Option<&str>) -> Prompt {
    prompt.is_default = default_id == Some(prompt.id.as_str());
    prompt
}

#[async_trait]
impl Store for SqliteStore {
    async fn create_job(&self, job: &JobRecord) -> Result<(), StoreError> {
        check_job_config(&job.id, &job.config)?;
        let job = job.clone();

        self.run("create", "jobs", Some(&job.id.clone()), move |connection, ctx| {
            let config = to_json(ctx, &job.config)?;
            let transaction = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .context(ctx)?;

            let existing = transaction
                .query_row(
                    "SELECT input_path, input_hash, config FROM jobs WHERE id = ?1",
                    [&job.id],
                    |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?)),
                )
                .optional()
                .context(ctx)?;
            if let Some((input_path, input_hash, stored_config)) = existing {
                if input_path == job.input_path && input_hash == job.input_hash && stored_config == config {
                    return Ok(());
                }
                return Err(StoreError::conflict(
                    RecordKind::Job,
                    &job.id,
                    "input path, input hash or configuration differ",
                ));
            }

            let kind = RecordKind::Job;
            transaction
                .execute(
                    &format!("INSERT INTO jobs ({JOB_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
                    params![
                        job.id,
                        format_time(job.created_at),
                        format_time(job.updated_at),
                        job.status.as_str(),
                        job.input_path,
                        job.input_hash,
                        config,
                        to_i64(job.totals.rows, kind, &job.id, "total_rows")?,
                        to_i64(job.totals.groups, kind, &job.id, "total_groups")?,
                        to_i64(job.totals.chunks, kind, &job.id, "total_chunks")?,
                        job.current_iteration,
                        job.error,
                    ],
                )
                .context(ctx)?;
            transaction.commit().context(ctx)
        })
        .await
    }

    async fn get_job(&self, job_id: &str) -> Result<JobRecord, StoreError> {
        let id = job_id.to_owned();
        self.run("get", "jobs", Some(job_id), move |connection, ctx| {
            let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1");
            collect_rows(connection, ctx, &sql, [&id], job_from_row)?
                .pop()
                .ok_or_else(|| StoreError::not_found(RecordKind::Job, &id))
        })
        .await
    }

    async fn list_jobs(&self) -> Result<Vec<JobRecord>, StoreError> {
        self.run("list", "jobs", None, |connection, ctx| {
            let sql = format!("SELECT {JOB_COLUMNS} FROM jobs ORDER BY created_at DESC, id DESC");
            collect_rows(connection, ctx, &sql, [], job_from_row)
        })
        .await
    }

    async fn update_job_status(
        &self,
        job_id: &str,
        status: JobStatus,
        error: Option<String>,
    ) -> Result<(), StoreError> {
        let id = job_id.to_owned();
        self.run(
            "update_status",
            "jobs",
            Some(job_id),
            move |connection, ctx| {
                let changed = connection
                    .execute(
                        "UPDATE jobs SET status = ?2, error = ?3, updated_at = ?4 WHERE id = ?1",
                        params![id, status.as_str(), error, format_time(Utc::now())],
                    )
                    .context(ctx)?;
                if changed == 0 {
                    return Err(StoreError::not_found(RecordKind::Job, &id));
                }
                Ok(())
            },
        )
        .await
    }

    async fn update_job_progress(
        &self,
        job_id: &str,
        totals: JobTotals,
        current_iteration: u32,
    ) -> Result<(), StoreError> {
        let id = job_id.to_owned();
        self.run(
            "update_progress",
            "jobs",
            Some(job_id),
            move |connection, ctx| {
                let kind = RecordKind::Job;
                let changed = connection
                    .execute(
                        "UPDATE jobs SET total_rows = ?2, total_groups = ?3, total_chunks = ?4, \
                     current_iteration = ?5, updated_at = ?6 WHERE id = ?1",
                        params![
                            id,
                            to_i64(totals.rows, kind, &id, "total_rows")?,
                            to_i64(totals.groups, kind, &id, "total_groups")?,
                            to_i64(totals.chunks, kind, &id, "total_chunks")?,
                            current_iteration,
                            format_time(Utc::now()),
                        ],
                    )
                    .context(ctx)?;
                if changed == 0 {
                    return Err(StoreError::not_found(RecordKind::Job, &id));
                }
                Ok(())
            },
        )
        .await
    }

    async fn put_groups(
        &self,
        job_id: &str,
        group_of: &[u64],
        groups: &[GroupRecord],
    ) -> Result<(), StoreError> {
        check_group_map(job_id, group_of, groups)?;
        let id = job_id.to_owned();
        let blob = encode_ids(group_of);
        let row_count = group_of.len() as i64;
        let groups = groups.to_vec();

        self.run("put", "groups", Some(job_id), move |connection, ctx| {
            let transaction = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .context(ctx)?;
            require_job(&transaction, ctx, &id)?;

            transaction
                .execute(
                    "INSERT OR REPLACE INTO group_maps (job_id, row_count, group_of) VALUES (?1, ?2, ?3)",
                    params![id, row_count, blob],
                )
                .context(ctx)?;
            transaction
                .execute("DELETE FROM groups WHERE job_id = ?1", [&id])
                .context(ctx)?;

            {
                let mut insert = transaction
                    .prepare_cached("INSERT INTO groups (job_id, group_id, size, fields) VALUES (?1, ?2, ?3, ?4)")
                    .context(ctx)?;
                for group in &groups {
                    let group_id = to_i64(group.group_id, RecordKind::Group, &id, "group_id")?;
                    let size = to_i64(group.size, RecordKind::Group, &id, "size")?;
                    let fields = to_json(ctx, &group.fields)?;
                    insert.execute(params![id, group_id, size, fields]).context(ctx)?;
                }
            }

            transaction.commit().context(ctx)
        })
        .await
    }

    async fn get_group_map(&self, job_id: &str) -> Result<Vec<u64>, StoreError> {
        let id = job_id.to_owned();
        self.run("get", "group_maps", Some(job_id), move |connection, ctx| {
            let found: Option<(i64, Vec<u8>)> = connection
                .query_row(
                    "SELECT row_count, group_of FROM group_maps WHERE job_id = ?1",
                    [&id],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()
                .context(ctx)?;
            let Some((row_count, blob)) = found else {
                return Err(StoreError::not_found(RecordKind::GroupMap, &id));
            };

            let group_of = decode_ids(ctx, &id, &blob)?;
            if group_of.len() as i64 != row_count {
                return Err(ctx.corrupt(
                    &id,
                    format!(
                        "group map has {} rows, expected {row_count}",
                        group_of.len()
                    ),
                ));
            }
            Ok(group_of)
        })
        .await
    }

    async fn get_groups(
        &self,
        job_id: &str,
        group_ids: Option<&[u64]>,
    ) -> Result<Vec<GroupRecord>, StoreError> {
        let id = job_id.to_owned();
        let mut requested_ids = group_ids.map(<[u64]>::to_vec);
        if let Some(ids) = requested_ids.as_mut() {
            ids.sort_unstable();
            ids.dedup();
        }

        self.run("get", "groups", Some(job_id), move |connection, ctx| {
            let convert = |ctx: &Ctx, row: &Row<'_>| -> Result<GroupRecord, StoreError> {
                let group_id: i64 = row.get(0).context(ctx)?;
                let key = format!("{id}/group {group_id}");
                let fields: String = row.get(2).context(ctx)?;
                Ok(GroupRecord {
                    group_id: to_u64(ctx, &key, "group_id", group_id)?,
                    size: to_u64(ctx, &key, "size", row.get(1).context(ctx)?)?,
                    fields: from_json(ctx, &key, &fields)?,
                })
            };

            let Some(ids) = requested_ids else {
                return collect_rows(
                    connection,
                    ctx,
                    "SELECT group_id, size, fields FROM groups WHERE job_id = ?1 ORDER BY group_id",
                    [&id],
                    convert,
                );
            };

            let transaction = connection.transaction().context(ctx)?;
            let mut out = Vec::with_capacity(ids.len());
            for group_id in ids {
                let Ok(group_id) = i64::try_from(group_id) else {
                    continue;
                };
                let found = collect_rows(
                    &transaction,
                    ctx,
                    "SELECT group_id, size, fields FROM groups WHERE job_id = ?1 AND group_id = ?2",
                    params![id, group_id],
                    convert,
                )?;
                out.extend(found);
            }
            Ok(out)
        })
        .await
    }

    async fn commit_chunk(
        &self,
        checkpoint: &ChunkCheckpoint,
        results: &[Classification],
    ) -> Result<(), StoreError> {
        check_chunk_results(checkpoint, results)?;
        let checkpoint = checkpoint.clone();
        let results = results.to_vec();
        let job_id = checkpoint.job_id.clone();

        self.run("commit_chunk", "chunk_checkpoints", Some(&job_id), move |connection, ctx| {
            let key = chunk_key(&checkpoint);
            let kind = RecordKind::ChunkCheckpoint;
            let transaction = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .context(ctx)?;
            require_job(&transaction, ctx, &checkpoint.job_id)?;

            // The checkpoint goes first: if a result fails to insert, the transaction rolls
            // back both, so no reader ever sees a checkpoint without its results.
            transaction
                .execute(
                    &format!("INSERT OR REPLACE INTO chunk_checkpoints ({CHECKPOINT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
                    params![
                        checkpoint.job_id,
                        checkpoint.iteration,
                        checkpoint.chunk_index,
                        encode_ids(&checkpoint.item_ids),
                        to_i64(checkpoint.usage.prompt_tokens, kind, &key, "prompt_tokens")?,
                        to_i64(checkpoint.usage.completion_tokens, kind, &key, "completion_tokens")?,
                        checkpoint.requests,
                        format_time(checkpoint.committed_at),
                    ],
                )
                .context(ctx)?;

            {
                let mut insert = transaction
                    .prepare_cached(
                        "INSERT OR REPLACE INTO classifications \
                         (job_id, iteration, group_id, category, score, reason, status, attempts) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    )
                    .context(ctx)?;
                for result in &results {
                    let group_id = to_i64(result.id, RecordKind::Classification, &key, "item id")?;
                    insert
                        .execute(params![
                            checkpoint.job_id,
                            checkpoint.iteration,
                            group_id,
                            result.category,
                            result.score,
                            result.reason,
                            result.status.as_str(),
                            result.attempts,
                        ])
                        .context(ctx)?;
                }
            }

            transaction.commit().context(ctx)
        })
        .await
    }

    async fn committed_chunks(&self, job_id: &str, iteration: u32) -> Result<Vec<u32>, StoreError> {
        let id = job_id.to_owned();
        self.run("list", "chunk_checkpoints", Some(job_id), move |connection, ctx| {
            collect_rows(
                connection,
                ctx,
                "SELECT chunk_index FROM chunk_checkpoints WHERE job_id = ?1 AND iteration = ?2 ORDER BY chunk_index",
                params![id, iteration],
                |ctx, row| row.get(0).context(ctx),
            )
        })
        .await
    }

    async fn list_checkpoints(
        &self,
        job_id: &str,
        iteration: u32,
    ) -> Result<Vec<ChunkCheckpoint>, StoreError> {
        let id = job_id.to_owned();
        self.run("list", "chunk_checkpoints", Some(job_id), move |connection, ctx| {
            let sql = format!(
                "SELECT {CHECKPOINT_COLUMNS} FROM chunk_checkpoints WHERE job_id = ?1 AND iteration = ?2 ORDER BY chunk_index"
            );
            collect_rows(connection, ctx, &sql, params![id, iteration], checkpoint_from_row)
        })
        .await
    }

    async fn get_classifications(
        &self,
        job_id: &str,
        iteration: u32,
    ) -> Result<Vec<Classification>, StoreError> {
        let id = job_id.to_owned();
        self.run(
            "list",
            "classifications",
            Some(job_id),
            move |connection, ctx| {
                collect_rows(
                connection,
                ctx,
                "SELECT group_id, category, score, reason, status, attempts FROM classifications \
                 WHERE job_id = ?1 AND iteration = ?2 ORDER BY group_id",
                params![id, iteration],
                |ctx, row| {
                    let group_id: i64 = row.get(0).context(ctx)?;
                    let key = format!("{id}/iteration {iteration}/group {group_id}");
                    let status: String = row.get(4).context(ctx)?;
                    Ok(Classification {
                        id: to_u64(ctx, &key, "group_id", group_id)?,
                        category: row.get(1).context(ctx)?,
                        score: row.get(2).context(ctx)?,
                        reason: row.get(3).context(ctx)?,
                        status: parse_status(ctx, &key, &status)?,
                        attempts: row.get(5).context(ctx)?,
                    })
                },
            )
            },
        )
        .await
    }

    async fn put_iteration(&self, record: &IterationRecord) -> Result<(), StoreError> {
        let record = record.clone();
        let job_id = record.job_id.clone();

        self.run("put", "iterations", Some(&job_id), move |connection, ctx| {
            let key = format!("{}/iteration {}", record.job_id, record.iteration);
            let kind = RecordKind::Iteration;
            let duration_ms = record
                .duration_ms
                .map(|value| to_i64(value, kind, &key, "duration_ms"))
                .transpose()?;

            let transaction = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .context(ctx)?;
            require_job(&transaction, ctx, &record.job_id)?;
            transaction
                .execute(
                    &format!("INSERT OR REPLACE INTO iterations ({ITERATION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
                    params![
                        record.job_id,
                        record.iteration,
                        record.prompt_id,
                        record.prompt_version,
                        record.prompt_hash,
                        format_time(record.started_at),
                        record.finished_at.map(format_time),
                        to_i64(record.usage.prompt_tokens, kind, &key, "prompt_tokens")?,
                        to_i64(record.usage.completion_tokens, kind, &key, "completion_tokens")?,
                        record.cost,
                        duration_ms,
                    ],
                )
                .context(ctx)?;
            transaction.commit().context(ctx)
        })
        .await
    }

    async fn get_iteration(
        &self,
        job_id: &str,
        iteration: u32,
    ) -> Result<IterationRecord, StoreError> {
        let id = job_id.to_owned();
        self.run("get", "iterations", Some(job_id), move |connection, ctx| {
            let sql = format!(
                "SELECT {ITERATION_COLUMNS} FROM iterations WHERE job_id = ?1 AND iteration = ?2"
            );
            collect_rows(
                connection,
                ctx,
                &sql,
                params![id, iteration],
                iteration_from_row,
            )?
            .pop()
            .ok_or_else(|| {
                StoreError::not_found(RecordKind::Iteration, format!("{id}/iteration {iteration}"))
            })
        })
        .await
    }

    async fn list_iterations(&self, job_id: &str) -> Result<Vec<IterationRecord>, StoreError> {
        let id = job_id.to_owned();
        self.run("list", "iterations", Some(job_id), move |connection, ctx| {
            let sql = format!("SELECT {ITERATION_COLUMNS} FROM iterations WHERE job_id = ?1 ORDER BY iteration");
            collect_rows(connection, ctx, &sql, [&id], iteration_from_row)
        })
        .await
    }

    async fn save_prompt(&self, prompt: &Prompt) -> Result<u32, StoreError> {
        let prompt = prompt.clone();

        self.run("save", "prompts", None, move |connection, ctx| {
            let transaction = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .context(ctx)?;
            let latest = latest_prompt(&transaction, ctx, &prompt.id)?;

            let Some(next) = next_prompt_version(latest.as_ref(), &prompt, Utc::now()) else {
                return Ok(latest.map_or(1, |latest| latest.version));
            };

            transaction
                .execute(
                    &format!("INSERT INTO prompts ({PROMPT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
                    params![
                        next.id,
                        next.version,
                        next.name,
                        next.label,
                        next.template,
                        to_json(ctx, &next.categories)?,
                        next.created_by,
                        format_time(next.created_at),
                        format_time(next.updated_at),
                    ],
                )
                .context(ctx)?;
            transaction.commit().context(ctx)?;
            Ok(next.version)
        })
        .await
    }

    async fn get_prompt(
        &self,
        prompt_id: &str,
        version: Option<u32>,
    ) -> Result<Prompt, StoreError> {
        let id = prompt_id.to_owned();
        self.run("get", "prompts", None, move |connection, ctx| {
            let transaction = connection.transaction().context(ctx)?;
            let found = match version {
                None => latest_prompt(&transaction, ctx, &id)?,
                Some(version) => {
                    let sql = format!(
                        "SELECT {PROMPT_COLUMNS} FROM prompts WHERE id = ?1 AND version = ?2"
                    );
                    collect_rows(
                        &transaction,
                        ctx,
                        &sql,
                        params![id, version],
                        prompt_from_row,
                    )?
                    .pop()
                }
            };
            let default_id = default_prompt_id(&transaction, ctx)?;

            found
                .map(|prompt| mark_default(prompt, default_id.as_deref()))
                .ok_or_else(|| StoreError::not_found(RecordKind::Prompt, prompt_key(&id, version)))
        })
        .await
    }

    async fn list_prompts(&self) -> Result<Vec<Prompt>, StoreError> {
        self.run("list", "prompts", None, |connection, ctx| {
            let transaction = connection.transaction().context(ctx)?;
            let sql = format!(
                "SELECT {PROMPT_COLUMNS} FROM prompts AS p \
                 WHERE version = (SELECT MAX(version) FROM prompts WHERE id = p.id) ORDER BY id"
            );
            let prompts = collect_rows(&transaction, ctx, &sql, [], prompt_from_row)?;
            let default_id = default_prompt_id(&transaction, ctx)?;

            Ok(prompts
                .into_iter()
                .map(|prompt| mark_default(prompt, default_id.as_deref()))
                .collect())
        })
        .await
    }

    async fn prompt_history(&self, prompt_id: &str) -> Result<Vec<Prompt>, StoreError> {
        let id = prompt_id.to_owned();
        self.run("history", "prompts", None, move |connection, ctx| {
            let transaction = connection.transaction().context(ctx)?;
            let sql =
                format!("SELECT {PROMPT_COLUMNS} FROM prompts WHERE id = ?1 ORDER BY version");
            let versions = collect_rows(&transaction, ctx, &sql, [&id], prompt_from_row)?;
            if versions.is_empty() {
                return Err(StoreError::not_found(RecordKind::Prompt, &id));
            }
            let default_id = default_prompt_id(&transaction, ctx)?;

            Ok(versions
                .into_iter()
                .map(|prompt| mark_default(prompt, default_id.as_deref()))
                .collect())
        })
        .await
    }

    async fn set_default_prompt(&self, prompt_id: &str) -> Result<(), StoreError> {
        let id = prompt_id.to_owned();
        self.run("set_default", "settings", None, move |connection, ctx| {
            let transaction = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .context(ctx)?;
            if latest_prompt(&transaction, ctx, &id)?.is_none() {
                return Err(StoreError::not_found(RecordKind::Prompt, &id));
            }

            transaction
                .execute(
                    "INSERT OR REPLACE INTO settings (name, value) VALUES (?1, ?2)",
                    [DEFAULT_PROMPT_SETTING, id.as_str()],
                )
                .context(ctx)?;
            transaction.commit().context(ctx)
        })
        .await
    }

    async fn default_prompt(&self) -> Result<Option<Prompt>, StoreError> {
        self.run("get_default", "prompts", None, |connection, ctx| {
            let transaction = connection.transaction().context(ctx)?;
            let Some(default_id) = default_prompt_id(&transaction, ctx)? else {
                return Ok(None);
            };

            let latest = latest_prompt(&transaction, ctx, &default_id)?;
            Ok(latest.map(|prompt| mark_default(prompt, Some(&default_id))))
        })
        .await
    }

    async fn put_sample(&self, sample: &SampleRecord) -> Result<(), StoreError> {
        let sample = sample.clone();
        let job_id = sample.job_id.clone();

        self.run("put", "samples", Some(&job_id), move |connection, ctx| {
            let transaction = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .context(ctx)?;
            require_job(&transaction, ctx, &sample.job_id)?;

            let sql = format!(
                "SELECT {SAMPLE_COLUMNS} FROM samples WHERE job_id = ?1 AND sample_id = ?2"
            );
            let existing = collect_rows(
                &transaction,
                ctx,
                &sql,
                params![sample.job_id, sample.sample_id],
                sample_from_row,
            )?;
            if let Some(existing) = existing.first() {
                return check_same_sample(existing, &sample);
            }

            transaction
                .execute(
                    &format!(
                        "INSERT INTO samples ({SAMPLE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                    ),
                    params![
                        sample.job_id,
                        sample.sample_id,
                        sample.iteration,
                        sample.seed as i64,
                        format_time(sample.created_at),
                        encode_ids(&sample.group_ids),
                    ],
                )
                .context(ctx)?;
            transaction.commit().context(ctx)
        })
        .await
    }

    async fn get_sample(&self, job_id: &str, sample_id: &str) -> Result<SampleRecord, StoreError> {
        let id = job_id.to_owned();
        let sample_id = sample_id.to_owned();
        self.run("get", "samples", Some(job_id), move |connection, ctx| {
            let sql = format!(
                "SELECT {SAMPLE_COLUMNS} FROM samples WHERE job_id = ?1 AND sample_id = ?2"
            );
            collect_rows(
                connection,
                ctx,
                &sql,
                params![id, sample_id],
                sample_from_row,
            )?
            .pop()
            .ok_or_else(|| StoreError::not_found(RecordKind::Sample, format!("{id}/{sample_id}")))
        })
        .await
    }

    async fn list_samples(&self, job_id: &str) -> Result<Vec<SampleRecord>, StoreError> {
        let id = job_id.to_owned();
        self.run("list", "samples", Some(job_id), move |connection, ctx| {
            let sql = format!(
                "SELECT {SAMPLE_COLUMNS} FROM samples WHERE job_id = ?1 ORDER BY created_at, sample_id"
            );
            collect_rows(connection, ctx, &sql, [&id], sample_from_row)
        })
        .await
    }

    async fn put_verdicts(&self, verdicts: &[Verdict]) -> Result<(), StoreError> {
        let verdicts = verdicts.to_vec();
        let job_id = verdicts.first().map(|verdict| verdict.job_id.clone());

        self.run("put", "verdicts", job_id.as_deref(), move |connection, ctx| {
            let transaction = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .context(ctx)?;

            let mut checked_jobs: Vec<&str> = Vec::new();
            for verdict in &verdicts {
                if !checked_jobs.contains(&verdict.job_id.as_str()) {
                    require_job(&transaction, ctx, &verdict.job_id)?;
                    checked_jobs.push(&verdict.job_id);
                }
            }

            let select = format!("SELECT {VERDICT_COLUMNS} FROM verdicts WHERE job_id = ?1 AND group_id = ?2");
            let insert = format!("INSERT OR REPLACE INTO verdicts ({VERDICT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
            for verdict in &verdicts {
                let key = format!("{}/group {}", verdict.job_id, verdict.group_id);
                let group_id = to_i64(verdict.group_id, RecordKind::Verdict, &key, "group_id")?;

                let existing = collect_rows(
                    &transaction,
                    ctx,
                    &select,
                    params![verdict.job_id, group_id],
                    verdict_from_row,
                )?;
                if existing.first().is_some_and(|stored| stored.same_content(verdict)) {
                    continue;
                }

                let mut statement = transaction.prepare_cached(&insert).context(ctx)?;
                statement
                    .execute(params![
                        verdict.job_id,
                        group_id,
                        verdict.verdict.as_str(),
                        verdict.corrected_category,
                        verdict.reviewer,
                        verdict.iteration_reviewed,
                        format_time(verdict.recorded_at),
                    ])
                    .context(ctx)?;
            }

            transaction.commit().context(ctx)
        })
        .await
    }

    async fn verdicts(&self, job_id: &str) -> Result<Vec<Verdict>, StoreError> {
        let id = job_id.to_owned();
        self.run("list", "verdicts", Some(job_id), move |connection, ctx| {
            let sql = format!(
                "SELECT {VERDICT_COLUMNS} FROM verdicts WHERE job_id = ?1 ORDER BY group_id"
            );
            collect_rows(connection, ctx, &sql, [&id], verdict_from_row)
        })
        .await
    }

    async fn put_metrics(
        &self,
        job_id: &str,
        iteration: u32,
        metrics: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let id = job_id.to_owned();
        let metrics = metrics.clone();
        self.run("put", "metrics", Some(job_id), move |connection, ctx| {
            let text = to_json(ctx, &metrics)?;
            let transaction = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .context(ctx)?;
            require_job(&transaction, ctx, &id)?;
            transaction
                .execute(
                    "INSERT OR REPLACE INTO metrics (job_id, iteration, metrics) VALUES (?1, ?2, ?3)",
                    params![id, iteration, text],
                )
                .context(ctx)?;
            transaction.commit().context(ctx)
        })
        .await
    }

    async fn get_metrics(
        &self,
        job_id: &str,
        iteration: u32,
    ) -> Result<Option<serde_json::Value>, StoreError> {
        let id = job_id.to_owned();
        self.run("get", "metrics", Some(job_id), move |connection, ctx| {
            let text: Option<String> = connection
                .query_row(
                    "SELECT metrics FROM metrics WHERE job_id = ?1 AND iteration = ?2",
                    params![id, iteration],
                    |row| row.get(0),
                )
                .optional()
                .context(ctx)?;
            let key = format!("{id}/iteration {iteration}");
            text.map(|text| from_json(ctx, &key, &text)).transpose()
        })
        .await
    }

    async fn cache_get_many(
        &self,
        keys: &[CacheKey],
    ) -> Result<Vec<Option<CachedAnswer>>, StoreError> {
        let hashes: Vec<Vec<u8>> = keys.iter().map(cache_key_hash).collect();

        self.run("get_many", "answer_cache", None, move |connection, ctx| {
            let transaction = connection.transaction().context(ctx)?;
            let mut answers = Vec::with_capacity(hashes.len());
            {
                let mut select = transaction
                    .prepare_cached(
                        "SELECT category, score, reason FROM answer_cache WHERE key_hash = ?1",
                    )
                    .context(ctx)?;
                for hash in &hashes {
                    let answer = select
                        .query_row([hash], |row| {
                            Ok(CachedAnswer {
                                category: row.get(0)?,
                                score: row.get(1)?,
                                reason: row.get(2)?,
                            })
                        })
                        .optional()
                        .context(ctx)?;
                    answers.push(answer);
                }
            }
            Ok(answers)
        })
        .await
    }

    async fn cache_put_many(&self, entries: &[(CacheKey, CachedAnswer)]) -> Result<(), StoreError> {
        let entries = entries.to_vec();

        self.run("put_many", "answer_cache", None, move |connection, ctx| {
            let stored_at = format_time(Utc::now());
            let transaction = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .context(ctx)?;
            {
                let mut insert = transaction
                    .prepare_cached(
                        "INSERT OR REPLACE INTO answer_cache \
                         (key_hash, provider, model, prompt_hash, text, category, score, reason, stored_at) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    )
                    .context(ctx)?;
                for (key, answer) in &entries {
                    insert
                        .execute(params![
                            cache_key_hash(key),
                            key.provider,
                            key.model,
                            key.prompt_hash,
                            key.text,
                            answer.category,
                            answer.score,
                            answer.reason,
                            stored_at,
                        ])
                        .context(ctx)?;
                }
            }
            transaction.commit().context(ctx)
        })
        .await
    }
}
