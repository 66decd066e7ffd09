//! Shared helpers for the dgs benchmarks.

pub mod engine_overhead;
pub mod sample;
pub mod token_formats;
