//! `dgs resume`: continues a cancelled, failed or crashed job, sending only the chunks
//! without stored results.

use crate::failure::{CommandResult, Failure};
use crate::job_args::select_provider;
use crate::out_args::{check_out_path, CsvDelimiterArg};
use crate::runner::{job_failure, run_job};
use crate::store_arg::StoreArg;
use clap::Args;
use dgs_core::job::Jobs;
use dgs_core::llm::ProviderKind;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub(crate) struct ResumeArgs {
    /// Id printed by `dgs run` (see `dgs jobs`).
    job_id: String,

    #[command(flatten)]
    store: StoreArg,

    /// Output file once the job completes; the extension picks the format: .xlsx, .csv or
    /// .jsonl. Default: the `--out` file of the `dgs run` that created the job.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,

    #[command(flatten)]
    csv: CsvDelimiterArg,
}

pub(crate) async fn run(args: &ResumeArgs) -> CommandResult {
    if let Some(out) = &args.out {
        check_out_path(out)?;
    }
    let store = args.store.open_existing().await?;
    let jobs = Jobs::new(store.clone());
    let options = jobs.options(&args.job_id).await.map_err(job_failure)?;
    let status = jobs.status(&args.job_id).await.map_err(job_failure)?;

    // The provider is rebuilt from the stored settings; the key comes from the environment
    // because jobs never store keys.
    let prompt = store
        .get_prompt(&status.prompt_id, Some(status.prompt_version))
        .await
        .map_err(|error| Failure::failed(format!("job {}: {error}", args.job_id)))?;
    let kind = match options.provider.kind.as_str() {
        "" => None,
        name => Some(name.parse::<ProviderKind>().map_err(|error| {
            Failure::failed(format!("job {}: stored provider: {error}", args.job_id))
        })?),
    };
    let selected = select_provider(kind, &options.provider, &prompt, &options)?;
    eprintln!(
        "Resuming job {} ({} of {} chunks committed)",
        args.job_id, status.committed_chunks, status.chunks
    );

    // An explicit --out wins; otherwise the file named when the job was created is used.
    let stored = options.output.clone();
    let (out_path, export_options) = match (&args.out, stored) {
        (Some(path), _) => (Some(path.clone()), args.csv.export_options()),
        (None, Some(output)) => (Some(PathBuf::from(output.path)), output.options),
        (None, None) => (None, args.csv.export_options()),
    };
    let out = out_path.as_deref().map(|path| (path, &export_options));
    let exit = run_job(
        &jobs,
        &args.job_id,
        selected.provider,
        out,
        Some(&args.store.display()),
    )
    .await?;
    if out_path.is_none() {
        eprintln!(
            "Export with: dgs export {} --store {} --out FILE",
            args.job_id,
            args.store.display()
        );
    }
    Ok(exit)
}
