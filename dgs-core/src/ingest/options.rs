//! Limits and switches for reading input.

use serde::{Deserialize, Serialize};

/// Options for reading input. `Default` gives the documented defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IngestOptions {
    /// Maximum number of entries read from one ZIP, nested ZIPs included. Default: 10,000.
    pub max_entries: u64,
    /// Maximum uncompressed bytes read from one ZIP, counted on bytes actually read.
    /// Default: 8 GiB.
    pub max_total_bytes: u64,
    /// Maximum ratio of uncompressed to compressed bytes of one entry, counted on bytes
    /// actually read, once the entry has produced 1 MiB. Default: 200.
    pub max_compression_ratio: u64,
    /// Maximum size of one workbook, which is buffered whole because the XLSX reader needs
    /// random access. Default: 512 MiB.
    pub max_workbook_bytes: u64,
    /// Maximum size of a ZIP inside a ZIP, which is buffered whole because the ZIP reader
    /// needs random access. Default: 512 MiB.
    pub max_nested_zip_bytes: u64,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            max_entries: 10_000,
            max_total_bytes: 8 << 30,
            max_compression_ratio: 200,
            max_workbook_bytes: 512 << 20,
            max_nested_zip_bytes: 512 << 20,
        }
    }
}
