//! Baseline for the XLSX read benchmark: the time calamine alone needs to visit
//! every cell of a workbook, with no row building, typing or output.
//!
//! Usage: `calamine_cells [--mode range|stream] FILE.xlsx`
//!
//! `range` (the default) loads each worksheet with `Reader::worksheet_range`
//! and iterates all cells of the range. `stream` uses
//! `Xlsx::worksheet_cells_reader`, which decodes cells one at a time without
//! building a `Range`. Both modes print one JSON line with the sheet count, the
//! non-empty cell count and the elapsed seconds on stdout.

use std::error::Error;
use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use calamine::{open_workbook, Data, DataRef, Reader, Xlsx};

/// Cell visiting strategy.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Range,
    Stream,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Range => "range",
            Mode::Stream => "stream",
        }
    }
}

fn main() -> ExitCode {
    let (mode, path) = match parse_args(std::env::args().skip(1)) {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("calamine_cells: {message}");
            eprintln!("usage: calamine_cells [--mode range|stream] FILE.xlsx");
            return ExitCode::from(2);
        }
    };

    let started = Instant::now();
    let counted = match mode {
        Mode::Range => count_with_ranges(&path),
        Mode::Stream => count_with_stream(&path),
    };
    let seconds = started.elapsed().as_secs_f64();

    match counted {
        Ok((sheets, cells)) => {
            println!(
                "{{\"mode\":\"{}\",\"sheets\":{sheets},\"non_empty_cells\":{cells},\"seconds\":{seconds:.6}}}",
                mode.name()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("calamine_cells: failed to read {}: {error}", path.display());
            ExitCode::FAILURE
        }
    }
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<(Mode, PathBuf), String> {
    let mut mode = Mode::Range;
    let mut path = None;
    let mut args = args.peekable();

    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--mode" => {
                mode = match args.next().as_deref() {
                    Some("range") => Mode::Range,
                    Some("stream") => Mode::Stream,
                    other => {
                        return Err(format!(
                            "invalid --mode {other:?}, expected range or stream"
                        ))
                    }
                };
            }
            _ if path.is_none() => path = Some(PathBuf::from(arg)),
            _ => return Err(format!("unexpected argument {arg:?}")),
        }
    }

    let path = path.ok_or_else(|| "missing FILE.xlsx argument".to_string())?;
    Ok((mode, path))
}

/// Returns (sheet count, non-empty cell count) after loading each sheet as a range.
fn count_with_ranges(path: &PathBuf) -> Result<(usize, u64), Box<dyn Error>> {
    let mut workbook: Xlsx<BufReader<File>> = open_workbook(path)?;
    let sheet_names = workbook.sheet_names();
    let mut cells = 0u64;

    for name in &sheet_names {
        let range = workbook.worksheet_range(name)?;
        cells += range
            .rows()
            .flatten()
            .filter(|cell| **cell != Data::Empty)
            .count() as u64;
    }
    Ok((sheet_names.len(), cells))
}

/// Returns (sheet count, non-empty cell count) decoding cells one at a time.
fn count_with_stream(path: &PathBuf) -> Result<(usize, u64), Box<dyn Error>> {
    let mut workbook: Xlsx<BufReader<File>> = open_workbook(path)?;
    let sheet_names = workbook.sheet_names();
    let mut cells = 0u64;

    for name in &sheet_names {
        let mut reader = workbook.worksheet_cells_reader(name)?;
        while let Some(cell) = reader.next_cell()? {
            if *cell.get_value() != DataRef::Empty {
                cells += 1;
            }
        }
    }
    Ok((sheet_names.len(), cells))
}
