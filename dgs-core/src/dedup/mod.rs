//! Grouping rows with equal keys so each group is classified once.
