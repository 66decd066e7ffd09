//! Entry points: a path (file or folder) or bytes in memory, walked in a fixed order.

use super::archive::{read_archive, ArchiveBudget};
use super::driver::{classify, Driver, EntryKind, ReadMode};
use super::event::{IngestEvent, IngestSummary};
use super::names::normalize_name;
use super::{Format, IngestError, IngestOptions};
use std::fs::File;
use std::io::{BufReader, Cursor};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

/// Reads every row of a ZIP, a folder or a single file, calling `visitor` for each row,
/// finished table and skipped entry, in input order.
///
/// Order and row indexes: ZIP entries in archive order, folder entries sorted by their
/// relative path (folders recursively, `/`-separated, compared byte-wise), sheets in
/// workbook order, rows in file order. Row indexes start at 0 and follow that order.
///
/// File paths in rows and reports are relative to the input: the entry name inside a ZIP
/// given directly, the path relative to a folder, the file name of a single file. Entries of
/// a nested ZIP, or of a ZIP inside a folder, are prefixed with that ZIP's path
/// (`sub/outer.zip/inner.zip/file.csv`).
///
/// A file that fails is reported with its error and the rest of the input is still read.
/// Returning `ControlFlow::Break` from `visitor` stops reading; the summary then has
/// `stopped_early` set.
///
/// # Errors
///
/// [`IngestError::InputNotFound`] when `path` does not exist or cannot be listed. Failures of
/// single files and archives are in the summary's reports, not returned.
pub fn read_path(
    path: impl AsRef<Path>,
    options: &IngestOptions,
    mut visitor: impl FnMut(IngestEvent) -> ControlFlow<()>,
) -> Result<IngestSummary, IngestError> {
    let mut driver = Driver::new(options, ReadMode::Rows, &mut visitor);
    walk_path(&mut driver, path.as_ref())?;
    Ok(driver.into_summary())
}

/// Reads the rows of one file held in memory, as [`read_path`] does for a file on disk.
/// `name` is its path in rows and reports, and its extension selects the reader.
pub fn read_bytes(
    name: &str,
    data: Vec<u8>,
    options: &IngestOptions,
    mut visitor: impl FnMut(IngestEvent) -> ControlFlow<()>,
) -> IngestSummary {
    let mut driver = Driver::new(options, ReadMode::Rows, &mut visitor);
    let name = normalize_name(name);
    read_memory(&mut driver, &name, data);
    driver.into_summary()
}

/// Returns the union of the column names of every table of the input, in first-seen order.
///
/// Only headers are read where the format allows it (CSV stops after its header row), so
/// this is a cheap first pass before writing every row under one header.
///
/// # Errors
///
/// As [`read_path`].
pub fn collect_columns(
    path: impl AsRef<Path>,
    options: &IngestOptions,
) -> Result<Vec<String>, IngestError> {
    let mut visitor = |_event: IngestEvent| ControlFlow::Continue(());
    let mut driver = Driver::new(options, ReadMode::HeadersOnly, &mut visitor);
    walk_path(&mut driver, path.as_ref())?;

    let mut columns: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for report in driver.into_summary().files {
        for column in report.columns {
            if seen.insert(column.clone()) {
                columns.push(column);
            }
        }
    }
    Ok(columns)
}

fn walk_path(driver: &mut Driver<'_>, path: &Path) -> Result<(), IngestError> {
    let metadata = std::fs::metadata(path).map_err(|source| IngestError::InputNotFound {
        path: path.display().to_string(),
        source,
    })?;

    if metadata.is_dir() {
        let mut files = Vec::new();
        list_folder(path, "", &mut files)?;
        files.sort_by(|left, right| left.0.cmp(&right.0));
        for (relative, full) in files {
            if driver.stopped() {
                break;
            }
            read_file(driver, &relative, &full);
        }
        return Ok(());
    }

    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let name = normalize_name(&name);
    if classify(&name) == EntryKind::Zip {
        // A ZIP given directly: its entries are named as inside the archive.
        read_zip_file(driver, &name, "", path);
    } else {
        read_file(driver, &name, path);
    }
    Ok(())
}

/// Collects `(relative path, full path)` of every file under `folder`. Symbolic links to
/// folders are not followed, so a link cycle cannot loop.
fn list_folder(
    folder: &Path,
    prefix: &str,
    files: &mut Vec<(String, PathBuf)>,
) -> Result<(), IngestError> {
    let listing_error = |source| IngestError::InputNotFound {
        path: folder.display().to_string(),
        source,
    };

    for entry in std::fs::read_dir(folder).map_err(listing_error)? {
        let entry = entry.map_err(listing_error)?;
        let name = normalize_name(&entry.file_name().to_string_lossy());
        let relative = format!("{prefix}{name}");
        let file_type = entry.file_type().map_err(listing_error)?;

        if file_type.is_dir() {
            list_folder(&entry.path(), &format!("{relative}/"), files)?;
        } else if file_type.is_file() || entry.path().is_file() {
            files.push((relative, entry.path()));
        }
    }
    Ok(())
}

/// Reads one file of a folder, or the single file given.
fn read_file(driver: &mut Driver<'_>, relative: &str, full: &Path) {
    let Some(kind) = driver.check_entry(relative) else {
        return;
    };

    match kind {
        EntryKind::Zip => {
            let prefix = format!("{relative}/");
            read_zip_file(driver, relative, &prefix, full);
        }
        EntryKind::Table(format) => match File::open(full) {
            Ok(file) => driver.read_table(relative, format, &mut BufReader::new(file)),
            Err(source) => {
                let error = IngestError::Io {
                    path: relative.to_owned(),
                    source,
                };
                driver.fail(relative, format.format(), &error);
            }
        },
        EntryKind::Unsupported(_) => unreachable!("check_entry skips unsupported entries"),
    }
}

fn read_zip_file(driver: &mut Driver<'_>, archive_path: &str, prefix: &str, full: &Path) {
    match File::open(full) {
        Ok(file) => {
            let mut budget = ArchiveBudget::default();
            let reader = BufReader::new(file);
            read_archive(driver, archive_path, prefix, reader, &mut budget, false);
        }
        Err(source) => {
            let error = IngestError::Io {
                path: archive_path.to_owned(),
                source,
            };
            driver.fail(archive_path, Format::Zip, &error);
        }
    }
}

fn read_memory(driver: &mut Driver<'_>, name: &str, data: Vec<u8>) {
    let Some(kind) = driver.check_entry(name) else {
        return;
    };

    match kind {
        EntryKind::Zip => {
            let mut budget = ArchiveBudget::default();
            read_archive(driver, name, "", Cursor::new(data), &mut budget, false);
        }
        EntryKind::Table(format) => driver.read_table(name, format, &mut Cursor::new(data)),
        EntryKind::Unsupported(_) => unreachable!("check_entry skips unsupported entries"),
    }
}
