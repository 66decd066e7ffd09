//! Grouping rows with equal keys so each group is classified once.
//!
//! A [`KeyBuilder`] turns a row and its [`CleanRow`](crate::clean::CleanRow) into a key
//! according to a [`DedupStrategy`] (exact key text, fingerprint, or chosen clean or raw
//! columns). A [`Deduplicator`] takes rows one at a time in row-index order: the first row
//! with a key starts a group and represents it, and the group id is that row's index. The
//! finished [`Dedup`] contains a [`GroupMap`] (group id of every row, 8 bytes per row) to map
//! answers back, the groups with their sizes, figures per file and in total, and the
//! [`LlmInput`] items.

mod batch;
mod deduplicator;
mod error;
mod group_map;
mod llm_input;
mod stats;
mod strategy;

pub use batch::clean_and_dedup;
pub use deduplicator::{Assignment, Dedup, DedupOptions, Deduplicator, Group, KeyStorage};
pub use error::DedupError;
pub use group_map::{GroupMap, NO_GROUP};
pub use llm_input::LlmInput;
pub use stats::{DedupStats, FileDedupStats, GroupSummary};
pub use strategy::{DedupStrategy, KeyBuilder, KeyColumn, KeySource};
