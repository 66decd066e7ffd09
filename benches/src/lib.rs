//! Shared helpers for the dgs benchmarks.
