//! ZIP archives: entries are streamed straight into the format readers, in archive order,
//! under limits that count the bytes actually read rather than the sizes the headers claim.
//!
//! Nothing is written to disk. A nested ZIP (one level deep) and an XLSX entry are buffered
//! in memory, capped by [`IngestOptions::max_nested_zip_bytes`] and
//! [`IngestOptions::max_workbook_bytes`].

use super::driver::{Driver, EntryKind};
use super::names::decode_zip_name;
use super::{Format, IngestError, IngestOptions};
use std::cell::Cell;
use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::rc::Rc;
use zip::ZipArchive;

/// Uncompressed bytes of an entry read before the compression ratio is checked, so small,
/// very repetitive files (a column of equal values) are not mistaken for bombs.
pub(crate) const RATIO_GRACE_BYTES: u64 = 1 << 20;

/// Counts shared by a top-level archive and the archives nested in it.
#[derive(Debug, Default)]
pub(crate) struct ArchiveBudget {
    entries: u64,
    uncompressed: Cell<u64>,
    /// Set when `max_total_bytes` stopped an entry, so the archive stops too.
    total_exceeded: Cell<bool>,
}

/// Reads every entry of the archive at `archive_path`, whose entry paths start with
/// `prefix`. `nested` archives do not open the ZIPs they contain.
pub(crate) fn read_archive<R: Read + Seek>(
    driver: &mut Driver<'_>,
    archive_path: &str,
    prefix: &str,
    reader: R,
    budget: &mut ArchiveBudget,
    nested: bool,
) {
    let _span = tracing::info_span!("read_archive", path = archive_path).entered();
    let options = driver.options;
    let compressed = Rc::new(Cell::new(0u64));
    let counting = CountingReader {
        inner: reader,
        count: compressed.clone(),
    };

    let mut archive = match ZipArchive::new(counting) {
        Ok(archive) => archive,
        Err(error) => {
            let error = IngestError::Archive {
                path: archive_path.to_owned(),
                message: error.to_string(),
            };
            driver.fail(archive_path, Format::Zip, &error);
            return;
        }
    };

    let entry_count = archive.len();
    for index in 0..entry_count {
        if driver.stopped() {
            return;
        }

        budget.entries += 1;
        if budget.entries > options.max_entries {
            let error = IngestError::LimitExceeded {
                path: archive_path.to_owned(),
                limit: "max_entries",
                max: options.max_entries,
                value: budget.entries,
                message: format!(
                    "too many ZIP entries; entries {} to {entry_count} were not read",
                    index + 1
                ),
            };
            driver.fail(archive_path, Format::Zip, &error);
            return;
        }

        let (name, is_dir, encrypted) = match archive.by_index_data(index) {
            Ok(entry) => (
                decode_zip_name(entry.name_raw(), entry.flags().as_u16()),
                entry.is_dir(),
                entry.encrypted(),
            ),
            Err(error) => {
                let error = IngestError::Archive {
                    path: archive_path.to_owned(),
                    message: format!("entry {} has an invalid header: {error}", index + 1),
                };
                driver.fail(archive_path, Format::Zip, &error);
                continue;
            }
        };
        let path = format!("{prefix}{name}");
        if is_dir {
            continue;
        }
        let Some(kind) = driver.check_entry(&path) else {
            continue;
        };
        if encrypted {
            driver.skip(
                &path,
                "encrypted entry: password-protected entries are not read",
            );
            continue;
        }

        let entry = match archive.by_index(index) {
            Ok(entry) => entry,
            Err(error) => {
                let format = match kind {
                    EntryKind::Table(format) => format.format(),
                    _ => Format::Zip,
                };
                let error = IngestError::Archive {
                    path: path.clone(),
                    message: format!("cannot open entry: {error}"),
                };
                driver.fail(&path, format, &error);
                continue;
            }
        };
        let mut limited = LimitedReader {
            inner: entry,
            path: path.clone(),
            options,
            compressed: compressed.clone(),
            compressed_start: compressed.get(),
            read: 0,
            budget,
            exceeded: None,
        };

        match kind {
            EntryKind::Table(format) => {
                let result = driver.run_reader(&path, format, &mut limited);
                let result = match limited.exceeded.take() {
                    Some(limit_error) => result.and(Err(limit_error)),
                    None => result,
                };
                driver.finish_file(&path, format.format(), result);
            }
            EntryKind::Zip if nested => {
                drop(limited);
                driver.skip(
                    &path,
                    "ZIP inside a nested ZIP is not read: archives are opened one level deep",
                );
            }
            EntryKind::Zip => {
                let buffered = buffer_nested(&path, &mut limited, options.max_nested_zip_bytes);
                drop(limited);
                match buffered {
                    Ok(data) => {
                        let inner_prefix = format!("{path}/");
                        read_archive(
                            driver,
                            &path,
                            &inner_prefix,
                            Cursor::new(data),
                            budget,
                            true,
                        );
                    }
                    Err(error) => driver.fail(&path, Format::Zip, &error),
                }
            }
            EntryKind::Unsupported(_) => unreachable!("check_entry skips unsupported entries"),
        }

        if budget.total_exceeded.get() {
            let error = IngestError::LimitExceeded {
                path: archive_path.to_owned(),
                limit: "max_total_bytes",
                max: options.max_total_bytes,
                value: budget.uncompressed.get(),
                message: format!(
                    "too many uncompressed bytes; entries after {path:?} were not read"
                ),
            };
            driver.fail(archive_path, Format::Zip, &error);
            return;
        }
    }
}

/// Reads a nested ZIP whole, because the ZIP reader needs to seek to its central directory.
fn buffer_nested(
    path: &str,
    reader: &mut LimitedReader<'_, impl Read>,
    max_bytes: u64,
) -> Result<Vec<u8>, IngestError> {
    let mut data = Vec::new();
    let result = reader
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut data);
    if let Some(limit_error) = reader.exceeded.take() {
        return Err(limit_error);
    }
    result.map_err(|error| IngestError::Archive {
        path: path.to_owned(),
        message: format!("cannot read entry: {error}"),
    })?;

    let size = data.len() as u64;
    if size > max_bytes {
        return Err(IngestError::LimitExceeded {
            path: path.to_owned(),
            limit: "max_nested_zip_bytes",
            max: max_bytes,
            value: size,
            message: "nested ZIP is larger than the in-memory limit for nested archives, which \
                      are buffered whole to be read"
                .to_owned(),
        });
    }
    Ok(data)
}

/// Counts the bytes read from the archive file, which are the compressed bytes of the entry
/// being decompressed (plus its local header).
struct CountingReader<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.count.set(self.count.get() + read as u64);
        Ok(read)
    }
}

impl<R: Seek> Seek for CountingReader<R> {
    fn seek(&mut self, position: SeekFrom) -> io::Result<u64> {
        self.inner.seek(position)
    }
}

/// Wraps a decompressing entry reader and fails once the entry or the archive exceeds a
/// limit. The precise error is kept in `exceeded`, because readers only see an I/O error.
struct LimitedReader<'b, R> {
    inner: R,
    path: String,
    options: &'b IngestOptions,
    compressed: Rc<Cell<u64>>,
    compressed_start: u64,
    read: u64,
    budget: &'b ArchiveBudget,
    exceeded: Option<IngestError>,
}

impl<R: Read> LimitedReader<'_, R> {
    fn check_limits(&mut self) -> Option<IngestError> {
        let total = self.budget.uncompressed.get();
        if total > self.options.max_total_bytes {
            self.budget.total_exceeded.set(true);
            return Some(IngestError::LimitExceeded {
                path: self.path.clone(),
                limit: "max_total_bytes",
                max: self.options.max_total_bytes,
                value: total,
                message: "the archive contains more uncompressed bytes than allowed".to_owned(),
            });
        }

        let compressed = (self.compressed.get() - self.compressed_start).max(1);
        let ratio = self.read / compressed;
        if self.read > RATIO_GRACE_BYTES && ratio > self.options.max_compression_ratio {
            return Some(IngestError::LimitExceeded {
                path: self.path.clone(),
                limit: "max_compression_ratio",
                max: self.options.max_compression_ratio,
                value: ratio,
                message: format!(
                    "entry decompresses to {} bytes from {compressed} compressed bytes, which \
                     looks like a ZIP bomb",
                    self.read
                ),
            });
        }
        None
    }
}

impl<R: Read> Read for LimitedReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(error) = &self.exceeded {
            return Err(io::Error::other(error.to_string()));
        }

        let read = self.inner.read(buf)?;
        self.read += read as u64;
        let total = self.budget.uncompressed.get() + read as u64;
        self.budget.uncompressed.set(total);

        if let Some(error) = self.check_limits() {
            let message = error.to_string();
            self.exceeded = Some(error);
            return Err(io::Error::other(message));
        }
        Ok(read)
    }
}
