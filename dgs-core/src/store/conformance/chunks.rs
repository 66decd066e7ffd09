//! Checks of chunk commits, classifications and iteration records.

use super::{call, ensure, ensure_eq, ensure_same_time, expect_error, fresh_job, now_millis};
use crate::classify::{Classification, ClassificationStatus, FALLBACK_CATEGORY, MISSING_REASON};
use crate::llm::TokenUsage;
use crate::store::{ChunkCheckpoint, IterationRecord, Store, StoreError};
use ahash::AHashSet;

pub(crate) fn checkpoint(
    job_id: &str,
    iteration: u32,
    chunk_index: u32,
    item_ids: Vec<u64>,
) -> ChunkCheckpoint {
    ChunkCheckpoint {
        job_id: job_id.to_owned(),
        iteration,
        chunk_index,
        usage: TokenUsage {
            prompt_tokens: 100 * item_ids.len() as u64,
            completion_tokens: 20 * item_ids.len() as u64 + u64::from(chunk_index),
        },
        item_ids,
        requests: 1 + chunk_index % 2,
        committed_at: now_millis(),
    }
}

/// Builds one result per item. Every third item gets the fallback, so all fields vary.
pub(crate) fn results_for(item_ids: &[u64], category: &str) -> Vec<Classification> {
    item_ids
        .iter()
        .map(|&id| {
            if id % 3 == 2 {
                Classification {
                    id,
                    category: FALLBACK_CATEGORY.into(),
                    score: -1.0,
                    reason: MISSING_REASON.into(),
                    status: ClassificationStatus::Missing,
                    attempts: 2,
                }
            } else {
                Classification {
                    id,
                    category: category.to_owned(),
                    score: 0.25 + (id % 4) as f64 * 0.125,
                    reason: format!("reason for item {id}: «{category}»"),
                    status: ClassificationStatus::Ok,
                    attempts: 1,
                }
            }
        })
        .collect()
}

pub(crate) async fn commit_chunk_round_trip(store: &dyn Store) -> Result<(), String> {
    let job = fresh_job(store, "commit").await?;
    let chunk_two = checkpoint(&job.id, 1, 2, vec![40, 7, 12]);
    let chunk_zero = checkpoint(&job.id, 1, 0, vec![0, 3, 5, 30]);
    let results_two = results_for(&chunk_two.item_ids, "Papelería");
    let results_zero = results_for(&chunk_zero.item_ids, "Nómina");

    call(
        "commit_chunk 2",
        store.commit_chunk(&chunk_two, &results_two).await,
    )?;
    call(
        "commit_chunk 0",
        store.commit_chunk(&chunk_zero, &results_zero).await,
    )?;

    let committed = call("committed_chunks", store.committed_chunks(&job.id, 1).await)?;
    ensure_eq("committed chunks", &committed, &vec![0, 2])?;

    let checkpoints = call("list_checkpoints", store.list_checkpoints(&job.id, 1).await)?;
    ensure_eq("checkpoint count", &checkpoints.len(), &2)?;
    for (stored, expected) in checkpoints.iter().zip([&chunk_zero, &chunk_two]) {
        ensure_eq(
            "checkpoint chunk_index",
            &stored.chunk_index,
            &expected.chunk_index,
        )?;
        ensure_eq(
            "checkpoint item_ids (order kept)",
            &stored.item_ids,
            &expected.item_ids,
        )?;
        ensure_eq("checkpoint usage", &stored.usage, &expected.usage)?;
        ensure_eq("checkpoint requests", &stored.requests, &expected.requests)?;
        ensure_same_time(
            "checkpoint committed_at",
            stored.committed_at,
            expected.committed_at,
        )?;
    }

    let mut expected: Vec<Classification> = results_two.into_iter().chain(results_zero).collect();
    expected.sort_by_key(|result| result.id);
    let stored = call(
        "get_classifications",
        store.get_classifications(&job.id, 1).await,
    )?;
    ensure_eq("classifications ordered by group id", &stored, &expected)
}

pub(crate) async fn commit_chunk_is_idempotent(store: &dyn Store) -> Result<(), String> {
    let job = fresh_job(store, "commit_twice").await?;
    let chunk = checkpoint(&job.id, 1, 0, vec![1, 2, 3]);
    let results = results_for(&chunk.item_ids, "Viajes");

    call("commit_chunk", store.commit_chunk(&chunk, &results).await)?;
    call(
        "repeated commit_chunk",
        store.commit_chunk(&chunk, &results).await,
    )?;

    let committed = call("committed_chunks", store.committed_chunks(&job.id, 1).await)?;
    ensure_eq("committed chunks after a repeat", &committed, &vec![0])?;
    let stored = call(
        "get_classifications",
        store.get_classifications(&job.id, 1).await,
    )?;
    ensure_eq("classifications after a repeat", &stored, &results)?;

    let mut rerun = chunk.clone();
    rerun.requests = 3;
    let new_results = results_for(&chunk.item_ids, "Hospedaje");
    call(
        "commit_chunk with new results",
        store.commit_chunk(&rerun, &new_results).await,
    )?;

    let stored = call(
        "get_classifications",
        store.get_classifications(&job.id, 1).await,
    )?;
    ensure_eq(
        "classifications replaced by a new commit",
        &stored,
        &new_results,
    )?;
    let checkpoints = call("list_checkpoints", store.list_checkpoints(&job.id, 1).await)?;
    ensure_eq("checkpoint count after replacement", &checkpoints.len(), &1)?;
    ensure_eq(
        "requests of the replaced checkpoint",
        &checkpoints[0].requests,
        &3,
    )
}

pub(crate) async fn commit_chunk_rejects_mismatch(store: &dyn Store) -> Result<(), String> {
    let job = fresh_job(store, "commit_mismatch").await?;
    let chunk = checkpoint(&job.id, 1, 0, vec![1, 2, 3]);
    let mut results = results_for(&chunk.item_ids, "Viajes");
    results.pop();

    expect_error(
        "commit_chunk with a result missing",
        store.commit_chunk(&chunk, &results).await,
        "an invalid-input error",
        |error| matches!(error, StoreError::Invalid { .. }),
    )?;

    let mut duplicated = results.clone();
    duplicated.push(results[0].clone());
    expect_error(
        "commit_chunk with a result twice",
        store.commit_chunk(&chunk, &duplicated).await,
        "an invalid-input error",
        |error| matches!(error, StoreError::Invalid { .. }),
    )?;

    let committed = call("committed_chunks", store.committed_chunks(&job.id, 1).await)?;
    ensure_eq(
        "committed chunks after rejected commits",
        &committed,
        &vec![],
    )?;
    let stored = call(
        "get_classifications",
        store.get_classifications(&job.id, 1).await,
    )?;
    ensure_eq("classifications after rejected commits", &stored, &vec![])
}

/// Commits chunks while reading concurrently: a committed chunk always has all of its
/// results, and no result is visible before its chunk is committed.
pub(crate) async fn commit_chunk_visible_with_results(store: &dyn Store) -> Result<(), String> {
    const CHUNKS: u32 = 24;
    const CHUNK_SIZE: u64 = 10;

    let job = fresh_job(store, "commit_visibility").await?;
    let done = std::sync::atomic::AtomicBool::new(false);

    let writer = async {
        for chunk_index in 0..CHUNKS {
            let first = u64::from(chunk_index) * CHUNK_SIZE;
            let chunk = checkpoint(
                &job.id,
                1,
                chunk_index,
                (first..first + CHUNK_SIZE).collect(),
            );
            let results = results_for(&chunk.item_ids, "Servicios");
            let committed = store.commit_chunk(&chunk, &results).await;
            tokio::task::yield_now().await;
            if let Err(error) = committed {
                done.store(true, std::sync::atomic::Ordering::SeqCst);
                return Err(format!("commit_chunk {chunk_index} failed: {error}"));
            }
        }
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    };

    let reader = async {
        let mut rounds = 0u32;
        loop {
            let finished = done.load(std::sync::atomic::Ordering::SeqCst);

            let committed = call("committed_chunks", store.committed_chunks(&job.id, 1).await)?;
            let results = call(
                "get_classifications",
                store.get_classifications(&job.id, 1).await,
            )?;
            let result_ids: AHashSet<u64> = results.iter().map(|result| result.id).collect();
            for &chunk_index in &committed {
                let first = u64::from(chunk_index) * CHUNK_SIZE;
                let complete = (first..first + CHUNK_SIZE).all(|id| result_ids.contains(&id));
                ensure(complete, || {
                    format!("chunk {chunk_index} was committed but some of its results were not visible")
                })?;
            }

            let results = call(
                "get_classifications",
                store.get_classifications(&job.id, 1).await,
            )?;
            let committed: AHashSet<u32> =
                call("committed_chunks", store.committed_chunks(&job.id, 1).await)?
                    .into_iter()
                    .collect();
            for result in &results {
                let chunk_index = (result.id / CHUNK_SIZE) as u32;
                ensure(committed.contains(&chunk_index), || {
                    format!(
                        "result {} was visible before chunk {chunk_index} was committed",
                        result.id
                    )
                })?;
            }

            rounds += 1;
            if finished {
                return Ok::<u32, String>(rounds);
            }
            tokio::task::yield_now().await;
        }
    };

    let (written, read) = futures::join!(writer, reader);
    written?;
    read?;

    let committed = call("committed_chunks", store.committed_chunks(&job.id, 1).await)?;
    ensure_eq(
        "committed chunks at the end",
        &committed,
        &(0..CHUNKS).collect(),
    )?;
    let results = call(
        "get_classifications",
        store.get_classifications(&job.id, 1).await,
    )?;
    ensure_eq(
        "result count at the end",
        &(results.len() as u64),
        &(u64::from(CHUNKS) * CHUNK_SIZE),
    )
}

pub(crate) async fn classifications_per_iteration(store: &dyn Store) -> Result<(), String> {
    let job = fresh_job(store, "iterations_apart").await?;
    let first = checkpoint(&job.id, 1, 0, vec![0, 1]);
    let second = checkpoint(&job.id, 2, 0, vec![0, 1]);
    let first_results = results_for(&first.item_ids, "Nómina");
    let second_results = results_for(&second.item_ids, "Honorarios");

    call(
        "commit_chunk iteration 1",
        store.commit_chunk(&first, &first_results).await,
    )?;
    call(
        "commit_chunk iteration 2",
        store.commit_chunk(&second, &second_results).await,
    )?;

    let stored_first = call(
        "get_classifications 1",
        store.get_classifications(&job.id, 1).await,
    )?;
    ensure_eq("iteration 1 classifications", &stored_first, &first_results)?;
    let stored_second = call(
        "get_classifications 2",
        store.get_classifications(&job.id, 2).await,
    )?;
    ensure_eq(
        "iteration 2 classifications",
        &stored_second,
        &second_results,
    )?;

    let third = call(
        "committed_chunks 3",
        store.committed_chunks(&job.id, 3).await,
    )?;
    ensure_eq(
        "committed chunks of an iteration never run",
        &third,
        &vec![],
    )
}

pub(crate) async fn iteration_round_trip(store: &dyn Store) -> Result<(), String> {
    let job = fresh_job(store, "iteration_record").await?;
    let started = IterationRecord {
        job_id: job.id.clone(),
        iteration: 1,
        prompt_id: "gastos".into(),
        prompt_version: 3,
        prompt_hash: "5e884898da28047151d0e56f8dc62927".into(),
        started_at: now_millis(),
        finished_at: None,
        usage: TokenUsage::default(),
        cost: None,
        duration_ms: None,
    };

    call("put_iteration", store.put_iteration(&started).await)?;
    let stored = call("get_iteration", store.get_iteration(&job.id, 1).await)?;
    ensure_iteration_eq(&stored, &started)?;

    let mut finished = started.clone();
    finished.finished_at = Some(started.started_at + chrono::TimeDelta::milliseconds(81_250));
    finished.usage = TokenUsage {
        prompt_tokens: 120_000,
        completion_tokens: 18_500,
    };
    finished.cost = Some(0.0291);
    finished.duration_ms = Some(81_250);
    call(
        "put_iteration (finished)",
        store.put_iteration(&finished).await,
    )?;
    call(
        "repeated put_iteration",
        store.put_iteration(&finished).await,
    )?;

    let mut second = started.clone();
    second.iteration = 2;
    second.prompt_version = 4;
    call("put_iteration 2", store.put_iteration(&second).await)?;

    let listed = call("list_iterations", store.list_iterations(&job.id).await)?;
    let numbers: Vec<u32> = listed.iter().map(|record| record.iteration).collect();
    ensure_eq("iteration numbers", &numbers, &vec![1, 2])?;
    ensure_iteration_eq(&listed[0], &finished)?;
    ensure_iteration_eq(&listed[1], &second)?;

    expect_error(
        "get_iteration of an iteration never run",
        store.get_iteration(&job.id, 9).await,
        "not found",
        StoreError::is_not_found,
    )
}

fn ensure_iteration_eq(stored: &IterationRecord, expected: &IterationRecord) -> Result<(), String> {
    let what = format!("iteration {}", expected.iteration);
    ensure_eq(&format!("{what} job_id"), &stored.job_id, &expected.job_id)?;
    ensure_eq(
        &format!("{what} prompt_id"),
        &stored.prompt_id,
        &expected.prompt_id,
    )?;
    ensure_eq(
        &format!("{what} prompt_version"),
        &stored.prompt_version,
        &expected.prompt_version,
    )?;
    ensure_eq(
        &format!("{what} prompt_hash"),
        &stored.prompt_hash,
        &expected.prompt_hash,
    )?;
    ensure_same_time(
        &format!("{what} started_at"),
        stored.started_at,
        expected.started_at,
    )?;
    ensure_eq(
        &format!("{what} finished_at is set"),
        &stored.finished_at.is_some(),
        &expected.finished_at.is_some(),
    )?;
    if let (Some(stored_at), Some(expected_at)) = (stored.finished_at, expected.finished_at) {
        ensure_same_time(&format!("{what} finished_at"), stored_at, expected_at)?;
    }
    ensure_eq(&format!("{what} usage"), &stored.usage, &expected.usage)?;
    ensure_eq(&format!("{what} cost"), &stored.cost, &expected.cost)?;
    ensure_eq(
        &format!("{what} duration_ms"),
        &stored.duration_ms,
        &expected.duration_ms,
    )
}
