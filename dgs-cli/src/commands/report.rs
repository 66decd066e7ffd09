//! `dgs report`: writes the HTML report of every iteration of a job.

use crate::failure::{CommandResult, Failure};
use crate::runner::job_failure;
use crate::store_arg::StoreArg;
use clap::Args;
use dgs_core::job::Jobs;
use dgs_core::review::{render_report, Lang, ReportInput, DEFAULT_TOP_CATEGORIES};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub(crate) struct ReportArgs {
    /// Id printed by `dgs run` (see `dgs jobs`).
    job_id: String,

    /// HTML file to write.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,

    /// Language of the report: es or en.
    #[arg(long, value_name = "LANG", default_value = "es")]
    lang: String,

    #[command(flatten)]
    store: StoreArg,
}

pub(crate) async fn run(args: &ReportArgs) -> CommandResult {
    let lang = Lang::parse(&args.lang).ok_or_else(|| {
        Failure::usage(format!(
            "--lang {:?} is invalid: expected es or en",
            args.lang
        ))
    })?;

    let store = args.store.open_existing().await?;
    let jobs = Jobs::new(store);
    let record = jobs
        .store()
        .get_job(&args.job_id)
        .await
        .map_err(|error| Failure::usage(error.to_string()))?;
    let options = jobs.options(&args.job_id).await.map_err(job_failure)?;
    let iterations = jobs
        .iteration_views(&args.job_id)
        .await
        .map_err(job_failure)?;
    let verdicts = jobs
        .verdict_views(&args.job_id)
        .await
        .map_err(job_failure)?;

    let input = ReportInput {
        job_id: args.job_id.clone(),
        input: record.input_path,
        fallback: options.compile.fallback,
        iterations,
        verdicts,
        top_categories: DEFAULT_TOP_CATEGORIES,
    };
    let html = render_report(&input, lang);
    std::fs::write(&args.out, html).map_err(|error| {
        Failure::failed(format!("cannot write {}: {error}", args.out.display()))
    })?;
    eprintln!(
        "Wrote the report of {} iterations to {}",
        input.iterations.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
