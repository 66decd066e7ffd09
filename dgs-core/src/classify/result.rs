//! The one result every classified item gets.

use serde::{Deserialize, Serialize};

/// Default category for items without a usable answer.
pub const FALLBACK_CATEGORY: &str = "Indeterminado";

/// Reason recorded for items the model never answered.
pub const MISSING_REASON: &str = "No classification returned";

/// Origin of a result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassificationStatus {
    /// The model answered with a category of the prompt.
    Ok,
    /// Taken from the answer cache; no call was made.
    Cached,
    /// No answer for the item, even after the follow-up request; fallback category.
    Missing,
    /// The model named a category that is not in the prompt; fallback category.
    UnknownCategory,
    /// Every attempt failed (transport, HTTP or unparsable output); fallback category.
    Failed,
}

impl ClassificationStatus {
    /// Returns the snake_case name used in exports and stores.
    pub fn as_str(&self) -> &'static str {
        match self {
            ClassificationStatus::Ok => "ok",
            ClassificationStatus::Cached => "cached",
            ClassificationStatus::Missing => "missing",
            ClassificationStatus::UnknownCategory => "unknown_category",
            ClassificationStatus::Failed => "failed",
        }
    }
}

/// The classification of one item (one dedup group).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    /// Item id; for jobs it is the group id, the row index of the group's first row.
    pub id: u64,
    pub category: String,
    /// Model confidence in 0..=1, or -1 for fallback results.
    pub score: f64,
    pub reason: String,
    pub status: ClassificationStatus,
    /// Requests that included this item, follow-ups counted.
    pub attempts: u32,
}
