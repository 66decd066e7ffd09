//! `dgs classify`: ingest, clean, dedup, classify and export in one process with an
//! in-memory store, for one-off runs that need no resume.

use crate::dry_run::{estimate_job, print_estimate};
use crate::failure::CommandResult;
use crate::job_args::{check_columns, JobSettingsArgs};
use crate::out_args::{check_out_path, CsvDelimiterArg};
use crate::runner::{job_failure, run_job};
use clap::Args;
use dgs_core::job::Jobs;
use dgs_core::store::MemoryStore;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Args, Debug)]
pub(crate) struct ClassifyArgs {
    /// ZIP, folder or single file (.csv .txt .tsv .xlsx .xlsm .json .jsonl .ndjson).
    path: PathBuf,

    #[command(flatten)]
    settings: JobSettingsArgs,

    /// Print the estimated items, chunks, tokens and cost, and send nothing.
    #[arg(long = "dry-run")]
    dry_run: bool,

    /// Output file; the extension picks the format: .xlsx, .csv or .jsonl. Required unless
    /// `--dry-run` is given.
    #[arg(long, value_name = "FILE", required_unless_present = "dry_run")]
    out: Option<PathBuf>,

    #[command(flatten)]
    csv: CsvDelimiterArg,
}

pub(crate) async fn run(args: &ClassifyArgs) -> CommandResult {
    if let Some(out) = &args.out {
        check_out_path(out)?;
    }
    let prompt = args.settings.load_prompt().await?;
    let mut options = args.settings.job_options()?;
    check_columns(&args.path, &options)?;
    let selected = args.settings.select_provider(&prompt, &mut options)?;

    if args.dry_run {
        let model = options.model().to_owned();
        let path = args.path.clone();
        let estimate =
            tokio::task::spawn_blocking(move || estimate_job(&path, &prompt, &options, &model))
                .await
                .expect("the estimate task does not panic")?;
        print_estimate(&estimate);
        return Ok(ExitCode::SUCCESS);
    }

    let jobs = Jobs::new(Arc::new(MemoryStore::new()));
    let record = jobs
        .create(&args.path, &prompt, options)
        .await
        .map_err(job_failure)?;
    let out = args
        .out
        .as_ref()
        .expect("clap requires --out without --dry-run");
    let export_options = args.csv.export_options();
    run_job(
        &jobs,
        &record.id,
        selected.provider,
        Some((out, &export_options)),
        None,
    )
    .await
}
