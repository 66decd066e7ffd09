//! The `dgs` command-line program: a thin layer over dgs-core.

use clap::{Parser, Subcommand};
use std::future::Future;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

mod commands;
mod dry_run;
mod failure;
mod job_args;
mod out_args;
mod progress;
mod runner;
mod store_arg;
mod summary;

use failure::{CommandResult, Failure};

/// Reads, cleans, deduplicates and classifies ledger exports with LLMs.
#[derive(Parser)]
#[command(name = "dgs", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show how each file of a ZIP, folder or file would be read: format, encoding,
    /// delimiter, sheets, columns, row count, warnings and errors.
    Inspect(commands::inspect::InspectArgs),
    /// Write every row of a ZIP, folder or file to stdout as JSON lines or CSV.
    Read(commands::read::ReadArgs),
    /// Create a job in the store, print its id, classify the input and export the result.
    Run(commands::run::RunArgs),
    /// Continue a cancelled, failed or interrupted job; only chunks without results are sent.
    Resume(commands::resume::ResumeArgs),
    /// Show the state and figures of a job (the latest by default).
    Status(commands::status::StatusArgs),
    /// List the jobs of the store, newest first.
    Jobs(commands::jobs::JobsArgs),
    /// Export a finished job to .xlsx, .csv or .jsonl.
    Export(commands::export::ExportArgs),
    /// List, show, add and version the prompts of the store.
    Prompts(commands::prompts::PromptsArgs),
    /// Classify an input in one process without a store (no resume) and export the result.
    Classify(commands::classify::ClassifyArgs),
    /// Draw a stratified sample of a job's classified groups and write the review file.
    Sample(commands::sample::SampleArgs),
    /// Import the verdicts of a filled review file into a job.
    Review(commands::review::ReviewArgs),
    /// Compute, store and print the quality metrics of an iteration from the verdicts.
    Metrics(commands::metrics::MetricsArgs),
    /// Classify a job's stored groups again with a new prompt version, as its next iteration.
    Rerun(commands::rerun::RerunArgs),
    /// Write the HTML report of every iteration of a job.
    Report(commands::report::ReportArgs),
    /// Compare two iterations of a job: metric deltas and changed groups.
    Compare(commands::compare::CompareArgs),
    /// Clean the selected columns, group rows by dedup key and print the dedup figures;
    /// optionally write every row with its clean fields and group id.
    Clean(commands::clean::CleanArgs),
}

fn main() -> ExitCode {
    exit_quietly_when_stdout_closes();
    init_tracing();
    let cli = Cli::parse();
    match cli.command {
        Command::Inspect(args) => commands::inspect::run(&args),
        Command::Read(args) => commands::read::run(&args),
        Command::Clean(args) => commands::clean::run(&args),
        Command::Run(args) => block_on(commands::run::run(&args)),
        Command::Resume(args) => block_on(commands::resume::run(&args)),
        Command::Status(args) => block_on(commands::status::run(&args)),
        Command::Jobs(args) => block_on(commands::jobs::run(&args)),
        Command::Export(args) => block_on(commands::export::run(&args)),
        Command::Prompts(args) => block_on(commands::prompts::run(&args)),
        Command::Classify(args) => block_on(commands::classify::run(&args)),
        Command::Sample(args) => block_on(commands::sample::run(&args)),
        Command::Review(args) => block_on(commands::review::run(&args)),
        Command::Metrics(args) => block_on(commands::metrics::run(&args)),
        Command::Rerun(args) => block_on(commands::rerun::run(&args)),
        Command::Report(args) => block_on(commands::report::run(&args)),
        Command::Compare(args) => block_on(commands::compare::run(&args)),
    }
}

/// Runs an async command on a multi-threaded tokio runtime and turns its result into the
/// exit code.
fn block_on(command: impl Future<Output = CommandResult>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            return Failure::failed(format!("cannot start the async runtime: {error}")).report()
        }
    };
    match runtime.block_on(command) {
        Ok(code) => code,
        Err(failure) => failure.report(),
    }
}

/// Sends logs to stderr, filtered by `RUST_LOG` (default `warn`), so stdout carries only
/// command output.
fn init_tracing() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }
}

/// Ends the process with exit code 0 when stdout is a pipe whose reader has gone, as in
/// `dgs status | head -1`. Rust ignores SIGPIPE, so `println!` panics on the closed pipe
/// instead; every other panic keeps the default report.
fn exit_quietly_when_stdout_closes() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default_hook(info);
    }));
}
