//! `dgs review`: imports the verdicts of a filled review file into a job.

use crate::failure::{CommandResult, Failure, EXIT_FAILED};
use crate::runner::job_failure;
use crate::store_arg::StoreArg;
use clap::Args;
use dgs_core::job::Jobs;
use dgs_core::review::read_verdicts;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub(crate) struct ReviewArgs {
    /// Id printed by `dgs run` (see `dgs jobs`).
    job_id: String,

    /// Review file written by `dgs sample` and filled by a reviewer (.xlsx or .csv).
    file: PathBuf,

    /// Name stored with each verdict.
    #[arg(long, value_name = "NAME")]
    reviewer: Option<String>,

    #[command(flatten)]
    store: StoreArg,
}

/// Exit codes: 0 when every row was imported, 1 when some rows had problems (the others are
/// stored).
pub(crate) async fn run(args: &ReviewArgs) -> CommandResult {
    let import = read_verdicts(&args.file).map_err(|error| Failure::usage(error.to_string()))?;

    let store = args.store.open_existing().await?;
    let jobs = Jobs::new(store);
    let report = jobs
        .import_verdicts(&args.job_id, &import, args.reviewer.clone())
        .await
        .map_err(job_failure)?;

    println!(
        "imported: {}, blank: {}, repeated: {}, problems: {}",
        report.imported,
        report.blank,
        report.repeated,
        report.problems.len()
    );
    for problem in &report.problems {
        eprintln!(
            "error: {} line {}, column {}, value {:?}: {}",
            args.file.display(),
            problem.line,
            problem.column,
            problem.value,
            problem.message
        );
    }

    if report.problems.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(EXIT_FAILED))
    }
}
