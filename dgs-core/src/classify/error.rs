//! Errors of engine configuration and of the answer cache.

/// Errors from configuring an engine.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClassifyConfigError {
    /// An environment variable read by [`super::ClassifyOptions::from_env`] has a value that
    /// is not of the expected form.
    #[error("invalid {variable}={value:?}: expected {expected}")]
    InvalidEnv {
        variable: &'static str,
        value: String,
        expected: &'static str,
    },

    /// An option of [`super::ClassifyOptions`] is out of its range.
    #[error("invalid option {option} = {value}: expected {expected}")]
    InvalidOption {
        option: &'static str,
        value: String,
        expected: &'static str,
    },

    /// The prompt given to the engine cannot be used: no categories, or two categories with
    /// the same number.
    #[error("invalid engine prompt: {message}")]
    InvalidPrompt { message: String },
}

/// Why an [`super::AnswerCache`] call failed. The engine logs it and goes on without the
/// cache for that call.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("answer cache: {message}")]
pub struct CacheError {
    pub message: String,
}
