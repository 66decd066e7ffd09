//! Errors of the clean stage.

/// An error in a cleaning configuration, or a row that cannot be cleaned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CleanError {
    /// A step name given in a configuration or on the command line is not a [`Step`](super::Step).
    #[error("unknown cleaning step {name:?}; expected one of: {expected}")]
    UnknownStep { name: String, expected: String },

    /// A preset name given in a configuration or on the command line is not a
    /// [`Preset`](super::Preset).
    #[error("unknown refinery {name:?}; expected one of: {expected}")]
    UnknownPreset { name: String, expected: String },

    /// The configuration selects no column to clean.
    #[error("no column selected for cleaning; select at least one text column")]
    NoColumns,

    /// A selected column is not in the table a row comes from.
    #[error("{file}: line {line} (row {row_index}): column {column:?} not found; the columns are: {}", available.join(", "))]
    MissingColumn {
        column: String,
        file: String,
        line: u64,
        row_index: u64,
        available: Vec<String>,
    },
}
