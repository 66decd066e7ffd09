//! The `dgs` command-line program: a thin layer over dgs-core.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod commands;

/// Reads, cleans, deduplicates and classifies ledger exports with LLMs.
#[derive(Parser)]
#[command(name = "dgs", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {}
}
