//! One module per subcommand.

pub(crate) mod classify;
pub(crate) mod clean;
pub(crate) mod compare;
pub(crate) mod export;
pub(crate) mod inspect;
pub(crate) mod jobs;
pub(crate) mod metrics;
pub(crate) mod prompts;
pub(crate) mod read;
pub(crate) mod report;
pub(crate) mod rerun;
pub(crate) mod resume;
pub(crate) mod review;
pub(crate) mod run;
pub(crate) mod sample;
pub(crate) mod status;

use dgs_core::ingest::{IngestError, IngestSummary};
use std::process::ExitCode;

/// Exit code when some file of the input failed and the others were still read.
pub(crate) const EXIT_FILE_FAILED: u8 = 1;

/// Exit code for usage errors, the same as clap's: bad arguments or an input path that does
/// not exist.
pub(crate) const EXIT_USAGE: u8 = 2;

/// Prints the errors of failed files to stderr and returns 0 when every file was read, 1
/// otherwise.
pub(crate) fn finish_ingest(summary: &IngestSummary) -> ExitCode {
    for report in &summary.files {
        if let Some(error) = &report.error {
            eprintln!("error: {error}");
        }
    }
    if summary.has_errors() {
        ExitCode::from(EXIT_FILE_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}

/// Prints an error that stopped the command before any file was read.
pub(crate) fn input_error(error: &IngestError) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::from(EXIT_USAGE)
}
