//! Conversions between records and SQLite values, and error context for SQLite calls.

use crate::store::{CacheKey, RecordKind, StoreError};
use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

/// Context of a SQLite call (operation, table, job id), attached to its errors.
#[derive(Clone, Debug)]
pub(crate) struct Ctx {
    pub(crate) operation: &'static str,
    pub(crate) table: &'static str,
    pub(crate) job_id: Option<String>,
}

impl Ctx {
    pub(crate) fn new(operation: &'static str, table: &'static str, job_id: Option<&str>) -> Self {
        Ctx {
            operation,
            table,
            job_id: job_id.map(str::to_owned),
        }
    }

    pub(crate) fn error(
        &self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> StoreError {
        StoreError::backend(self.operation, self.table, self.job_id.as_deref(), source)
    }

    pub(crate) fn corrupt(&self, id: impl Into<String>, message: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            table: self.table,
            id: id.into(),
            message: message.into(),
        }
    }
}

/// Adds a [`Ctx`] to a rusqlite result.
pub(crate) trait Context<T> {
    fn context(self, ctx: &Ctx) -> Result<T, StoreError>;
}

impl<T> Context<T> for rusqlite::Result<T> {
    fn context(self, ctx: &Ctx) -> Result<T, StoreError> {
        self.map_err(|error| ctx.error(error))
    }
}

/// Formats a timestamp as fixed-width RFC 3339 with microseconds, so text order is time
/// order.
pub(crate) fn format_time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn parse_time(ctx: &Ctx, id: &str, text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|error| ctx.corrupt(id, format!("invalid timestamp `{text}`: {error}")))
}

pub(crate) fn parse_optional_time(
    ctx: &Ctx,
    id: &str,
    text: Option<String>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    text.map(|text| parse_time(ctx, id, &text)).transpose()
}

/// Packs ids as little-endian u64, 8 bytes each.
pub(crate) fn encode_ids(ids: &[u64]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(ids.len() * 8);
    for id in ids {
        bytes.extend_from_slice(&id.to_le_bytes());
    }
    bytes
}

pub(crate) fn decode_ids(ctx: &Ctx, id: &str, bytes: &[u8]) -> Result<Vec<u64>, StoreError> {
    if bytes.len() % 8 != 0 {
        return Err(ctx.corrupt(
            id,
            format!("id list of {} bytes is not a multiple of 8", bytes.len()),
        ));
    }

    Ok(bytes
        .chunks_exact(8)
        .map(|chunk| u64::from_le_bytes(chunk.try_into().expect("chunks_exact yields 8 bytes")))
        .collect())
}

/// Converts a u64 for an INTEGER column, whose values are i64.
pub(crate) fn to_i64(
    value: u64,
    kind: RecordKind,
    id: &str,
    field: &str,
) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| {
        StoreError::invalid(
            kind,
            id,
            format!(
                "{field} {value} is larger than the maximum SQLite integer {}",
                i64::MAX
            ),
        )
    })
}

pub(crate) fn to_u64(ctx: &Ctx, id: &str, field: &str, value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| ctx.corrupt(id, format!("negative {field} {value}")))
}

/// Hashes a cache key: SHA-256 over each field prefixed by its byte length, so no two
/// different keys share an encoding.
pub(crate) fn cache_key_hash(key: &CacheKey) -> Vec<u8> {
    let mut hasher = Sha256::new();
    for field in [&key.provider, &key.model, &key.prompt_hash, &key.text] {
        hasher.update((field.len() as u64).to_le_bytes());
        hasher.update(field.as_bytes());
    }
    hasher.finalize().to_vec()
}

pub(crate) fn to_json<T: serde::Serialize>(ctx: &Ctx, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|error| ctx.error(error))
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    ctx: &Ctx,
    id: &str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|error| ctx.corrupt(id, format!("invalid JSON: {error}")))
}
