//! The `--out` and `--csv-delimiter` options of the commands that write an export.

use crate::failure::Failure;
use clap::Args;
use dgs_core::export::{ExportFormat, ExportOptions};
use std::path::Path;

#[derive(Args, Debug, Clone)]
pub(crate) struct CsvDelimiterArg {
    /// CSV field separator; `;` suits Excel under a Spanish regional setting. Default: `,`.
    #[arg(long = "csv-delimiter", value_name = "CHAR")]
    pub(crate) csv_delimiter: Option<char>,
}

impl CsvDelimiterArg {
    pub(crate) fn export_options(&self) -> ExportOptions {
        let mut options = ExportOptions::default();
        if let Some(delimiter) = self.csv_delimiter {
            options.csv_delimiter = delimiter;
        }
        options
    }
}

/// Checks that `out` names a supported format before any work starts.
pub(crate) fn check_out_path(out: &Path) -> Result<(), Failure> {
    ExportFormat::from_path(out).map(|_| ()).map_err(|error| {
        Failure::usage(format!(
            "--out {}: {error}; use .xlsx, .csv or .jsonl",
            out.display()
        ))
    })
}
