//! A conformance suite for [`Store`] implementations, written once and run against
//! [`super::SqliteStore`], [`super::MemoryStore`] and any store a host provides.
//!
//! [`run_conformance`] runs every check against one store and returns a
//! [`ConformanceReport`] listing each check by name with its failure message, so a binding
//! can hand the report to Python or JavaScript instead of panicking. The checks create
//! their own jobs, prompts and cache entries with fresh ids, so they can run against a store
//! that already contains data, but they change the default prompt: use a disposable store.
//!
//! [`write_durability_fixture`] and [`verify_durability_fixture`] check that data survives
//! closing and reopening a persistent store: write, close, reopen, verify.

mod cache;
mod chunks;
mod durability;
mod jobs;
mod prompts;
mod review;

pub use durability::{verify_durability_fixture, write_durability_fixture, DurabilityFixture};

use super::{new_job_id, JobRecord, Store, StoreError};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The outcome of one named check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckOutcome {
    /// Check name, e.g. `commit_chunk_is_idempotent`.
    pub name: String,
    pub passed: bool,
    /// Description of how the store broke the contract, for a failed check.
    pub message: Option<String>,
}

/// The outcomes of a conformance run, in the order the checks ran.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ConformanceReport {
    pub checks: Vec<CheckOutcome>,
}

impl ConformanceReport {
    /// Returns true when every check passed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|check| check.passed)
    }

    /// Returns the failed checks.
    pub fn failures(&self) -> Vec<&CheckOutcome> {
        self.checks.iter().filter(|check| !check.passed).collect()
    }

    /// Panics with the list of failed checks unless all passed; for Rust test suites.
    #[track_caller]
    pub fn assert_passed(&self) {
        assert!(self.passed(), "store conformance failed:\n{self}");
    }

    pub(crate) fn record(&mut self, name: &str, result: Result<(), String>) {
        if let Err(message) = &result {
            tracing::warn!(check = name, %message, "store conformance check failed");
        }
        self.checks.push(CheckOutcome {
            name: name.to_owned(),
            passed: result.is_ok(),
            message: result.err(),
        });
    }
}

impl fmt::Display for ConformanceReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let failed = self.failures().len();
        writeln!(f, "{} checks, {} failed", self.checks.len(), failed)?;
        for check in &self.checks {
            match &check.message {
                None => writeln!(f, "  ok   {}", check.name)?,
                Some(message) => writeln!(f, "  FAIL {}: {message}", check.name)?,
            }
        }
        Ok(())
    }
}

/// Runs every conformance check against `store` and reports each one.
pub async fn run_conformance(store: &dyn Store) -> ConformanceReport {
    let mut report = ConformanceReport::default();

    macro_rules! run_checks {
        ($($module:ident :: $check:ident),* $(,)?) => {
            $( report.record(stringify!($check), $module::$check(store).await); )*
        };
    }

    run_checks!(
        jobs::job_round_trip,
        jobs::job_create_is_idempotent,
        jobs::job_create_conflict,
        jobs::job_list_newest_first,
        jobs::job_missing_is_not_found,
        jobs::job_status_and_progress_update,
        jobs::job_config_secret_rejected,
        jobs::groups_round_trip,
        jobs::groups_put_is_idempotent,
        jobs::groups_invalid_rejected,
        jobs::writes_require_job,
        chunks::commit_chunk_round_trip,
        chunks::commit_chunk_is_idempotent,
        chunks::commit_chunk_rejects_mismatch,
        chunks::commit_chunk_visible_with_results,
        chunks::classifications_per_iteration,
        chunks::iteration_round_trip,
        prompts::prompt_versioning,
        prompts::prompt_missing_not_found,
        prompts::default_prompt_switching,
        review::sample_round_trip,
        review::verdict_replacement,
        review::metrics_round_trip,
        cache::cache_round_trip,
    );

    report
}

// Helpers shared by the checks.

/// Converts a store error into a check failure naming the call.
pub(crate) fn call<T>(what: &str, result: Result<T, StoreError>) -> Result<T, String> {
    result.map_err(|error| format!("{what} failed: {error}"))
}

/// Fails unless `result` is an error matching `expected`.
pub(crate) fn expect_error<T: fmt::Debug>(
    what: &str,
    result: Result<T, StoreError>,
    expected: &str,
    matches: impl FnOnce(&StoreError) -> bool,
) -> Result<(), String> {
    match result {
        Err(error) if matches(&error) => Ok(()),
        Err(error) => Err(format!("{what}: expected {expected}, got error: {error}")),
        Ok(value) => Err(format!("{what}: expected {expected}, got Ok({value:?})")),
    }
}

pub(crate) fn ensure(condition: bool, message: impl FnOnce() -> String) -> Result<(), String> {
    if condition {
        Ok(())
    } else {
        Err(message())
    }
}

/// Fails with `what`, the expected and the actual value unless they are equal.
pub(crate) fn ensure_eq<T: PartialEq + fmt::Debug>(
    what: &str,
    actual: &T,
    expected: &T,
) -> Result<(), String> {
    ensure(actual == expected, || {
        format!("{what}: expected {expected:?}, got {actual:?}")
    })
}

/// Timestamps may be stored at millisecond precision, so equality allows 1 ms.
pub(crate) fn ensure_same_time(
    what: &str,
    actual: DateTime<Utc>,
    expected: DateTime<Utc>,
) -> Result<(), String> {
    let difference = (actual - expected).abs();
    ensure(difference <= TimeDelta::milliseconds(1), || {
        format!("{what}: expected {expected}, got {actual}")
    })
}

/// Returns the current time rounded down to the millisecond, which every store keeps.
pub(crate) fn now_millis() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
}

/// Creates a job with a fresh id for one check.
pub(crate) async fn fresh_job(store: &dyn Store, label: &str) -> Result<JobRecord, String> {
    let now = now_millis();
    let job = JobRecord {
        id: new_job_id(),
        created_at: now,
        updated_at: now,
        status: super::JobStatus::Created,
        input_path: format!("conformance/{label}.zip"),
        input_hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        config: serde_json::json!({
            "chunk_size": 50,
            "columns": ["LineDescription"],
            "model": "gpt-4o-mini",
            "temperature": 0.1,
        }),
        totals: super::JobTotals::default(),
        current_iteration: 1,
        error: None,
    };

    call("create_job", store.create_job(&job).await)?;
    Ok(job)
}
