//! The `--store` option shared by every command that reads or writes jobs and prompts.

use crate::failure::Failure;
use clap::Args;
use dgs_core::store::{SqliteStore, Store};
use std::path::PathBuf;
use std::sync::Arc;

/// The SQLite store with jobs, checkpoints and prompts.
#[derive(Args, Debug, Clone)]
pub(crate) struct StoreArg {
    /// SQLite file with jobs, chunk checkpoints and prompts; created when missing.
    #[arg(
        long = "store",
        env = "DGS_STORE",
        default_value = "dgs.db",
        value_name = "PATH",
        global = true
    )]
    pub(crate) store_path: PathBuf,
}

impl StoreArg {
    /// Opens the SQLite store, creating the file when it does not exist yet.
    pub(crate) async fn open(&self) -> Result<Arc<dyn Store>, Failure> {
        let store = SqliteStore::open(&self.store_path).await.map_err(|error| {
            Failure::failed(format!(
                "cannot open store {}: {error}",
                self.store_path.display()
            ))
        })?;
        Ok(Arc::new(store))
    }

    /// Opens a store that must already exist, for commands that only read from it.
    pub(crate) async fn open_existing(&self) -> Result<Arc<dyn Store>, Failure> {
        if !self.store_path.exists() {
            return Err(Failure::usage(format!(
                "store {} not found; pass --store PATH or set DGS_STORE",
                self.store_path.display()
            )));
        }
        self.open().await
    }

    /// Returns the path as the user should type it in a `--store` option.
    pub(crate) fn display(&self) -> String {
        self.store_path.display().to_string()
    }
}
