//! The `dgs` command-line program: a thin layer over dgs-core.

use clap::{Parser, Subcommand};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

mod commands;

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
    /// Clean the selected columns, group rows by dedup key and print the dedup figures;
    /// optionally write every row with its clean fields and group id.
    Clean(commands::clean::CleanArgs),
}

fn main() -> ExitCode {
    init_tracing();
    let cli = Cli::parse();
    match cli.command {
        Command::Inspect(args) => commands::inspect::run(&args),
        Command::Read(args) => commands::read::run(&args),
        Command::Clean(args) => commands::clean::run(&args),
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
