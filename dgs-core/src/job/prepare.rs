//! The prepare stage.
