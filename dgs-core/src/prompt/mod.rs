//! Prompts: the instructions and the categories a job classifies into.

mod model;

pub use model::{Category, Prompt};
