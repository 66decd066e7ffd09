//! `dgs jobs`: lists the jobs of a store, newest first.

use crate::failure::{CommandResult, Failure};
use crate::store_arg::StoreArg;
use clap::Args;
use dgs_core::store::JobRecord;
use serde::Serialize;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub(crate) struct JobsArgs {
    /// Print `{"jobs":[{"id","status","created_at",...}]}` instead of a table.
    #[arg(long)]
    json: bool,

    #[command(flatten)]
    store: StoreArg,
}

/// One job of the `--json` output.
#[derive(Serialize)]
struct JobLine<'a> {
    id: &'a str,
    status: &'a str,
    created_at: String,
    updated_at: String,
    input_path: &'a str,
    rows: u64,
    groups: u64,
    chunks: u64,
    iteration: u32,
    error: Option<&'a str>,
}

impl<'a> JobLine<'a> {
    fn new(record: &'a JobRecord) -> Self {
        JobLine {
            id: &record.id,
            status: record.status.as_str(),
            created_at: record.created_at.to_rfc3339(),
            updated_at: record.updated_at.to_rfc3339(),
            input_path: &record.input_path,
            rows: record.totals.rows,
            groups: record.totals.groups,
            chunks: record.totals.chunks,
            iteration: record.current_iteration,
            error: record.error.as_deref(),
        }
    }
}

pub(crate) async fn run(args: &JobsArgs) -> CommandResult {
    let store = args.store.open_existing().await?;
    let records = store
        .list_jobs()
        .await
        .map_err(|error| Failure::failed(error.to_string()))?;
    let lines: Vec<JobLine<'_>> = records.iter().map(JobLine::new).collect();

    if args.json {
        println!("{}", serde_json::json!({ "jobs": lines }));
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<36}  {:<9}  {:<25}  {:>8}  {:>8}  INPUT",
        "ID", "STATUS", "CREATED", "ROWS", "GROUPS"
    );
    for line in &lines {
        println!(
            "{:<36}  {:<9}  {:<25}  {:>8}  {:>8}  {}",
            line.id, line.status, line.created_at, line.rows, line.groups, line.input_path
        );
    }
    Ok(ExitCode::SUCCESS)
}
