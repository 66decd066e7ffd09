//! The chunked, concurrent classification engine with one result per item.
//!
//! LLMs return fewer, extra, duplicated, reordered or malformed answers, and rate limits
//! and timeouts hit in the middle of a batch. Any misalignment would attach the wrong
//! category to a ledger line, so the engine:
//!
//! - sends each chunk's items with ids local to the request (`1..=n`) and matches answers
//!   by that id, then by echoed text for answers without a usable id, never by position;
//! - drops and counts answers for ids it did not send and duplicated answers;
//! - sends one follow-up request with only the items an answer left out, and gives what is
//!   still missing the fallback category with status `missing`;
//! - retries transport errors, timeouts, HTTP 429 (honouring `Retry-After`), HTTP 5xx and
//!   unparsable answers with exponential backoff and full jitter, and marks the chunk
//!   failed when every attempt fails;
//! - answers repeated descriptions from an [`AnswerCache`] without a call.
//!
//! [`Engine::classify_chunk`] handles one chunk; [`Engine::run`] chunks a list of items
//! deterministically, runs chunks concurrently, reports [`ClassifyEvent`]s and hands out
//! one [`ChunkOutcome`] per chunk in completion order.

mod backoff;
mod cache;
mod categories;
mod engine;
mod error;
mod input;
mod matching;
mod options;
mod outcome;
mod parse;
mod rate_limit;
mod request;
mod result;
mod run;

pub use cache::{AnswerCache, CacheKey, CachedAnswer, MemoryAnswerCache};
pub use engine::{chunk_ranges, Engine, EventSink, TokenEstimator};
pub use error::{CacheError, ClassifyConfigError};
pub use input::{EnginePrompt, Item};
pub use options::{ClassifyOptions, ENV_CHUNK_SIZE, ENV_CONCURRENCY_LIMIT, ENV_MAX_WORKERS};
pub use outcome::{ChunkOutcome, ClassifyEvent, DroppedAnswers, RunSummary};
pub use result::{Classification, ClassificationStatus, FALLBACK_CATEGORY, MISSING_REASON};
pub use run::{ClassifyRun, RunResults};
