//! Runs a created job to the end for `dgs run`, `dgs resume` and `dgs classify`: progress on
//! stderr, Ctrl-C handling, the closing summary and the export.

use crate::failure::{CommandResult, Failure, EXIT_FAILED, EXIT_INTERRUPTED};
use crate::progress::Progress;
use crate::summary::summary;
use dgs_core::export::{ExportOptions, ExportReport};
use dgs_core::job::{JobError, JobReport, Jobs};
use dgs_core::llm::LlmProvider;
use dgs_core::store::{JobStatus, RecordKind, StoreError};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// The `--store` value of a job's SQLite store, for the resume and export commands printed
/// when a run stops. `None` for jobs in a memory store, which cannot be resumed.
pub(crate) type StoreHint<'a> = Option<&'a str>;

/// Runs or resumes `job_id`, prints the summary, and exports to `out` when the job
/// completed.
///
/// Exit codes: 0 completed (and exported), 1 failed chunks or a failed export, 130 after
/// Ctrl-C.
pub(crate) async fn run_job(
    jobs: &Jobs,
    job_id: &str,
    provider: Arc<dyn LlmProvider>,
    out: Option<(&Path, &ExportOptions)>,
    store: StoreHint<'_>,
) -> CommandResult {
    let resume = store.map(|store| format!("dgs resume {job_id} --store {store}"));
    let progress = Progress::for_stderr();
    let cancel = CancellationToken::new();
    let interrupted = Arc::new(AtomicBool::new(false));
    let watcher = spawn_interrupt_watcher(cancel.clone(), Arc::clone(&interrupted));

    let result = jobs
        .run(job_id, provider, cancel.clone(), progress.callback())
        .await;
    progress.finish();
    let report = result.map_err(job_failure)?;
    print_failed_files(&report);
    eprintln!("{}", summary(jobs, &report).await);

    match report.status {
        JobStatus::Completed => {}
        JobStatus::Cancelled if interrupted.load(Ordering::SeqCst) => {
            watcher.abort();
            match resume {
                Some(command) => eprintln!("Cancelled. Resume with: {command}"),
                None => eprintln!("Cancelled."),
            }
            return Ok(ExitCode::from(EXIT_INTERRUPTED));
        }
        status => {
            watcher.abort();
            let error = report
                .error
                .as_deref()
                .unwrap_or("not every chunk finished");
            eprintln!("error: job {job_id} ended {}: {error}", status.as_str());
            if let Some(command) = resume {
                eprintln!(
                    "{} chunks have no results. Resume with: {command}",
                    report.failed_chunks
                );
            }
            return Ok(ExitCode::from(EXIT_FAILED));
        }
    }

    watcher.abort();
    let Some((path, options)) = out else {
        return Ok(ExitCode::SUCCESS);
    };
    let exported = tokio::select! {
        result = export(jobs, job_id, None, path, options) => result?,
        _ = tokio::signal::ctrl_c() => exit_interrupted_export(job_id, path, store),
    };
    eprintln!(
        "Wrote {} rows to {}",
        exported.rows_written,
        exported.path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Exits with 130 after Ctrl-C during the export of a completed job.
///
/// The export runs on a blocking thread that the runtime would wait for, so the process
/// exits at once. The unfinished file stays at `<out>.partial` and is never renamed to `out`.
fn exit_interrupted_export(job_id: &str, out: &Path, store: StoreHint<'_>) -> ! {
    eprintln!(
        "Interrupted during the export; {} was not written.",
        out.display()
    );
    if let Some(store) = store {
        eprintln!(
            "The job is complete. Export it with: dgs export {job_id} --store {store} --out {}",
            out.display()
        );
    }
    std::process::exit(i32::from(EXIT_INTERRUPTED))
}

/// Exports an iteration of a job with progress on stderr.
pub(crate) async fn export(
    jobs: &Jobs,
    job_id: &str,
    iteration: Option<u32>,
    path: &Path,
    options: &ExportOptions,
) -> Result<ExportReport, Failure> {
    let progress = Progress::for_stderr();
    let result = jobs
        .export(
            job_id,
            iteration,
            path,
            None,
            options.clone(),
            progress.callback(),
        )
        .await;
    progress.finish();
    result.map_err(job_failure)
}

/// Cancels `cancel` on the first Ctrl-C and records that it happened. A second Ctrl-C exits
/// at once with code 130: committed chunks are stored atomically, so only the chunks in
/// flight are lost and a resume sends them again.
fn spawn_interrupt_watcher(
    cancel: CancellationToken,
    interrupted: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        interrupted.store(true, Ordering::SeqCst);
        eprintln!(
            "Interrupted: no new requests are sent; waiting for the requests in flight \
             (press Ctrl-C again to exit now)"
        );
        cancel.cancel();

        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("Exited on the second Ctrl-C; chunks in flight will be sent again on resume");
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
    })
}

fn print_failed_files(report: &JobReport) {
    for failed in &report.failed_files {
        let table = match &failed.sheet {
            Some(sheet) => format!("{} [{sheet}]", failed.file),
            None => failed.file.clone(),
        };
        eprintln!(
            "error: {table} failed after {} rows: {}",
            failed.rows, failed.error
        );
    }
}

/// Maps a job error to its exit code: an unknown job id is a usage error (2), everything
/// else a failure (1).
pub(crate) fn job_failure(error: JobError) -> Failure {
    match &error {
        JobError::Store {
            source:
                StoreError::NotFound {
                    kind: RecordKind::Job,
                    ..
                },
            ..
        } => Failure::usage(error.to_string()),
        _ => Failure::failed(error.to_string()),
    }
}
