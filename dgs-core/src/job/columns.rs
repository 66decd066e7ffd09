//! Resolving column aliases.
