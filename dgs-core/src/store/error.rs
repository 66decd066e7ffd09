//! The error type every [`super::Store`] method returns.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The kind of record an error refers to, so a message names what was missing or rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Job,
    GroupMap,
    Group,
    ChunkCheckpoint,
    Classification,
    Iteration,
    Prompt,
    Sample,
    Verdict,
    Metrics,
    CacheEntry,
}

impl RecordKind {
    /// Returns the snake_case name used in messages.
    pub fn as_str(&self) -> &'static str {
        match self {
            RecordKind::Job => "job",
            RecordKind::GroupMap => "group map",
            RecordKind::Group => "group",
            RecordKind::ChunkCheckpoint => "chunk checkpoint",
            RecordKind::Classification => "classification",
            RecordKind::Iteration => "iteration",
            RecordKind::Prompt => "prompt",
            RecordKind::Sample => "sample",
            RecordKind::Verdict => "verdict",
            RecordKind::Metrics => "metrics",
            RecordKind::CacheEntry => "cache entry",
        }
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a [`super::Store`] call failed.
///
/// `NotFound`, `Conflict`, `Invalid` and `SecretInConfig` are the caller's to handle and are
/// the same for every implementation. `Backend`, `Corrupt` and `UnsupportedSchema` come from
/// the storage underneath.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A read or an update addressed a record that does not exist, or a write referenced a
    /// job that was never created. `id` is the full key, e.g. `job 0191…/iteration 2`.
    #[error("{kind} not found: {id}")]
    NotFound { kind: RecordKind, id: String },

    /// A create-once write (job, sample) found a stored record with the same id and different
    /// content. Identical content is not a conflict: the write succeeds and changes nothing.
    #[error("{kind} {id} already exists with different content: {message}")]
    Conflict {
        kind: RecordKind,
        id: String,
        message: String,
    },

    /// A write was rejected because its content breaks the store's rules, and nothing was
    /// stored. Examples: a group map whose group ids are not first rows, chunk results that
    /// do not match the chunk's items, a number too large for the backend.
    #[error("invalid {kind} {id}: {message}")]
    Invalid {
        kind: RecordKind,
        id: String,
        message: String,
    },

    /// A job configuration contained a key that looks like a credential. Stores never keep
    /// API keys: remove the key (at JSON path `path`) before creating the job.
    #[error("job {job_id}: configuration key `{path}` looks like a credential; stores never keep API keys, remove it from the job configuration")]
    SecretInConfig { job_id: String, path: String },

    /// The storage underneath failed (I/O, SQLite error, a host store raising an exception).
    /// `operation` and `table` say what the store was doing, `job_id` for which job.
    #[error("store {operation} on {table}{} failed: {source}", job_id.as_ref().map(|id| format!(" for job {id}")).unwrap_or_default())]
    Backend {
        operation: &'static str,
        table: &'static str,
        job_id: Option<String>,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },

    /// A stored value could not be decoded (a BLOB of the wrong length, invalid JSON, an
    /// unknown status name). The database was changed by something other than this crate or
    /// is damaged.
    #[error("corrupt {table} record {id}: {message}")]
    Corrupt {
        table: &'static str,
        id: String,
        message: String,
    },

    /// The database file was written by a newer version of dgs whose schema this build
    /// does not know. Opening it could lose data, so it is rejected.
    #[error("database {path} has schema version {found}, but this build supports up to version {supported}; open it with a newer dgs")]
    UnsupportedSchema {
        path: String,
        found: u32,
        supported: u32,
    },
}

impl StoreError {
    /// Builds a [`StoreError::NotFound`].
    pub fn not_found(kind: RecordKind, id: impl Into<String>) -> Self {
        StoreError::NotFound {
            kind,
            id: id.into(),
        }
    }

    /// Builds a [`StoreError::Invalid`].
    pub fn invalid(kind: RecordKind, id: impl Into<String>, message: impl Into<String>) -> Self {
        StoreError::Invalid {
            kind,
            id: id.into(),
            message: message.into(),
        }
    }

    /// Builds a [`StoreError::Conflict`].
    pub fn conflict(kind: RecordKind, id: impl Into<String>, message: impl Into<String>) -> Self {
        StoreError::Conflict {
            kind,
            id: id.into(),
            message: message.into(),
        }
    }

    /// Builds a [`StoreError::Backend`] from any error, e.g. one raised by a host store.
    pub fn backend(
        operation: &'static str,
        table: &'static str,
        job_id: Option<&str>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        StoreError::Backend {
            operation,
            table,
            job_id: job_id.map(str::to_owned),
            source: source.into(),
        }
    }

    /// Returns true for [`StoreError::NotFound`].
    pub fn is_not_found(&self) -> bool {
        matches!(self, StoreError::NotFound { .. })
    }
}
