//! The embedded default [`Store`]: one SQLite database file.
//!
//! Settings applied at open:
//! - WAL journal, so readers in other processes do not block the writer.
//! - `synchronous=NORMAL`: a process crash loses no committed transaction. A power loss or
//!   OS crash may roll back the last commits but leaves the file consistent, as the SQLite
//!   `PRAGMA synchronous` documentation states for WAL mode.
//! - Foreign keys on.
//! - A 5 s busy timeout while another process has the write lock.
//!
//! rusqlite is blocking and its `Connection` is `Send` but not `Sync`, so the store keeps
//! one connection in a `std::sync::Mutex` and runs every call on tokio's blocking thread
//! pool (`spawn_blocking`), where it may wait on disk without stalling async tasks. One
//! connection serialises calls, which costs little because SQLite allows one writer at a
//! time anyway. Every multi-statement write runs in one `BEGIN IMMEDIATE` transaction, so
//! it is atomic for other processes too.
//!
//! NOTE: reads wait behind writes on the same store; a pool of read connections would let
//! them run in parallel under WAL.
//!
//! [`Store`]: crate::store::Store

mod codec;
mod schema;
mod store_impl;

use crate::store::StoreError;
use codec::{Context, Ctx};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a call waits for another process's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A [`crate::store::Store`] in a SQLite database file, or in memory for `:memory:`.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    connection: Arc<Mutex<Connection>>,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens or creates the database at `path` (`:memory:` for a private in-memory one) and
    /// applies missing schema migrations.
    ///
    /// Fails with [`StoreError::UnsupportedSchema`] if a newer dgs wrote the file.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let ctx = Ctx::new("open", "database", None);

        tokio::task::spawn_blocking(move || Self::open_blocking(&path))
            .await
            .map_err(|error| ctx.error(error))?
    }

    /// Does the work of [`SqliteStore::open`] on the calling thread.
    pub fn open_blocking(path: &Path) -> Result<Self, StoreError> {
        Self::open_at_version(path, schema::latest_version())
    }

    /// Opens with the schema migrated up to `target` only, so tests can build an old
    /// database.
    pub(crate) fn open_at_version(path: &Path, target: u32) -> Result<Self, StoreError> {
        let path_text = path.display().to_string();
        let _span = tracing::debug_span!("store_open", path = %path_text).entered();
        let ctx = Ctx::new("open", "database", None);

        let mut connection = Connection::open(path).context(&ctx)?;
        configure(&connection, &path_text)?;
        schema::migrate(&mut connection, &path_text, target)?;

        Ok(SqliteStore {
            connection: Arc::new(Mutex::new(connection)),
            path: path.to_path_buf(),
        })
    }

    /// Returns the path the store was opened with.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Returns the schema version of the open database.
    pub async fn schema_version(&self) -> Result<u32, StoreError> {
        self.run("read", "schema_version", None, |connection, _| {
            schema::current_version(connection)
        })
        .await
    }

    /// Runs `work` with the connection on the blocking thread pool, inside a tracing span
    /// naming the operation, table and job.
    async fn run<T, F>(
        &self,
        operation: &'static str,
        table: &'static str,
        job_id: Option<&str>,
        work: F,
    ) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection, &Ctx) -> Result<T, StoreError> + Send + 'static,
    {
        let ctx = Ctx::new(operation, table, job_id);
        let connection = Arc::clone(&self.connection);
        let span = tracing::debug_span!("store", operation, table, job_id = job_id.unwrap_or(""));

        let task_ctx = ctx.clone();
        let task = tokio::task::spawn_blocking(move || {
            let _entered = span.enter();

            // A panic inside `work` drops its transaction, which rolls back, so the
            // connection behind a poisoned lock is still usable.
            let mut connection = connection
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let result = work(&mut connection, &task_ctx);

            if let Err(error) = &result {
                tracing::debug!(%error, "store call failed");
            }
            result
        });

        task.await.map_err(|error| ctx.error(error))?
    }
}

fn configure(connection: &Connection, path: &str) -> Result<(), StoreError> {
    let ctx = Ctx::new("configure", "database", None);

    connection.busy_timeout(BUSY_TIMEOUT).context(&ctx)?;
    let journal_mode: String = connection
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .context(&ctx)?;
    if journal_mode != "wal" && journal_mode != "memory" {
        tracing::warn!(path, journal_mode, "SQLite did not switch to WAL mode");
    }
    connection
        .pragma_update(None, "synchronous", "NORMAL")
        .context(&ctx)?;
    connection
        .pragma_update(None, "foreign_keys", true)
        .context(&ctx)?;
    Ok(())
}

#[cfg(test)]
mod tests;
