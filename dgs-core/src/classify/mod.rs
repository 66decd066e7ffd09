//! The chunked, concurrent classification engine with one result per item.

mod result;

pub use result::{Classification, ClassificationStatus, FALLBACK_CATEGORY, MISSING_REASON};
