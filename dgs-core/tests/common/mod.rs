//! Helpers shared by the ingest integration tests: reading inputs into memory and building
//! ZIP archives in memory.

#![allow(dead_code)]

use dgs_core::ingest::{
    read_bytes, read_path, FileReport, IngestEvent, IngestOptions, IngestSummary, Row,
};
use std::io::{Cursor, Write};
use std::ops::ControlFlow;
use std::path::Path;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// Rows and summary of one input, with the events checked for consistency on the way.
pub struct Read {
    pub rows: Vec<Row>,
    pub summary: IngestSummary,
}

impl Read {
    pub fn report(&self, path: &str) -> &FileReport {
        self.summary
            .files
            .iter()
            .find(|report| report.path == path)
            .unwrap_or_else(|| panic!("no report for {path}: {:#?}", self.summary.files))
    }

    pub fn skip_reason(&self, path: &str) -> Option<&str> {
        self.summary
            .skipped
            .iter()
            .find(|skipped| skipped.path == path)
            .map(|skipped| skipped.reason.as_str())
    }

    pub fn texts(&self, column: &str) -> Vec<Option<String>> {
        self.rows
            .iter()
            .map(|row| {
                row.get(column)
                    .and_then(|value| value.as_text())
                    .map(str::to_owned)
            })
            .collect()
    }

    pub fn files(&self) -> Vec<String> {
        let mut files: Vec<String> = Vec::new();
        for row in &self.rows {
            if files.last().map(String::as_str) != Some(&*row.file) {
                files.push(row.file.to_string());
            }
        }
        files
    }
}

pub fn read_file_path(path: &Path, options: &IngestOptions) -> Read {
    let mut rows = Vec::new();
    let summary = read_path(path, options, |event| {
        if let IngestEvent::Row(row) = event {
            rows.push(row);
        }
        ControlFlow::Continue(())
    })
    .expect("input exists");
    check_consistency(&rows, &summary);
    Read { rows, summary }
}

pub fn read_memory(name: &str, data: Vec<u8>, options: &IngestOptions) -> Read {
    let mut rows = Vec::new();
    let summary = read_bytes(name, data, options, |event| {
        if let IngestEvent::Row(row) = event {
            rows.push(row);
        }
        ControlFlow::Continue(())
    });
    check_consistency(&rows, &summary);
    Read { rows, summary }
}

pub fn read_default(name: &str, data: &[u8]) -> Read {
    read_memory(name, data.to_vec(), &IngestOptions::default())
}

/// Row indexes are 0, 1, 2... and the reports count every row yielded.
pub fn check_consistency(rows: &[Row], summary: &IngestSummary) {
    for (expected, row) in rows.iter().enumerate() {
        assert_eq!(row.row_index, expected as u64, "row indexes are sequential");
        assert_eq!(row.values.len(), row.columns.len(), "one value per column");
    }
    assert_eq!(summary.rows, rows.len() as u64);
    let reported: u64 = summary.files.iter().map(|report| report.rows).sum();
    assert_eq!(reported, rows.len() as u64, "reports count every row");
}

/// One entry of a ZIP built by [`build_zip`].
pub enum Entry<'a> {
    /// A file with a raw name (written without the UTF-8 flag unless the name is valid
    /// non-ASCII UTF-8) and its bytes, deflated.
    File(&'a [u8], &'a [u8]),
    /// A file stored without compression.
    Stored(&'a [u8], &'a [u8]),
    Directory(&'a str),
}

pub fn build_zip(entries: &[Entry<'_>]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for entry in entries {
        match entry {
            Entry::File(name, data) | Entry::Stored(name, data) => {
                let method = match entry {
                    Entry::Stored(..) => CompressionMethod::Stored,
                    _ => CompressionMethod::Deflated,
                };
                let options = SimpleFileOptions::default()
                    .compression_method(method)
                    .large_file(data.len() > u32::MAX as usize / 2)
                    .name(name);
                writer
                    .start_file_with_options(options)
                    .expect("start entry");
                writer.write_all(data).expect("write entry");
            }
            Entry::Directory(name) => {
                writer
                    .add_directory(*name, SimpleFileOptions::default())
                    .expect("add directory");
            }
        }
    }
    writer.finish().expect("finish zip").into_inner()
}

/// Sets the "encrypted" flag bit of every header of the entry named `name`, as a
/// password-protected entry has it.
pub fn mark_encrypted(zip: &mut [u8], name: &[u8]) {
    let mut marked = 0;
    for start in 0..zip.len().saturating_sub(46) {
        let signature = &zip[start..start + 4];
        let (flags_offset, name_offset) = match signature {
            [0x50, 0x4b, 0x03, 0x04] => (6, 30),
            [0x50, 0x4b, 0x01, 0x02] => (8, 46),
            _ => continue,
        };
        if zip[start + name_offset..].starts_with(name) {
            zip[start + flags_offset] |= 1;
            marked += 1;
        }
    }
    assert_eq!(marked, 2, "local and central header marked");
}
