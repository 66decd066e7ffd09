//! Cleaning and grouping a batch of rows: the parallel part (cleaning, keys) runs on rayon,
//! the grouping stays sequential so the first row of a group is its representative.

use super::deduplicator::{Assignment, Dedup, DedupOptions, Deduplicator};
use super::error::DedupError;
use super::strategy::{DedupStrategy, KeyBuilder};
use crate::clean::{CleanRow, Cleaner};
use crate::ingest::Row;
use rayon::prelude::*;

/// Rows per rayon task when cleaning and building keys.
const MIN_ROWS_PER_TASK: usize = 256;

impl Deduplicator {
    /// Cleans `rows` and builds their keys in parallel, then pushes them in order. Returns each
    /// row's clean fields and group, in the order of `rows`.
    ///
    /// Fails on the first row that cannot be cleaned or keyed, or that is out of order. When
    /// cleaning or keying fails, no row of `rows` is pushed.
    pub fn push_rows(
        &mut self,
        rows: &[Row],
        cleaner: &Cleaner,
        keys: &KeyBuilder,
    ) -> Result<Vec<(CleanRow, Assignment)>, DedupError> {
        // A one-part clean key is the row's key text itself, so no key string is built.
        let key_text_position = keys.single_clean_part();
        let clean_and_key = |row: &Row| -> Result<(CleanRow, String), DedupError> {
            let clean = cleaner.clean_row(row)?;
            let mut key = String::new();
            if key_text_position.is_none() {
                keys.build(row, &clean, &mut key)?;
            }
            Ok((clean, key))
        };
        let keyed: Result<Vec<(CleanRow, String)>, DedupError> = rows
            .par_iter()
            .with_min_len(MIN_ROWS_PER_TASK)
            .map(clean_and_key)
            .collect();

        // Rayon returns the error of whichever task failed first in time, so the first
        // failing row in input order is looked up again on this rare path.
        let keyed = keyed.map_err(|error| {
            rows.iter()
                .find_map(|row| clean_and_key(row).err())
                .unwrap_or(error)
        })?;

        keyed
            .into_iter()
            .map(|(clean, built_key)| {
                let key = match key_text_position {
                    Some(position) => clean.keys.get(position).map_or("", String::as_str),
                    None => built_key.as_str(),
                };
                let assignment = self.push_row(&clean, key)?;
                Ok((clean, assignment))
            })
            .collect()
    }
}

/// Cleans and groups a whole batch of rows in memory. Returns the clean rows in input order
/// and the finished [`Dedup`]. For inputs too large to hold, feed a [`Deduplicator`] chunk by
/// chunk with [`Deduplicator::push_rows`] instead.
pub fn clean_and_dedup(
    rows: &[Row],
    cleaner: &Cleaner,
    strategy: &DedupStrategy,
    options: &DedupOptions,
) -> Result<(Vec<CleanRow>, Dedup), DedupError> {
    let keys = KeyBuilder::new(strategy, cleaner.columns())?;
    let mut deduplicator = Deduplicator::new(options.clone());
    let clean_rows = deduplicator
        .push_rows(rows, cleaner, &keys)?
        .into_iter()
        .map(|(clean, _)| clean)
        .collect();
    Ok((clean_rows, deduplicator.finish()))
}
