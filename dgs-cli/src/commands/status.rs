//! `dgs status`: shows the state and figures of one job, the latest by default.

use crate::failure::{CommandResult, Failure};
use crate::runner::job_failure;
use crate::store_arg::StoreArg;
use crate::summary::summary;
use clap::Args;
use dgs_core::job::Jobs;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub(crate) struct StatusArgs {
    /// Job id. Default: the most recently created job.
    job_id: Option<String>,

    /// Print the job report as one JSON object.
    #[arg(long)]
    json: bool,

    #[command(flatten)]
    store: StoreArg,
}

pub(crate) async fn run(args: &StatusArgs) -> CommandResult {
    let store = args.store.open_existing().await?;
    let job_id = match &args.job_id {
        Some(job_id) => job_id.clone(),
        None => {
            let jobs = store
                .list_jobs()
                .await
                .map_err(|error| Failure::failed(error.to_string()))?;
            match jobs.first() {
                Some(latest) => latest.id.clone(),
                None => {
                    return Err(Failure::usage(format!(
                        "store {} has no jobs; start one with `dgs run`",
                        args.store.display()
                    )))
                }
            }
        }
    };

    let jobs = Jobs::new(store);
    let report = jobs.status(&job_id).await.map_err(job_failure)?;
    if args.json {
        let json = serde_json::to_string(&report).expect("job reports serialise to JSON");
        println!("{json}");
    } else {
        println!("{}", summary(&jobs, &report).await);
        println!("input: {}", report.input_path);
        println!(
            "prompt: {} version {}, provider: {} {}",
            report.prompt_id, report.prompt_version, report.provider, report.model
        );
        println!(
            "created: {}, updated: {}",
            report.created_at.to_rfc3339(),
            report.updated_at.to_rfc3339()
        );
        if let Some(error) = &report.error {
            println!("error: {error}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
