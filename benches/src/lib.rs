//! Shared helpers for the dgs benchmarks.

pub mod engine_overhead;
