//! Errors of the job commands and the exit code each one maps to.

use std::process::ExitCode;

/// Exit code when a command failed after it started: a failed job, a store or export error.
pub(crate) const EXIT_FAILED: u8 = 1;

/// Exit code for usage errors, the same as clap's: a missing column, a bad prompt file, an
/// unknown job id.
pub(crate) const EXIT_USAGE: u8 = 2;

/// Exit code after Ctrl-C, the shell convention for a process stopped by SIGINT (128 + 2).
pub(crate) const EXIT_INTERRUPTED: u8 = 130;

/// The reason a command stopped early. The message is printed on stderr after `error: `.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The arguments or the values they name are invalid; exit code 2.
    Usage(String),
    /// The work itself failed; exit code 1.
    Failed(String),
}

impl Failure {
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Failure::Usage(message.into())
    }

    pub(crate) fn failed(message: impl Into<String>) -> Self {
        Failure::Failed(message.into())
    }

    /// Prints the message on stderr and returns the exit code.
    pub(crate) fn report(self) -> ExitCode {
        match self {
            Failure::Usage(message) => {
                eprintln!("error: {message}");
                ExitCode::from(EXIT_USAGE)
            }
            Failure::Failed(message) => {
                eprintln!("error: {message}");
                ExitCode::from(EXIT_FAILED)
            }
        }
    }
}

/// Result of a job command: the exit code to return, or a failure to print.
pub(crate) type CommandResult = Result<ExitCode, Failure>;
