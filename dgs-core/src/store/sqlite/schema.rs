//! The SQLite schema as an ordered list of migrations.
//!
//! The `schema_version` table lists the migrations applied. Opening a database applies the
//! missing ones in order inside one transaction, so a crash mid-migration leaves the old
//! version intact. A database with a version above [`MIGRATIONS`] is rejected instead of
//! being read with the wrong schema.

use super::codec::{format_time, Context, Ctx};
use crate::store::StoreError;
use chrono::Utc;
use rusqlite::{params, Connection, TransactionBehavior};

/// Migration `i` brings the schema from version `i` to `i + 1`. Append only: never edit a
/// migration that has shipped.
pub(crate) const MIGRATIONS: &[&str] = &[
    // Version 1: jobs, groups, chunk checkpoints, classifications, iterations, prompts.
    r#"
    CREATE TABLE jobs (
        id TEXT PRIMARY KEY NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        status TEXT NOT NULL,
        input_path TEXT NOT NULL,
        input_hash TEXT NOT NULL,
        config TEXT NOT NULL,
        total_rows INTEGER NOT NULL,
        total_groups INTEGER NOT NULL,
        total_chunks INTEGER NOT NULL,
        current_iteration INTEGER NOT NULL,
        error TEXT
    );
    CREATE INDEX jobs_by_created_at ON jobs (created_at DESC, id DESC);

    -- group_of: one little-endian u64 group id per row, in row index order.
    CREATE TABLE group_maps (
        job_id TEXT PRIMARY KEY NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        row_count INTEGER NOT NULL,
        group_of BLOB NOT NULL
    );

    -- fields: JSON array of [name, value] pairs.
    CREATE TABLE groups (
        job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        group_id INTEGER NOT NULL,
        size INTEGER NOT NULL,
        fields TEXT NOT NULL,
        PRIMARY KEY (job_id, group_id)
    ) WITHOUT ROWID;

    CREATE TABLE iterations (
        job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        iteration INTEGER NOT NULL,
        prompt_id TEXT NOT NULL,
        prompt_version INTEGER NOT NULL,
        prompt_hash TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        prompt_tokens INTEGER NOT NULL,
        completion_tokens INTEGER NOT NULL,
        cost REAL,
        duration_ms INTEGER,
        PRIMARY KEY (job_id, iteration)
    );

    -- item_ids: little-endian u64 group ids.
    CREATE TABLE chunk_checkpoints (
        job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        iteration INTEGER NOT NULL,
        chunk_index INTEGER NOT NULL,
        item_ids BLOB NOT NULL,
        prompt_tokens INTEGER NOT NULL,
        completion_tokens INTEGER NOT NULL,
        requests INTEGER NOT NULL,
        committed_at TEXT NOT NULL,
        PRIMARY KEY (job_id, iteration, chunk_index)
    ) WITHOUT ROWID;

    CREATE TABLE classifications (
        job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        iteration INTEGER NOT NULL,
        group_id INTEGER NOT NULL,
        category TEXT NOT NULL,
        score REAL NOT NULL,
        reason TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        PRIMARY KEY (job_id, iteration, group_id)
    ) WITHOUT ROWID;

    -- categories: JSON array of prompt categories.
    CREATE TABLE prompts (
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        name TEXT NOT NULL,
        label TEXT NOT NULL,
        template TEXT NOT NULL,
        categories TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (id, version)
    );

    -- Store-wide values, such as default_prompt_id.
    CREATE TABLE settings (
        name TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
    );
    "#,
    // Version 2: review samples, verdicts, metrics and the answer cache.
    r#"
    -- seed: the u64 seed stored as its i64 bit pattern. group_ids: little-endian u64.
    CREATE TABLE samples (
        job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        sample_id TEXT NOT NULL,
        iteration INTEGER NOT NULL,
        seed INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        group_ids BLOB NOT NULL,
        PRIMARY KEY (job_id, sample_id)
    );

    CREATE TABLE verdicts (
        job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        group_id INTEGER NOT NULL,
        verdict TEXT NOT NULL,
        corrected_category TEXT,
        reviewer TEXT,
        iteration_reviewed INTEGER NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (job_id, group_id)
    ) WITHOUT ROWID;

    CREATE TABLE metrics (
        job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        iteration INTEGER NOT NULL,
        metrics TEXT NOT NULL,
        PRIMARY KEY (job_id, iteration)
    );

    -- key_hash: SHA-256 of the length-prefixed provider, model, prompt_hash and text.
    CREATE TABLE answer_cache (
        key_hash BLOB PRIMARY KEY NOT NULL,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        prompt_hash TEXT NOT NULL,
        text TEXT NOT NULL,
        category TEXT NOT NULL,
        score REAL NOT NULL,
        reason TEXT NOT NULL,
        stored_at TEXT NOT NULL
    );
    "#,
];

/// Returns the schema version this build writes.
pub(crate) fn latest_version() -> u32 {
    MIGRATIONS.len() as u32
}

/// Applies the migrations missing up to `target` in one transaction.
///
/// Fails with [`StoreError::UnsupportedSchema`] when the database is newer than this build.
pub(crate) fn migrate(
    connection: &mut Connection,
    path: &str,
    target: u32,
) -> Result<(), StoreError> {
    let ctx = Ctx::new("migrate", "schema_version", None);
    let transaction = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .context(&ctx)?;

    transaction
        .execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_version (
                version INTEGER PRIMARY KEY NOT NULL,
                applied_at TEXT NOT NULL
            )",
        )
        .context(&ctx)?;
    let current: u32 = transaction
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_version",
            [],
            |row| row.get(0),
        )
        .context(&ctx)?;

    if current > latest_version() {
        return Err(StoreError::UnsupportedSchema {
            path: path.to_owned(),
            found: current,
            supported: latest_version(),
        });
    }

    for version in current + 1..=target.min(latest_version()) {
        tracing::info!(path, version, "applying store schema migration");
        transaction
            .execute_batch(MIGRATIONS[version as usize - 1])
            .context(&ctx)?;
        transaction
            .execute(
                "INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)",
                params![version, format_time(Utc::now())],
            )
            .context(&ctx)?;
    }

    transaction.commit().context(&ctx)
}

/// Returns the highest applied schema version, 0 for an empty database.
pub(crate) fn current_version(connection: &Connection) -> Result<u32, StoreError> {
    let ctx = Ctx::new("read", "schema_version", None);
    connection
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_version",
            [],
            |row| row.get(0),
        )
        .context(&ctx)
}
