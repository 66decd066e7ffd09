//! Interrupted jobs: a provider outage, a cancellation and a changed input, then resuming
//! and comparing the export with an uninterrupted run.

mod job_support;

use dgs_core::export::{ExportFormat, ExportOptions};
use dgs_core::job::{JobError, Jobs, Stage};
use dgs_core::store::JobStatus;
use job_support::*;
use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const CHUNK_SIZE: usize = 200;

/// Item texts of each chunk of a prepared job, in chunk order.
async fn chunk_texts(jobs: &Jobs, job_id: &str) -> Vec<Vec<String>> {
    let groups = jobs.store().get_groups(job_id, None).await.unwrap();
    groups
        .chunks(CHUNK_SIZE)
        .map(|chunk| {
            chunk
                .iter()
                .map(|group| group.fields[0].1.clone())
                .collect()
        })
        .collect()
}

/// Item texts of the chunks committed for iteration 1.
async fn committed_texts(jobs: &Jobs, job_id: &str) -> (Vec<u32>, HashSet<String>) {
    let committed = jobs.store().committed_chunks(job_id, 1).await.unwrap();
    let chunks = chunk_texts(jobs, job_id).await;
    let texts = committed
        .iter()
        .flat_map(|&index| chunks[index as usize].clone())
        .collect();
    (committed, texts)
}

async fn export_lines(jobs: &Jobs, job_id: &str, path: &Path) -> Vec<serde_json::Value> {
    jobs.export(
        job_id,
        None,
        path,
        Some(ExportFormat::Jsonl),
        ExportOptions::default(),
        ignore_progress,
    )
    .await
    .unwrap();
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// Runs an uninterrupted job on its own store and returns its export rows.
async fn reference_export(dir: &Path) -> (Jobs, String, Vec<serde_json::Value>) {
    let jobs = memory_jobs();
    let record = jobs
        .create(
            &sample_zip(),
            &demo_prompt().await,
            sample_options(CHUNK_SIZE),
        )
        .await
        .unwrap();
    let report = jobs
        .run(
            &record.id,
            RecordingProvider::new().await,
            CancellationToken::new(),
            ignore_progress,
        )
        .await
        .unwrap();
    assert_eq!(report.status, JobStatus::Completed);
    let lines = export_lines(&jobs, &record.id, &dir.join("reference.jsonl")).await;
    (jobs, record.id, lines)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outage_fails_chunks_and_resume_sends_only_those() {
    let dir = tempfile::tempdir().unwrap();
    let (reference_jobs, reference_id, reference_rows) = reference_export(dir.path()).await;
    let reference_chunks = chunk_texts(&reference_jobs, &reference_id).await;
    assert!(
        reference_chunks.len() >= 6,
        "{} chunks",
        reference_chunks.len()
    );

    // Chunks 1 and 4 hit an outage: every request carrying their items fails.
    let outage: HashSet<String> = reference_chunks[1]
        .iter()
        .chain(&reference_chunks[4])
        .cloned()
        .collect();
    let jobs = sqlite_jobs(dir.path()).await;
    let record = jobs
        .create(
            &sample_zip(),
            &demo_prompt().await,
            sample_options(CHUNK_SIZE),
        )
        .await
        .unwrap();

    let failing = jobs
        .run(
            &record.id,
            RecordingProvider::failing_on(outage.clone()).await,
            CancellationToken::new(),
            ignore_progress,
        )
        .await
        .unwrap();

    assert_eq!(failing.status, JobStatus::Failed);
    assert_eq!(failing.failed_chunks, 2);
    assert_eq!(failing.committed_chunks, failing.chunks - 2);
    let error = failing.error.clone().unwrap();
    assert!(
        error.contains("2 of") && error.contains("run the job again"),
        "{error}"
    );
    assert_eq!(jobs.status(&record.id).await.unwrap().failed_chunks, 2);

    let refused = jobs
        .export(
            &record.id,
            None,
            &dir.path().join("early.xlsx"),
            None,
            ExportOptions::default(),
            ignore_progress,
        )
        .await
        .unwrap_err();
    match refused {
        JobError::NotFinished {
            committed, total, ..
        } => {
            assert_eq!((committed, total), (failing.chunks - 2, failing.chunks));
        }
        other => panic!("expected NotFinished, got {other:?}"),
    }
    assert!(!dir.path().join("early.xlsx").exists());

    let working = RecordingProvider::new().await;
    let resumed = jobs
        .run(
            &record.id,
            working.clone(),
            CancellationToken::new(),
            ignore_progress,
        )
        .await
        .unwrap();

    assert_eq!(resumed.status, JobStatus::Completed, "{resumed:?}");
    assert_eq!(resumed.failed_chunks, 0);
    assert!(resumed.error.is_none());
    assert_eq!(
        working.texts(),
        outage,
        "only the failed chunks are sent again"
    );
    assert_eq!(working.request_count(), 2);

    let rows = export_lines(&jobs, &record.id, &dir.path().join("resumed.jsonl")).await;
    assert_eq!(rows.len() as u64, SAMPLE_ROWS);
    assert_eq!(
        rows, reference_rows,
        "resumed export equals the uninterrupted one"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_keeps_committed_chunks_and_resume_skips_them() {
    let dir = tempfile::tempdir().unwrap();
    let jobs = memory_jobs();
    let record = jobs
        .create(
            &sample_zip(),
            &demo_prompt().await,
            sample_options(CHUNK_SIZE),
        )
        .await
        .unwrap();

    // Cancel from the progress callback once three chunks are committed.
    let cancel = CancellationToken::new();
    let fired = Arc::new(AtomicBool::new(false));
    let first = RecordingProvider::slow(Duration::from_millis(20)).await;
    let cancelled = jobs
        .run(&record.id, first.clone(), cancel.clone(), {
            let cancel = cancel.clone();
            let fired = Arc::clone(&fired);
            move |event| {
                if event.stage == Stage::Classify && event.done >= 3 {
                    fired.store(true, Ordering::SeqCst);
                    cancel.cancel();
                }
            }
        })
        .await
        .unwrap();

    assert!(fired.load(Ordering::SeqCst));
    assert_eq!(cancelled.status, JobStatus::Cancelled);
    assert!(cancelled.committed_chunks >= 3, "{cancelled:?}");
    assert!(
        cancelled.committed_chunks < cancelled.chunks,
        "{cancelled:?}"
    );
    let (committed, committed_before) = committed_texts(&jobs, &record.id).await;
    assert_eq!(committed.len() as u64, cancelled.committed_chunks);

    let second = RecordingProvider::new().await;
    let resumed = jobs
        .run(
            &record.id,
            second.clone(),
            CancellationToken::new(),
            ignore_progress,
        )
        .await
        .unwrap();

    assert_eq!(resumed.status, JobStatus::Completed);
    let requested = second.texts();
    assert!(
        requested.is_disjoint(&committed_before),
        "a committed chunk was requested again"
    );
    assert_eq!(
        second.request_count() as u64,
        resumed.chunks - cancelled.committed_chunks,
        "one request per chunk left"
    );

    let rows = export_lines(&jobs, &record.id, &dir.path().join("resumed.jsonl")).await;
    let (_, _, reference_rows) = reference_export(dir.path()).await;
    assert_eq!(
        rows, reference_rows,
        "resumed export equals the uninterrupted one"
    );
}

#[tokio::test]
async fn changed_input_is_rejected_on_resume_and_export() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("auxiliares.zip");
    std::fs::copy(sample_zip(), &input).unwrap();
    let jobs = memory_jobs();
    let record = jobs
        .create(&input, &demo_prompt().await, sample_options(CHUNK_SIZE))
        .await
        .unwrap();
    jobs.run(
        &record.id,
        RecordingProvider::new().await,
        CancellationToken::new(),
        ignore_progress,
    )
    .await
    .unwrap();

    let mut bytes = std::fs::read(&input).unwrap();
    bytes.extend_from_slice(b"trailing bytes");
    std::fs::write(&input, bytes).unwrap();

    let provider = RecordingProvider::new().await;
    let error = jobs
        .run(
            &record.id,
            provider.clone(),
            CancellationToken::new(),
            ignore_progress,
        )
        .await
        .unwrap_err();
    match &error {
        JobError::InputChanged {
            job_id,
            path,
            expected,
            found,
        } => {
            assert_eq!(job_id, &record.id);
            assert!(path.ends_with("auxiliares.zip"), "{path}");
            assert_eq!(expected, &record.input_hash);
            assert_ne!(found, expected);
        }
        other => panic!("expected InputChanged, got {other:?}"),
    }
    assert!(error.to_string().contains("create a new job"), "{error}");
    assert_eq!(provider.request_count(), 0);

    let error = jobs
        .export(
            &record.id,
            None,
            &dir.path().join("out.csv"),
            None,
            ExportOptions::default(),
            ignore_progress,
        )
        .await
        .unwrap_err();
    assert!(matches!(error, JobError::InputChanged { .. }), "{error:?}");
    assert_eq!(
        jobs.status(&record.id).await.unwrap().status,
        JobStatus::Completed
    );
}
