//! `dgs rerun`: classifies a job's stored groups again with a new prompt version, as the
//! job's next iteration.

use crate::failure::{CommandResult, Failure};
use crate::job_args::{load_prompt, select_provider};
use crate::out_args::{check_out_path, CsvDelimiterArg};
use crate::runner::{job_failure, run_job};
use crate::store_arg::StoreArg;
use clap::Args;
use dgs_core::job::Jobs;
use dgs_core::llm::ProviderKind;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub(crate) struct RerunArgs {
    /// Id printed by `dgs run` (see `dgs jobs`).
    job_id: String,

    /// JSON prompt file with the new prompt version; it is saved in the store.
    #[arg(long, value_name = "FILE")]
    prompt: PathBuf,

    /// Output file once the iteration completes; the extension picks the format: .xlsx,
    /// .csv or .jsonl. Without it the iteration is classified but not exported.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,

    #[command(flatten)]
    csv: CsvDelimiterArg,

    #[command(flatten)]
    store: StoreArg,
}

pub(crate) async fn run(args: &RerunArgs) -> CommandResult {
    if let Some(out) = &args.out {
        check_out_path(out)?;
    }
    let prompt = load_prompt(&args.prompt).await?;
    let store = args.store.open_existing().await?;
    let jobs = Jobs::new(store);
    let options = jobs.options(&args.job_id).await.map_err(job_failure)?;

    // The provider is rebuilt from the stored settings, with the key from the environment.
    let kind = match options.provider.kind.as_str() {
        "" => None,
        name => Some(name.parse::<ProviderKind>().map_err(|error| {
            Failure::failed(format!("job {}: stored provider: {error}", args.job_id))
        })?),
    };
    let selected = select_provider(kind, &options.provider, &prompt, &options)?;

    let record = jobs
        .rerun(&args.job_id, &prompt)
        .await
        .map_err(job_failure)?;
    eprintln!(
        "Job {} iteration {} started with prompt {}",
        record.id, record.current_iteration, prompt.id
    );
    println!("{}", record.current_iteration);

    let export_options = args.csv.export_options();
    let out = args.out.as_deref().map(|path| (path, &export_options));
    run_job(
        &jobs,
        &args.job_id,
        selected.provider,
        out,
        Some(&args.store.display()),
    )
    .await
}
