//! `dgs run`: creates a job in the store, prints its id, classifies the input and exports
//! the result.

use crate::failure::{CommandResult, Failure};
use crate::job_args::{check_columns, JobSettingsArgs};
use crate::out_args::{check_out_path, CsvDelimiterArg};
use crate::runner::{job_failure, run_job};
use crate::store_arg::StoreArg;
use clap::Args;
use dgs_core::job::{JobOutput, Jobs};
use std::io::Write;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub(crate) struct RunArgs {
    /// ZIP, folder or single file (.csv .txt .tsv .xlsx .xlsm .json .jsonl .ndjson).
    path: PathBuf,

    #[command(flatten)]
    settings: JobSettingsArgs,

    #[command(flatten)]
    store: StoreArg,

    /// Output file; the extension picks the format: .xlsx, .csv or .jsonl.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,

    #[command(flatten)]
    csv: CsvDelimiterArg,
}

pub(crate) async fn run(args: &RunArgs) -> CommandResult {
    check_out_path(&args.out)?;
    let prompt = args.settings.load_prompt().await?;
    let mut options = args.settings.job_options()?;
    check_columns(&args.path, &options)?;
    let selected = args.settings.select_provider(&prompt, &mut options)?;

    let export_options = args.csv.export_options();
    options.output = Some(JobOutput {
        path: std::path::absolute(&args.out)
            .unwrap_or_else(|_| args.out.clone())
            .to_string_lossy()
            .into_owned(),
        options: export_options.clone(),
    });

    let store = args.store.open().await?;
    let jobs = Jobs::new(store);
    let record = jobs
        .create(&args.path, &prompt, options)
        .await
        .map_err(job_failure)?;
    print_job_id(&record.id)?;

    run_job(
        &jobs,
        &record.id,
        selected.provider,
        Some((&args.out, &export_options)),
        Some(&args.store.display()),
    )
    .await
}

/// Prints the job id as the first line of stdout and flushes it, so a script reading the
/// first line gets the id while the job still runs.
fn print_job_id(job_id: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{job_id}")
        .and_then(|()| stdout.flush())
        .map_err(|error| Failure::failed(format!("cannot write to stdout: {error}")))
}
