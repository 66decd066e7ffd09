//! `dgs inspect`: reads the whole input and prints one report per table, so an operator sees
//! how each file will be read before running a job on it.

use super::{finish_ingest, input_error};
use clap::Args;
use dgs_core::ingest::{read_path, FileReport, IngestOptions, IngestSummary, SkippedFile};
use serde::Serialize;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub(crate) struct InspectArgs {
    /// ZIP, folder or single file (.csv .txt .tsv .xlsx .xlsm .json .jsonl .ndjson).
    path: PathBuf,

    /// Print one JSON object `{"files": [...], "skipped": [...]}` instead of a table.
    #[arg(long)]
    json: bool,
}

/// The `--json` output: one report per table (per sheet for workbooks) and the entries not
/// read.
#[derive(Serialize)]
struct InspectOutput<'a> {
    files: &'a [FileReport],
    skipped: &'a [SkippedFile],
}

pub(crate) fn run(args: &InspectArgs) -> ExitCode {
    let options = IngestOptions::default();
    let summary = match read_path(&args.path, &options, |_event| ControlFlow::Continue(())) {
        Ok(summary) => summary,
        Err(error) => return input_error(&error),
    };

    if args.json {
        let output = InspectOutput {
            files: &summary.files,
            skipped: &summary.skipped,
        };
        let json = serde_json::to_string(&output).expect("reports serialise to JSON");
        println!("{json}");
    } else {
        print!("{}", render_table(&summary));
    }
    finish_ingest(&summary)
}

/// Renders the reports as aligned columns, then the warnings and the skipped entries.
fn render_table(summary: &IngestSummary) -> String {
    let header = [
        "FILE", "SHEET", "FORMAT", "ENCODING", "DELIM", "COLUMNS", "ROWS", "STATUS",
    ];
    let mut lines: Vec<[String; 8]> = vec![header.map(str::to_owned)];
    for report in &summary.files {
        lines.push([
            report.path.clone(),
            report.sheet.clone().unwrap_or_else(|| "-".to_owned()),
            format!("{:?}", report.format).to_lowercase(),
            report.encoding.clone().unwrap_or_else(|| "-".to_owned()),
            report.delimiter.map_or("-".to_owned(), describe_delimiter),
            report.columns.len().to_string(),
            report.rows.to_string(),
            match (&report.error, report.warnings.len()) {
                (Some(_), _) => "FAILED".to_owned(),
                (None, 0) => "ok".to_owned(),
                (None, count) => format!("warnings: {count}"),
            },
        ]);
    }

    let mut widths = [0usize; 8];
    for line in &lines {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for line in &lines {
        let cells: Vec<String> = line
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }

    for report in &summary.files {
        let table = match &report.sheet {
            Some(sheet) => format!("{} [{sheet}]", report.path),
            None => report.path.clone(),
        };
        if report.columns.is_empty() && report.warnings.is_empty() && report.error.is_none() {
            continue;
        }
        out.push_str(&format!("\n{table}\n"));
        if !report.columns.is_empty() {
            out.push_str(&format!("  columns: {}\n", report.columns.join(", ")));
        }
        for warning in &report.warnings {
            out.push_str(&format!(
                "  warning ({}): {}\n",
                warning.kind, warning.message
            ));
        }
        if let Some(error) = &report.error {
            out.push_str(&format!("  error: {error}\n"));
        }
    }

    if !summary.skipped.is_empty() {
        out.push_str("\nskipped:\n");
        for skipped in &summary.skipped {
            out.push_str(&format!("  {}: {}\n", skipped.path, skipped.reason));
        }
    }
    out.push_str(&format!(
        "\n{} tables, {} rows, {} skipped\n",
        summary.files.len(),
        summary.rows,
        summary.skipped.len()
    ));
    out
}

fn describe_delimiter(delimiter: char) -> String {
    match delimiter {
        '\t' => "tab".to_owned(),
        other => other.to_string(),
    }
}
