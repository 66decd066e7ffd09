//! `dgs export`: writes a finished job's rows with their categories to a file.

use crate::failure::{CommandResult, Failure};
use crate::out_args::{check_out_path, CsvDelimiterArg};
use crate::runner::{export, job_failure};
use crate::store_arg::StoreArg;
use clap::Args;
use dgs_core::job::Jobs;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub(crate) struct ExportArgs {
    /// Id printed by `dgs run` (see `dgs jobs`).
    job_id: String,

    /// Output file; the extension picks the format: .xlsx, .csv or .jsonl.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,

    /// Iteration to export, from 1. Default: the job's current iteration.
    #[arg(long, value_name = "N")]
    iteration: Option<u32>,

    #[command(flatten)]
    csv: CsvDelimiterArg,

    #[command(flatten)]
    store: StoreArg,
}

pub(crate) async fn run(args: &ExportArgs) -> CommandResult {
    check_out_path(&args.out)?;
    let store = args.store.open_existing().await?;
    let jobs = Jobs::new(store);

    // An unfinished iteration cannot be exported, so the error names the resume command.
    let status = jobs.status(&args.job_id).await.map_err(job_failure)?;
    let current = args
        .iteration
        .is_none_or(|iteration| iteration == status.iteration);
    if current && status.committed_chunks < status.chunks {
        return Err(Failure::failed(format!(
            "job {} is not finished ({} of {} chunks committed). Resume with: dgs resume {} --store {}",
            args.job_id,
            status.committed_chunks,
            status.chunks,
            args.job_id,
            args.store.display()
        )));
    }

    let report = export(
        &jobs,
        &args.job_id,
        args.iteration,
        &args.out,
        &args.csv.export_options(),
    )
    .await?;
    eprintln!(
        "Wrote {} rows to {}",
        report.rows_written,
        report.path.display()
    );
    Ok(ExitCode::SUCCESS)
}
